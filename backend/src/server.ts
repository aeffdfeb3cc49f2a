/**
 * Entry point of the API process (`npm start`, `npm run dev`): validates configuration, migrates the
 * database, starts the HTTP server and, unless WORKER_MODE=off, the job worker in the same process.
 * SIGTERM/SIGINT close gracefully: stop accepting, finish in-flight requests and jobs, then exit.
 */
// Only these two load first: tracing (it must hook pg and node:http before anything loads them, see
// tracing.ts) and the hook that loads drizzle-orm as CommonJS. Everything else is imported below.
import { loadDrizzleAsCommonJs } from './lib/drizzle-commonjs.ts';
import { shutdownTracing } from './tracing.ts';

loadDrizzleAsCommonJs();
const { ConfigError, loadConfig } = await import('./config.ts');
const { DatabaseConnectError } = await import('./db/client.ts');
const { seedDemoOnStart } = await import('./db/seed/seed.ts');
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
  const logger = createLogger(config);

  let runtime: Awaited<ReturnType<typeof createRuntime>>;
  try {
    runtime = await createRuntime({ config, logger, work: config.worker.mode === 'inprocess', http: true });
  } catch (err) {
    if (err instanceof DatabaseConnectError) {
      process.stderr.write(`Atrium cannot start: ${err.message}\n`);
    } else {
      process.stderr.write(`Atrium cannot start: ${(err as Error).message}\n`);
      logger.fatal({ err }, 'start-up failed');
    }
    process.exit(1);
  }

  // SEED_DEMO_DATA=true: an empty database (no users) gets the demo workspace before the first
  // request; never in production. See src/db/seed/seed.ts.
  await seedDemoOnStart(runtime, logger, process.env.SEED_DEMO_DATA === 'true');

  const app = runtime.app!;
  await app.listen({ host: config.api.host, port: config.api.port });
  logger.info(
    {
      url: `http://${config.api.host}:${config.api.port}`,
      database: runtime.database.kind,
      worker: config.worker.mode,
      env: config.appEnv,
    },
    'Atrium API listening',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests and jobs');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5_000);
    timer.unref();
    try {
      await runtime.close();
      await shutdownTracing();
      logger.info('shutdown complete');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
