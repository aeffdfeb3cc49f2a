/**
 * `npm run db:migrate`: applies database migrations and installs/upgrades the job-queue schema,
 * then exits. `npm start` does the same on start; in a deployment run this as its own step.
 */
import { ConfigError, loadConfig } from '../config.ts';
import { jobDefinitions } from '../jobs/definitions.ts';
import { JobQueue } from '../jobs/queue.ts';
import { createLogger } from '../lib/logger.ts';
import { createMailer } from '../modules/mail/mailer.ts';
import { openDatabase } from './client.ts';
import { runMigrations } from './migrate.ts';

try {
  const config = loadConfig();
  const logger = createLogger(config);
  const database = await openDatabase(config);
  try {
    const { applied } = await runMigrations(database);
    const jobs = new JobQueue(database, config, logger);
    for (const def of jobDefinitions({ mailer: createMailer(config, database), db: database.db, config })) jobs.define(def);
    await jobs.start();
    await jobs.stop(1_000);
    process.stdout.write(`Migrations: ${applied} applied; database ${database.kind} is current.\n`);
  } finally {
    await database.close();
  }
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `Migration failed: ${(err as Error).message}`}\n`);
  process.exit(1);
}
