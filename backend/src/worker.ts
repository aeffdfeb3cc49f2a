/**
 * Standalone job worker (`npm run worker`): the same jobs as the in-process worker, without HTTP.
 * Run it beside API processes started with WORKER_MODE=off when scaling out on PostgreSQL.
 * (The embedded database allows one process only, so with PGlite keep the in-process worker.)
 */
// Only these two load first: tracing (it must hook pg and node:http before anything loads them, see
// tracing.ts) and the hook that loads drizzle-orm as CommonJS. Everything else is imported below.
import { loadDrizzleAsCommonJs } from './lib/drizzle-commonjs.ts';
import { shutdownTracing } from './tracing.ts';

loadDrizzleAsCommonJs();
const { ConfigError, loadConfig } = await import('./config.ts');
const { createLogger } = await import('./lib/logger.ts');
const { createRuntime } = await import('./runtime.ts');

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config).child({ component: 'worker' });
  let runtime: Awaited<ReturnType<typeof createRuntime>>;
  try {
    runtime = await createRuntime({ config, logger, work: true, http: false });
  } catch (err) {
    process.stderr.write(`Atrium worker cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  logger.info({ database: runtime.database.kind }, 'Atrium worker running');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await runtime.close().catch((err) => logger.error({ err }, 'worker shutdown failed'));
    await shutdownTracing();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

void main();
