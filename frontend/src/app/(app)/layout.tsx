import type { ReactNode } from 'react';
import { SessionGate } from '@/components/session-gate';

/** Everything in here needs a signed-in user (src/proxy.ts already sends visitors without a session cookie to sign in). */
export default function AppLayout({ children }: { children: ReactNode }) {
  return <SessionGate>{children}</SessionGate>;
}
