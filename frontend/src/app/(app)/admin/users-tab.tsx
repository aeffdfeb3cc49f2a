'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ListCard, ListRow, Meta } from '@/components/list-card';
import { LoadMore } from '@/components/load-more';
import { ReasonDialog } from '@/components/reason-dialog';
import { SearchInput } from '@/components/search-input';
import { Avatar } from '@/components/ui/avatar';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Field, Select } from '@/components/ui/field';
import { UsersIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { type AdminUser, adminApi, adminKeys, useAdminUsers } from '@/lib/admin-api';
import { call } from '@/lib/api/client';
import { formatDate, formatRelative } from '@/lib/format';
import { useMe } from '@/lib/queries';

type Action = { kind: 'ban' | 'impersonate'; user: AdminUser };

export function UsersTab() {
  const [q, setQ] = useState('');
  const users = useAdminUsers(q);
  const me = useMe();
  const queryClient = useQueryClient();
  const [action, setAction] = useState<Action | null>(null);
  const [banDays, setBanDays] = useState('');
  const invalidate = () => queryClient.invalidateQueries({ queryKey: adminKeys.allUsers });

  const ban = useMutation({
    mutationFn: async ({ user, reason }: { user: AdminUser; reason: string }) =>
      (
        await call(
          adminApi.POST('/api/v1/admin/users/{userId}/ban', {
            params: { path: { userId: user.id } },
            body: { reason, ...(banDays ? { expiresInDays: Number(banDays) } : {}) },
          }),
        )
      ).data,
    onSuccess: (u) => {
      setAction(null);
      toast.success('User banned', `${u.email} is signed out everywhere.`);
      invalidate();
    },
  });
  const unban = useMutation({
    mutationFn: async (user: AdminUser) =>
      (await call(adminApi.POST('/api/v1/admin/users/{userId}/unban', { params: { path: { userId: user.id } } }))).data,
    onSuccess: (u) => {
      toast.success('User unbanned', u.email);
      invalidate();
    },
    onError: (err) => toast.error('Could not unban', err),
  });
  const impersonate = useMutation({
    mutationFn: async ({ user, reason }: { user: AdminUser; reason: string }) =>
      (await call(adminApi.POST('/api/v1/admin/users/{userId}/impersonate', { params: { path: { userId: user.id } }, body: { reason } })))
        .data,
    onSuccess: () => {
      queryClient.clear();
      window.location.assign('/w');
    },
  });

  return (
    <section aria-label="Users" className="flex flex-col gap-4">
      <SearchInput label="Search users by email or name" placeholder="Search email or name" onSearch={setQ} />
      {users.isPending ? (
        <SkeletonRows rows={4} label="Loading users" />
      ) : users.error ? (
        <ErrorState title="Could not load users" error={users.error} onRetry={() => users.refetch()} />
      ) : users.data.pages[0]?.data.length === 0 ? (
        <EmptyState icon={<UsersIcon />} title={q ? 'No user matches' : 'No users yet'}>
          {q ? `Nobody’s email or name contains “${q}”.` : 'Users appear here when they sign up.'}
        </EmptyState>
      ) : (
        <ListCard label="Users">
          {users.data.pages.flatMap((p) =>
            p.data.map((u) => {
              const isMe = u.id === me.data?.user.id;
              return (
                <ListRow key={u.id} testId="admin-user-row">
                  <div className="flex min-w-0 flex-1 items-start gap-3">
                    <Avatar name={u.name} seed={u.id} />
                    <div className="min-w-0">
                      <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                        <span className="truncate">{u.name}</span>
                        {u.role === 'admin' && <Badge tone="accent">Platform admin</Badge>}
                        {u.banned && <Badge tone="danger">Banned</Badge>}
                        {!u.emailVerified && <Badge tone="warning">Unverified</Badge>}
                        {isMe && <Badge>You</Badge>}
                      </p>
                      <p className="truncate text-xs text-muted">{u.email}</p>
                      <Meta
                        items={[
                          ['Joined', formatRelative(u.createdAt)],
                          ['Workspaces', String(u.workspaceCount)],
                          ...(u.banned
                            ? ([
                                ['Ban reason', u.banReason ?? '—'],
                                ['Until', u.banExpires ? formatDate(u.banExpires) : 'forever'],
                              ] as [string, string][])
                            : []),
                        ]}
                      />
                    </div>
                  </div>
                  {!isMe && (
                    <div className="flex items-center gap-2">
                      {/* Other platform admins cannot be impersonated (the API answers 403). */}
                      {!u.banned && u.role !== 'admin' && (
                        <Button variant="secondary" size="sm" onClick={() => setAction({ kind: 'impersonate', user: u })}>
                          Impersonate
                        </Button>
                      )}
                      {u.banned ? (
                        <Button
                          variant="secondary"
                          size="sm"
                          loading={unban.isPending && unban.variables?.id === u.id}
                          onClick={() => unban.mutate(u)}
                        >
                          Unban
                        </Button>
                      ) : (
                        <Button variant="danger-ghost" size="sm" onClick={() => setAction({ kind: 'ban', user: u })}>
                          Ban
                        </Button>
                      )}
                    </div>
                  )}
                </ListRow>
              );
            }),
          )}
        </ListCard>
      )}
      {users.data && <LoadMore query={users} />}
      <ReasonDialog
        open={action?.kind === 'ban'}
        onOpenChange={(o) => {
          if (!o) {
            setAction(null);
            ban.reset();
          }
        }}
        title={`Ban ${action?.user.email ?? ''}?`}
        description="They are signed out everywhere and cannot sign in until unbanned."
        confirmLabel="Ban user"
        danger
        pending={ban.isPending}
        error={ban.error}
        onConfirm={(reason) => action && ban.mutate({ user: action.user, reason })}
      >
        <Field label="Duration">
          {({ id }) => (
            <Select id={id} value={banDays} onChange={(e) => setBanDays(e.target.value)}>
              <option value="">Until unbanned</option>
              <option value="1">1 day</option>
              <option value="7">7 days</option>
              <option value="30">30 days</option>
            </Select>
          )}
        </Field>
      </ReasonDialog>
      <ReasonDialog
        open={action?.kind === 'impersonate'}
        onOpenChange={(o) => {
          if (!o) {
            setAction(null);
            impersonate.reset();
          }
        }}
        title={`Impersonate ${action?.user.email ?? ''}?`}
        description="For one hour you see Atrium as they do. It is recorded in the platform log and in the audit log of each of their workspaces."
        confirmLabel="Start impersonating"
        pending={impersonate.isPending}
        error={impersonate.error}
        onConfirm={(reason) => action && impersonate.mutate({ user: action.user, reason })}
      />
    </section>
  );
}
