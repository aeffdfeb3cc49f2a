export * from './ai.ts';
export * from './audit.ts';
export * from './auth.ts';
export * from './billing.ts';
export * from './mail.ts';
export * from './platform.ts';
export * from './tenants.ts';
export * from './workspace.ts';
