/**
 * `npm run db:seed`: migrates the database and creates the demo workspace "Atrium Demo" (one user
 * per role, projects, tasks, comments; see seed.ts). Running it again finds the demo and exits 0.
 * Refuses to run in production.
 */
import { ConfigError, loadConfig } from '../../config.ts';
import { createLogger } from '../../lib/logger.ts';
import { createRuntime } from '../../runtime.ts';
import { DEMO, describeDemo, seedDemo } from './seed.ts';

try {
  const config = loadConfig();
  if (config.isProduction) {
    process.stderr.write('Refusing to seed demo data in production.\n');
    process.exit(1);
  }
  // Progress goes to stdout as plain text; only warnings and errors as log lines.
  const logger = createLogger({ ...config, logLevel: 'warn' });
  const runtime = await createRuntime({ config, logger, work: false, http: false });
  try {
    const result = await seedDemo(runtime);
    if (result.created) {
      const { projects, tasks, comments } = result.counts;
      process.stdout.write(
        `Created the demo workspace "${DEMO.tenantName}": ${projects} projects, ${tasks} tasks, ${comments} comments.\n` +
          `Sign in at ${config.webUrl} with any of these users:\n${describeDemo(result)}\n`,
      );
    } else {
      process.stdout.write(`The demo workspace "${DEMO.tenantName}" already exists; nothing to do.\n${describeDemo(result)}\n`);
    }
  } finally {
    await runtime.close();
  }
  process.exit(0);
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `Seed failed: ${(err as Error).message}`}\n`);
  process.exit(1);
}
