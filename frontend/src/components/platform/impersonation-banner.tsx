'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { adminApi, impersonatorOf } from '@/lib/admin-api';
import { call } from '@/lib/api/client';
import { useMe } from '@/lib/queries';
import { Button } from '../ui/button';
import { toast } from '../ui/toast';

/** Shown on every app page while a platform admin is impersonating someone. */
export function ImpersonationBanner() {
  const me = useMe();
  const queryClient = useQueryClient();
  const by = impersonatorOf(me.data);
  const stop = useMutation({
    mutationFn: async () => call(adminApi.POST('/api/v1/admin/impersonation/stop')),
    onSuccess: () => {
      queryClient.clear();
      window.location.assign('/admin');
    },
    onError: (err) => toast.error('Could not stop impersonating', err),
  });
  if (!by || !me.data) return null;
  return (
    <section
      aria-label="Impersonation"
      className="sticky top-0 z-50 flex flex-wrap items-center justify-center gap-x-3 gap-y-1 border-b-2 border-warning bg-warning-soft px-4 py-2 text-center text-sm font-medium text-foreground"
    >
      <span>
        You are impersonating <strong>{me.data.user.name}</strong> ({me.data.user.email}) — signed in as {by.email}.
      </span>
      <Button size="sm" variant="secondary" loading={stop.isPending} onClick={() => stop.mutate()}>
        Stop impersonating
      </Button>
    </section>
  );
}
