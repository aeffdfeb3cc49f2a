import { type NextRequest, NextResponse } from 'next/server';

/**
 * Forwards the API (/api/*) and its reference (/docs) to the backend (API_URL, default
 * http://127.0.0.1:4000). The browser only ever talks to this origin, so session cookies are
 * first-party and no CORS is needed. Read per request: the same build works against any backend.
 * This is routing only; authentication and authorization are enforced by the backend.
 */
export function proxy(request: NextRequest) {
  const base = (process.env.API_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
  const target = new URL(`${request.nextUrl.pathname}${request.nextUrl.search}`, `${base}/`);
  return NextResponse.rewrite(target);
}

export const config = {
  matcher: ['/api/:path*', '/docs', '/docs/:path*'],
};
