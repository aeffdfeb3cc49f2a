/**
 * `npm run db:seed`: fills the database with demo data. The platform foundation has no domain data
 * yet; the demo workspace (users per role, projects, tasks) is added with the task workspace.
 */
import { ConfigError, loadConfig } from '../../config.ts';
import { openDatabase } from '../client.ts';
import { runMigrations } from '../migrate.ts';

try {
  const config = loadConfig();
  if (config.isProduction) {
    process.stderr.write('Refusing to seed demo data in production.\n');
    process.exit(1);
  }
  const database = await openDatabase(config);
  try {
    await runMigrations(database);
    process.stdout.write('Database migrated. No demo data is defined yet (it arrives with the task workspace).\n');
  } finally {
    await database.close();
  }
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `Seed failed: ${(err as Error).message}`}\n`);
  process.exit(1);
}
