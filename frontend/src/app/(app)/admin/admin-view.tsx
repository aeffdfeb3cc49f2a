'use client';

import Link from 'next/link';
import { NoAccess } from '@/components/access-notice';
import { Logo } from '@/components/logo';
import { PageBody, PageHeader } from '@/components/page-header';
import { ThemeToggle } from '@/components/theme-toggle';
import { buttonClass } from '@/components/ui/button';
import { ArrowLeftIcon } from '@/components/ui/icons';
import { TabsContent, TabsList, TabsRoot, TabsTrigger } from '@/components/ui/tabs';
import { isPlatformAdmin } from '@/lib/admin-api';
import { useMe } from '@/lib/queries';
import { MetricsTab } from './metrics-tab';
import { ModelsTab } from './models-tab';
import { QueriesTab } from './queries-tab';
import { SubscriptionsTab } from './subscriptions-tab';
import { TenantsTab } from './tenants-tab';
import { UsersTab } from './users-tab';

const TABS = [
  { value: 'users', label: 'Users', Panel: UsersTab },
  { value: 'workspaces', label: 'Workspaces', Panel: TenantsTab },
  { value: 'subscriptions', label: 'Subscriptions', Panel: SubscriptionsTab },
  { value: 'metrics', label: 'Business metrics', Panel: MetricsTab },
  { value: 'models', label: 'AI models', Panel: ModelsTab },
  { value: 'queries', label: 'Top queries', Panel: QueriesTab },
];

export function AdminView() {
  const me = useMe();
  const admin = isPlatformAdmin(me.data);
  return (
    <div className="flex min-h-dvh flex-1 flex-col">
      <header className="border-b border-border bg-surface">
        <div className="mx-auto flex max-w-6xl items-center justify-between gap-3 px-4 py-3 sm:px-6">
          <Link href="/w" className="flex items-center gap-2 font-semibold tracking-tight">
            <Logo className="size-6" /> Atrium <span className="hidden font-normal text-muted sm:inline">· Platform admin</span>
          </Link>
          <div className="flex min-w-0 items-center gap-1 sm:gap-2">
            <Link href="/w" className={buttonClass({ variant: 'ghost', size: 'sm' })}>
              <ArrowLeftIcon className="size-4" />
              <span className="sr-only sm:not-sr-only">Back to workspaces</span>
            </Link>
            <ThemeToggle />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="flex-1 outline-none">
        <PageBody>
          <PageHeader
            title="Platform admin"
            description="Users, workspaces, revenue and the AI model registry across the whole installation."
          />
          {admin ? (
            <TabsRoot defaultValue="users">
              <TabsList label="Platform admin sections">
                {TABS.map((t) => (
                  <TabsTrigger key={t.value} value={t.value}>
                    {t.label}
                  </TabsTrigger>
                ))}
              </TabsList>
              {TABS.map(({ value, Panel }) => (
                <TabsContent key={value} value={value}>
                  <Panel />
                </TabsContent>
              ))}
            </TabsRoot>
          ) : (
            <NoAccess title="403 — platform admins only">
              Your account is not a platform admin. If you need access, ask whoever runs this Atrium installation.
            </NoAccess>
          )}
        </PageBody>
      </main>
    </div>
  );
}
