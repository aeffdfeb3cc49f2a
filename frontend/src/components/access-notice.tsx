import Link from 'next/link';
import type { ReactNode } from 'react';
import { buttonClass } from './ui/button';
import { CrownIcon, ShieldIcon } from './ui/icons';
import { EmptyState } from './ui/states';

/** What a page shows when the signed-in user's role does not allow it (the API would answer 403). */
export function NoAccess({ title = 'Not available for your role', children }: { title?: string; children: ReactNode }) {
  return (
    <EmptyState icon={<ShieldIcon />} title={title}>
      {children}
    </EmptyState>
  );
}

/** A feature the workspace's plan does not include, with the way to get it. */
export function UpgradeNotice({ feature, billingHref, canUpgrade }: { feature: string; billingHref: string; canUpgrade: boolean }) {
  return (
    <div
      role="note"
      className="flex flex-col gap-3 rounded-xl border border-accent/30 bg-accent-soft px-4 py-3 text-sm sm:flex-row sm:items-center"
    >
      <CrownIcon className="size-5 shrink-0 text-accent" />
      <p className="min-w-0 flex-1">
        <strong className="font-semibold">{feature} are part of the Pro and Business plans.</strong>{' '}
        {canUpgrade ? 'Upgrade this workspace to create them.' : 'Ask an owner or admin of this workspace to upgrade.'}
      </p>
      <div className="flex gap-2">
        {canUpgrade && (
          <Link href={billingHref} className={buttonClass({ size: 'sm' })}>
            Upgrade
          </Link>
        )}
        <Link href="/pricing" className={buttonClass({ size: 'sm', variant: 'secondary' })}>
          Compare plans
        </Link>
      </div>
    </div>
  );
}
