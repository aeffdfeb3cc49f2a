import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import type { JobQueue } from '../../src/jobs/queue.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Auth } from '../../src/modules/auth/auth.ts';
import type { EventHub } from '../../src/modules/events/event-hub.ts';
import type { Mailer } from '../../src/modules/mail/mailer.ts';

/**
 * The OpenAPI document as the code defines it. Generating it needs the routes only, not a database,
 * so the dependencies are left unconnected (no route handler runs). The document is generated with
 * APP_ENV=test so local/test-only routes (the dev outbox) are included and documented.
 */
export async function generateOpenApiDocument(): Promise<Record<string, unknown>> {
  const config = loadConfig({ APP_ENV: 'test', LOG_LEVEL: 'silent' });
  const app = await buildApp({
    config,
    logger: createLogger(config),
    database: {} as Database,
    jobs: { observe: () => {}, queueNames: () => [] } as unknown as JobQueue,
    mailer: {} as Mailer,
    auth: {} as Auth,
    events: { stop: async () => {} } as unknown as EventHub,
  });
  await app.ready();
  const doc = app.swagger() as unknown as Record<string, unknown>;
  await app.close();
  return JSON.parse(JSON.stringify(doc));
}
