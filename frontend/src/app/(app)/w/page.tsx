'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { Loading } from '@/components/ui/states';
import { lastWorkspace } from '@/lib/last-workspace';
import { useMe } from '@/lib/queries';

/** Entry point after sign-in: the last workspace used, else the first, else onboarding. */
export default function WorkspaceIndex() {
  const me = useMe();
  const router = useRouter();
  useEffect(() => {
    if (!me.data) return;
    const memberships = me.data.memberships;
    if (memberships.length === 0) {
      router.replace('/onboarding');
      return;
    }
    const last = lastWorkspace();
    const target = memberships.find((m) => m.tenantId === last) ?? memberships[0];
    if (target) router.replace(`/w/${target.tenantId}/tasks`);
  }, [me.data, router]);
  return (
    <main id="main" className="flex flex-1 items-center justify-center">
      <Loading label="Opening your workspace…" />
    </main>
  );
}
