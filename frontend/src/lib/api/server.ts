/**
 * The typed client for server components: calls the backend directly (API_URL, as src/proxy.ts does)
 * instead of going through this app's origin. Only for public data: no cookies are forwarded.
 */
import createClient from 'openapi-fetch';
import type { paths } from './schema';

export function serverApi() {
  return createClient<paths>({ baseUrl: (process.env.API_URL || 'http://127.0.0.1:4000').replace(/\/+$/, '') });
}
