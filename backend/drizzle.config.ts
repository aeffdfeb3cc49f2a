import { defineConfig } from 'drizzle-kit';

// Generates SQL migrations from the Drizzle schema: `npm run db:generate -w backend`.
// Hand-written SQL (roles, grants, row-level security) lives in `--custom` migrations beside them.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './src/db/migrations',
});
