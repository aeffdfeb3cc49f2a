import type { ReactNode } from 'react';
import { ImpersonationBanner } from '@/components/platform/impersonation-banner';
import { SessionGate } from '@/components/session-gate';

/** Everything in here needs a signed-in user (src/proxy.ts already sends visitors without a session cookie to sign in). */
export default function AppLayout({ children }: { children: ReactNode }) {
  return (
    <SessionGate>
      <ImpersonationBanner />
      {children}
    </SessionGate>
  );
}
