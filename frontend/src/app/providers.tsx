'use client';

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Toaster } from '@/components/ui/toast';
import { ApiError } from '@/lib/api/client';

/** An expired session in the middle of the app: go sign in again and come back. */
function onUnauthorized(error: unknown) {
  if (!(error instanceof ApiError) || error.status !== 401 || typeof window === 'undefined') return;
  const { pathname, search } = window.location;
  if (pathname.startsWith('/w/') || pathname.startsWith('/onboarding')) {
    window.location.assign(`/sign-in?next=${encodeURIComponent(pathname + search)}`);
  }
}

function makeQueryClient() {
  return new QueryClient({
    // The session gate handles a 401 on the `me` query itself.
    queryCache: new QueryCache({ onError: (error, query) => query.queryKey[0] !== 'me' && onUnauthorized(error) }),
    mutationCache: new MutationCache({ onError: onUnauthorized }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // Client errors (4xx) will not get better by retrying; network blips and 5xx might.
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      },
    },
  });
}

let browserQueryClient: QueryClient | undefined;

function getQueryClient() {
  if (typeof window === 'undefined') return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

export function Providers({ children }: { children: ReactNode }) {
  return (
    <QueryClientProvider client={getQueryClient()}>
      {children}
      <Toaster />
    </QueryClientProvider>
  );
}
