import { type NextRequest, NextResponse } from 'next/server';

/**
 * 1. Forwards the API (/api/*) and its reference (/docs) to the backend (API_URL, default
 *    http://127.0.0.1:4000). The browser only ever talks to this origin, so session cookies are
 *    first-party and no CORS is needed. Read per request: the same build works against any backend.
 * 2. Sends visitors without a session cookie from app pages to sign in (and back afterwards), so they
 *    never see an empty app shell. Only the cookie's presence is checked: this is a convenience, the
 *    backend authenticates and authorizes every request.
 */
const SESSION_COOKIES = ['atrium.session_token', '__Secure-atrium.session_token'];

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith('/api/') || pathname === '/api' || pathname === '/docs' || pathname.startsWith('/docs/')) {
    const base = (process.env.API_URL || 'http://127.0.0.1:4000').replace(/\/+$/, '');
    const target = new URL(`${pathname}${search}`, `${base}/`);
    return NextResponse.rewrite(target);
  }
  if (!SESSION_COOKIES.some((name) => request.cookies.has(name))) {
    const signIn = new URL('/sign-in', request.url);
    signIn.searchParams.set('next', `${pathname}${search}`);
    return NextResponse.redirect(signIn);
  }
  return NextResponse.next();
}

export const config = {
  matcher: ['/api/:path*', '/docs', '/docs/:path*', '/w', '/w/:path*', '/onboarding', '/admin', '/admin/:path*'],
};
