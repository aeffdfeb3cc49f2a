'use client';

import { usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useEffect } from 'react';
import { ApiError } from '@/lib/api/client';
import { useMe } from '@/lib/queries';
import { Button } from './ui/button';
import { ErrorState, Loading } from './ui/states';

export function SessionGate({ children }: { children: ReactNode }) {
  const me = useMe();
  const router = useRouter();
  const pathname = usePathname();
  const unauthorized = me.error instanceof ApiError && me.error.status === 401;

  useEffect(() => {
    if (unauthorized) router.replace(`/sign-in?next=${encodeURIComponent(pathname)}`);
  }, [unauthorized, router, pathname]);

  if (me.isPending || unauthorized) {
    return (
      <main id="main" className="flex flex-1 items-center justify-center">
        <Loading label={unauthorized ? 'Redirecting to sign in…' : 'Loading your workspace…'} />
      </main>
    );
  }
  if (me.error) {
    return (
      <main id="main" className="mx-auto flex w-full max-w-lg flex-1 flex-col justify-center px-4">
        <ErrorState title="Atrium could not load your account" error={me.error} onRetry={() => me.refetch()} />
        <Button variant="ghost" className="mt-4 self-start" onClick={() => router.push('/')}>
          Back to home
        </Button>
      </main>
    );
  }
  return <>{children}</>;
}
