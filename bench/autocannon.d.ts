// autocannon ships no types; load.ts declares the little it uses.
declare module 'autocannon';
