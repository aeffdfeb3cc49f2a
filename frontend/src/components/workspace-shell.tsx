'use client';

import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { ROLE_LABEL } from '@/lib/format';
import { rememberWorkspace } from '@/lib/last-workspace';
import type { Permission } from '@/lib/permissions';
import { useMe } from '@/lib/queries';
import { useSignOut } from '@/lib/use-sign-out';
import { PastDueBanner } from './billing/past-due-banner';
import { Logo } from './logo';
import { PlatformAdminLink } from './platform/admin-link';
import { ThemeToggle } from './theme-toggle';
import { Avatar } from './ui/avatar';
import { Badge } from './ui/badge';
import { Button, buttonClass } from './ui/button';
import { cn } from './ui/cn';
import { DialogContent, DialogRoot } from './ui/dialog';
import {
  BoardIcon,
  CardIcon,
  ChartIcon,
  CheckIcon,
  ChevronUpDownIcon,
  FolderIcon,
  GearIcon,
  KeyIcon,
  ListIcon,
  LogOutIcon,
  MenuIcon,
  PlusIcon,
  ShieldIcon,
  UsersIcon,
  WebhookIcon,
} from './ui/icons';
import { EmptyState } from './ui/states';
import { makeWorkspaceValue, WorkspaceProvider } from './workspace-context';

const NAV: { href: string; label: string; Icon: typeof ListIcon; needs?: Permission }[] = [
  { href: 'tasks', label: 'Tasks', Icon: ListIcon },
  { href: 'board', label: 'Board', Icon: BoardIcon },
  { href: 'projects', label: 'Projects', Icon: FolderIcon },
  { href: 'members', label: 'Members', Icon: UsersIcon, needs: 'member:read' },
  { href: 'audit', label: 'Audit log', Icon: ShieldIcon, needs: 'audit:read' },
  { href: 'api-keys', label: 'API keys', Icon: KeyIcon, needs: 'apikey:manage' },
  { href: 'webhooks', label: 'Webhooks', Icon: WebhookIcon, needs: 'webhook:manage' },
  { href: 'billing', label: 'Billing', Icon: CardIcon, needs: 'billing:manage' },
  { href: 'ai-usage', label: 'AI usage', Icon: ChartIcon, needs: 'ai:use' },
  { href: 'settings', label: 'Settings', Icon: GearIcon },
];

function WorkspaceSwitcher({ tenantId }: { tenantId: string }) {
  const me = useMe();
  const memberships = me.data?.memberships ?? [];
  const current = memberships.find((m) => m.tenantId === tenantId);
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger className="flex w-full items-center gap-2.5 rounded-lg border border-border bg-surface px-2.5 py-2 text-left text-sm hover:bg-surface-2">
        <span
          aria-hidden="true"
          className="flex size-7 shrink-0 items-center justify-center rounded-md bg-accent text-xs font-bold text-accent-foreground"
        >
          {(current?.name ?? '?').slice(0, 1).toUpperCase()}
        </span>
        <span className="min-w-0 flex-1">
          <span className="block truncate font-semibold">{current?.name}</span>
          {current && <span className="block text-xs text-muted">{ROLE_LABEL[current.role]}</span>}
          <span className="sr-only">Switch workspace</span>
        </span>
        <ChevronUpDownIcon className="size-4 text-muted" />
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="start"
          sideOffset={6}
          className="z-50 min-w-[var(--radix-dropdown-menu-trigger-width)] rounded-xl border border-border bg-surface p-1.5 text-sm shadow-xl"
        >
          <DropdownMenu.Label className="px-2 py-1.5 text-xs font-semibold text-muted">Your workspaces</DropdownMenu.Label>
          {memberships.map((m) => (
            <DropdownMenu.Item key={m.tenantId} asChild>
              <Link
                href={`/w/${m.tenantId}/tasks`}
                className="flex items-center gap-2 rounded-md px-2 py-2 outline-none data-[highlighted]:bg-surface-2"
              >
                <span className="min-w-0 flex-1 truncate">{m.name}</span>
                {m.tenantId === tenantId && <CheckIcon className="size-4 text-accent" />}
              </Link>
            </DropdownMenu.Item>
          ))}
          <DropdownMenu.Separator className="my-1 h-px bg-border" />
          <DropdownMenu.Item asChild>
            <Link href="/onboarding" className="flex items-center gap-2 rounded-md px-2 py-2 outline-none data-[highlighted]:bg-surface-2">
              <PlusIcon className="size-4" /> Create a workspace
            </Link>
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}

function SidebarContent({
  tenantId,
  allowed,
  onNavigate,
}: {
  tenantId: string;
  allowed: (p: Permission) => boolean;
  onNavigate?: () => void;
}) {
  const pathname = usePathname();
  const me = useMe();
  const { signOut, pending } = useSignOut();
  const user = me.data?.user;
  return (
    <div className="flex h-full flex-col gap-4 p-3">
      <Link href="/" className="flex items-center gap-2 px-1.5 pt-1 text-base font-semibold tracking-tight" onClick={onNavigate}>
        <Logo className="size-6" />
        Atrium
      </Link>
      <WorkspaceSwitcher tenantId={tenantId} />
      <nav aria-label="Workspace">
        <ul className="flex flex-col gap-0.5">
          {NAV.filter((n) => !n.needs || allowed(n.needs)).map(({ href, label, Icon }) => {
            const full = `/w/${tenantId}/${href}`;
            const active = pathname === full || pathname.startsWith(`${full}/`);
            return (
              <li key={href}>
                <Link
                  href={full}
                  onClick={onNavigate}
                  aria-current={active ? 'page' : undefined}
                  className={cn(
                    'flex items-center gap-2.5 rounded-lg px-2.5 py-2 text-sm font-medium motion-safe:transition-colors',
                    active ? 'bg-accent-soft text-accent' : 'text-muted hover:bg-surface-2 hover:text-foreground',
                  )}
                >
                  <Icon className="size-[18px]" />
                  {label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="mt-auto flex flex-col gap-3 border-t border-border pt-3">
        {user && (
          <div className="flex items-center gap-2.5 px-1">
            <Avatar name={user.name} seed={user.id} />
            <div className="min-w-0 flex-1 text-sm">
              <p className="truncate font-medium">{user.name}</p>
              <p className="truncate text-xs text-muted">{user.email}</p>
            </div>
          </div>
        )}
        <PlatformAdminLink onNavigate={onNavigate} />
        <div className="flex items-center justify-between gap-2">
          <ThemeToggle />
          <Button variant="ghost" size="sm" onClick={signOut} loading={pending}>
            {!pending && <LogOutIcon className="size-4" />}
            Sign out
          </Button>
        </div>
      </div>
    </div>
  );
}

export function WorkspaceShell({ tenantId, children }: { tenantId: string; children: ReactNode }) {
  const me = useMe();
  const pathname = usePathname();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const membership = me.data?.memberships.find((m) => m.tenantId === tenantId);
  const value = useMemo(() => (membership && me.data ? makeWorkspaceValue(membership, me.data.user) : null), [membership, me.data]);

  useEffect(() => {
    if (membership) rememberWorkspace(tenantId);
  }, [membership, tenantId]);

  // Close the drawer after navigation.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on path change
  useEffect(() => setDrawerOpen(false), [pathname]);

  if (!value) {
    return (
      <main id="main" className="mx-auto flex w-full max-w-lg flex-1 flex-col justify-center px-4">
        <EmptyState
          title="Workspace not found"
          action={
            <Link href="/w" className={buttonClass()}>
              Go to your workspaces
            </Link>
          }
        >
          It does not exist, or you are not a member of it (any more).
        </EmptyState>
      </main>
    );
  }

  return (
    <WorkspaceProvider value={value}>
      <div className="flex min-h-dvh flex-1">
        <aside className="hidden w-64 shrink-0 border-r border-border bg-surface lg:block">
          <div className="sticky top-0 h-dvh">
            <SidebarContent tenantId={tenantId} allowed={value.can} />
          </div>
        </aside>
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="sticky top-0 z-30 flex items-center gap-3 border-b border-border bg-surface/95 px-3 py-2 backdrop-blur lg:hidden">
            <DialogRoot open={drawerOpen} onOpenChange={setDrawerOpen}>
              <Button variant="ghost" size="icon" aria-label="Open navigation" onClick={() => setDrawerOpen(true)}>
                <MenuIcon />
              </Button>
              <DialogContent title="Navigation" side="left">
                <SidebarContent tenantId={tenantId} allowed={value.can} onNavigate={() => setDrawerOpen(false)} />
              </DialogContent>
            </DialogRoot>
            <span className="min-w-0 flex-1 truncate text-sm font-semibold">{value.tenantName}</span>
            <Badge>{ROLE_LABEL[value.role]}</Badge>
          </header>
          <main id="main" tabIndex={-1} className="flex-1 outline-none">
            <PastDueBanner />
            {children}
          </main>
        </div>
      </div>
    </WorkspaceProvider>
  );
}
