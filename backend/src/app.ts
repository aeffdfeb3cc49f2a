/**
 * buildApp: the Fastify application with every plugin and route module registered, built from its
 * dependencies. The server, the worker and the tests all build it the same way.
 */
import Fastify, { LogController } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { newId } from './lib/ids.ts';
import { ApiKeyUsage } from './modules/api-keys/api-keys.service.ts';
import { routeModules } from './modules/index.ts';
import authPlugin from './plugins/auth.ts';
import errorsPlugin, { sendError } from './plugins/errors.ts';
import httpPlugin from './plugins/http.ts';
import idempotencyPlugin from './plugins/idempotency.ts';
import metricsPlugin from './plugins/metrics.ts';
import openapiPlugin from './plugins/openapi.ts';
import rateLimitPlugin from './plugins/rate-limit.ts';
import { schemaSerializerCompiler } from './plugins/serializer.ts';
import type { AppDeps, AppInstance } from './types.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface BuildOptions extends AppDeps {
  logger: Logger;
  /** Extra routes, registered after the modules (tests use it to add probe routes). */
  extraRoutes?: (app: AppInstance) => Promise<void>;
}

export async function buildApp(options: BuildOptions): Promise<AppInstance> {
  const { config } = options;
  const app = Fastify({
    loggerInstance: options.logger,
    // One access-log line per request comes from plugins/http.ts (with route, status and duration).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    // Accept a well-formed caller-supplied x-request-id, otherwise make one.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId('req', 20);
    },
    bodyLimit: config.http.bodyLimit,
    trustProxy: config.http.trustProxy,
    // On shutdown, idle keep-alive sockets close at once; in-flight requests are allowed to finish.
    forceCloseConnections: 'idle',
    // Requests arriving while shutting down get our 503 envelope (plugins/http.ts).
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Errors raised by the router before any route runs leave in the envelope too: a path parameter
    // longer than any id is 404 (nothing by that id), a malformed URL 400.
    frameworkErrors: (error, request, reply) => {
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendError(request, reply, 404, 'not_found', 'Resource not found');
      return sendError(request, reply, 400, 'validation_error', 'Malformed request URL');
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(schemaSerializerCompiler);

  // Every route as registered (method, url): the route inventory the security tests check against.
  const routeInventory: { method: string; url: string }[] = [];
  app.decorate('routeInventory', routeInventory);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeInventory.push({ method, url: route.url });
  });

  app.decorate('config', options.config);
  app.decorate('database', options.database);
  app.decorate('jobs', options.jobs);
  app.decorate('mailer', options.mailer);
  app.decorate('auth', options.auth);
  app.decorate('events', options.events);
  // Live-update streams never finish on their own: end them first so shutdown can complete.
  app.addHook('preClose', async () => {
    await options.events.stop();
  });

  await app.register(errorsPlugin);
  await app.register(httpPlugin, { config });
  await app.register(openapiPlugin, { config });
  await app.register(idempotencyPlugin);
  const apiKeyUsage = new ApiKeyUsage(options.database.db);
  app.decorate('apiKeyUsage', apiKeyUsage);
  app.addHook('onReady', async () => apiKeyUsage.start());
  app.addHook('onClose', async () => apiKeyUsage.stop());
  await app.register(authPlugin, { auth: options.auth, config, apiKeyUsage });
  await app.register(rateLimitPlugin, { config });
  await app.register(metricsPlugin, { config });

  for (const mod of routeModules) {
    if (mod.enabled && !mod.enabled(config)) continue;
    await app.register(async (scope) => mod.routes(scope as AppInstance), { prefix: mod.prefix });
  }
  if (options.extraRoutes) {
    const extra = options.extraRoutes;
    await app.register(async (scope) => extra(scope as AppInstance));
  }
  return app as unknown as AppInstance;
}
