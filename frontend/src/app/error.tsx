'use client'; // Error boundaries must be Client Components.

import Link from 'next/link';
import { useEffect } from 'react';

function errorDigest(error: unknown): string | undefined {
  if (error instanceof Error && 'digest' in error && typeof error.digest === 'string') {
    return error.digest;
  }
  return undefined;
}

export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);

  const digest = errorDigest(error);

  return (
    <main id="main" tabIndex={-1} className="mx-auto flex w-full max-w-5xl flex-1 flex-col items-start px-6 py-24 outline-none">
      <h1 className="text-4xl font-bold tracking-tight">Something went wrong</h1>
      <p role="alert" className="mt-4 max-w-xl text-lg text-muted">
        This page could not be displayed. Try again, and if the problem persists, come back a little later.
      </p>
      {digest && (
        <p className="mt-2 text-sm text-muted">
          Reference: <code className="font-mono">{digest}</code>
        </p>
      )}
      <div className="mt-8 flex flex-wrap gap-3">
        <button
          type="button"
          onClick={() => retry()}
          className="inline-flex items-center rounded-lg bg-accent px-5 py-2.5 font-medium text-accent-foreground motion-safe:transition-colors hover:bg-accent-hover"
        >
          Try again
        </button>
        <Link
          href="/"
          className="inline-flex items-center rounded-lg border border-border bg-surface px-5 py-2.5 font-medium motion-safe:transition-colors hover:border-accent hover:text-accent"
        >
          Back to home
        </Link>
      </div>
    </main>
  );
}
