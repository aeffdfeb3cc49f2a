/**
 * Mounts Better Auth's handler at /api/auth/* unchanged (its endpoints and response shapes), so the
 * official Better Auth client works against Atrium as-is.
 */

import { authRouteRateLimit } from '../../plugins/rate-limit.ts';
import type { AppInstance } from '../../types.ts';
import { CLIENT_IP_HEADER } from './auth.ts';

export async function authRoutes(app: AppInstance) {
  // Hand Better Auth the raw body; it parses and validates its own input.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.route({
    method: ['GET', 'POST'],
    url: '/*',
    schema: { hide: true },
    config: { rateLimit: authRouteRateLimit(app.config) },
    handler: async (request, reply) => {
      const url = new URL(request.url, app.config.webUrl);
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (value === undefined || name === CLIENT_IP_HEADER) continue;
        if (Array.isArray(value)) for (const v of value) headers.append(name, v);
        else headers.set(name, String(value));
      }
      // The client IP as Fastify resolved it (proxy headers only from TRUST_PROXY hops).
      headers.set(CLIENT_IP_HEADER, request.ip);
      const body = request.method === 'GET' || request.body === undefined || request.body === '' ? undefined : String(request.body);
      const response = await app.auth.handler(new Request(url, { method: request.method, headers, body }));
      reply.code(response.status);
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie') reply.header(name, value);
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) reply.header('set-cookie', cookies);
      return reply.send(response.body ? Buffer.from(await response.arrayBuffer()) : null);
    },
  });
}
