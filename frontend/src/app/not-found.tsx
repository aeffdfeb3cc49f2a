import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = {
  title: 'Page not found',
};

export default function NotFound() {
  return (
    <main id="main" tabIndex={-1} className="mx-auto flex w-full max-w-5xl flex-1 flex-col items-start px-6 py-24 outline-none">
      <p className="text-sm font-semibold tracking-wide text-accent uppercase">404</p>
      <h1 className="mt-3 text-4xl font-bold tracking-tight">Page not found</h1>
      <p className="mt-4 max-w-xl text-lg text-muted">The page you are looking for does not exist or has moved.</p>
      <Link
        href="/"
        className="mt-8 inline-flex items-center rounded-lg bg-accent px-5 py-2.5 font-medium text-accent-foreground motion-safe:transition-colors hover:bg-accent-hover"
      >
        Back to home
      </Link>
    </main>
  );
}
