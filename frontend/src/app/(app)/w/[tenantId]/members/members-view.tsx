'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { PageBody, PageHeader } from '@/components/page-header';
import { Avatar } from '@/components/ui/avatar';
import { Badge, RoleBadge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { Field, Input, Select } from '@/components/ui/field';
import { MailIcon, UsersIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, FormError, SkeletonRows } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { useWorkspace } from '@/components/workspace-context';
import { ApiError, api, call, type Member, type Role } from '@/lib/api/client';
import { formatDateTime, formatRelative, ROLE_LABEL } from '@/lib/format';
import { canAssignRole, ROLE_DESCRIPTIONS, ROLES } from '@/lib/permissions';
import { keys, useInvitations, useMembers } from '@/lib/queries';

export function MembersView() {
  const { tenantId, can, tenantName } = useWorkspace();
  if (!can('member:read')) {
    return (
      <PageBody>
        <PageHeader title="Members" />
        <EmptyState title="Not available for your role">Guests cannot see the member list of {tenantName}.</EmptyState>
      </PageBody>
    );
  }
  return (
    <PageBody>
      <PageHeader title="Members" description={`People in ${tenantName} and what they can do.`} />
      {can('member:invite') && <InviteForm tenantId={tenantId} />}
      <MemberTable />
      {can('member:invite') && <PendingInvitations tenantId={tenantId} />}
    </PageBody>
  );
}

function MemberTable() {
  const workspace = useWorkspace();
  const { tenantId, user } = workspace;
  const members = useMembers(tenantId);
  const queryClient = useQueryClient();
  const router = useRouter();
  const [removing, setRemoving] = useState<Member | null>(null);

  const changeRole = useMutation({
    mutationFn: async ({ member, role }: { member: Member; role: Role }) =>
      (
        await call(
          api.PATCH('/api/v1/tenants/{tenantId}/members/{memberId}', {
            params: { path: { tenantId, memberId: member.id } },
            body: { role },
          }),
        )
      ).data,
    onSuccess: (m) => {
      toast.success('Role changed', `${m.name} is now ${ROLE_LABEL[m.role].toLowerCase()}.`);
      queryClient.invalidateQueries({ queryKey: keys.members(tenantId) });
      if (m.userId === user.id) queryClient.invalidateQueries({ queryKey: keys.me });
    },
    onError: (err) => {
      toast.error('Could not change the role', err);
      queryClient.invalidateQueries({ queryKey: keys.members(tenantId) });
    },
  });

  const remove = useMutation({
    mutationFn: async (member: Member) =>
      call(api.DELETE('/api/v1/tenants/{tenantId}/members/{memberId}', { params: { path: { tenantId, memberId: member.id } } })),
    onSuccess: async (_d, member) => {
      setRemoving(null);
      if (member.userId === user.id) {
        toast.success('You left the workspace');
        await queryClient.invalidateQueries({ queryKey: keys.me });
        router.push('/w');
        return;
      }
      toast.success('Member removed', member.name);
      queryClient.invalidateQueries({ queryKey: keys.members(tenantId) });
    },
    onError: (err) => toast.error('Could not remove the member', err),
  });

  if (members.isPending) return <SkeletonRows rows={4} label="Loading members" />;
  if (members.error) return <ErrorState title="Could not load members" error={members.error} onRetry={() => members.refetch()} />;

  const leaving = removing?.userId === user.id;
  // The last owner cannot leave (the API refuses); they hand ownership over first.
  const owners = members.data.filter((m) => m.role === 'owner').length;

  return (
    <section aria-labelledby="members-h" className="flex flex-col gap-3">
      <h2 id="members-h" className="text-base font-semibold">
        Members <span className="text-sm font-normal text-muted">({members.data.length})</span>
      </h2>
      <ul className="divide-y divide-border overflow-hidden rounded-xl border border-border bg-surface">
        {members.data.map((m) => {
          const isMe = m.userId === user.id;
          const manageable = !isMe && canAssignRole(workspace, m.role);
          const assignable = ROLES.filter((r) => canAssignRole(workspace, r));
          return (
            <li key={m.id} className="flex flex-col gap-3 px-4 py-3 sm:flex-row sm:items-center">
              <div className="flex min-w-0 flex-1 items-center gap-3">
                <Avatar name={m.name} seed={m.userId} />
                <div className="min-w-0">
                  <p className="truncate text-sm font-medium">
                    {m.name} {isMe && <Badge className="ml-1">You</Badge>}
                  </p>
                  <p className="truncate text-xs text-muted">
                    {m.email} · joined{' '}
                    <time dateTime={m.joinedAt} title={formatDateTime(m.joinedAt)}>
                      {formatRelative(m.joinedAt)}
                    </time>
                  </p>
                </div>
              </div>
              <div className="flex items-center gap-2">
                {manageable ? (
                  <>
                    <label htmlFor={`role-${m.id}`} className="sr-only">
                      Role of {m.name}
                    </label>
                    <Select
                      id={`role-${m.id}`}
                      value={m.role}
                      className="h-9 w-32"
                      disabled={changeRole.isPending && changeRole.variables?.member.id === m.id}
                      onChange={(e) => changeRole.mutate({ member: m, role: e.target.value as Role })}
                    >
                      {assignable.map((r) => (
                        <option key={r} value={r}>
                          {ROLE_LABEL[r]}
                        </option>
                      ))}
                    </Select>
                    <Button variant="danger-ghost" size="sm" onClick={() => setRemoving(m)}>
                      Remove
                    </Button>
                  </>
                ) : (
                  <>
                    <RoleBadge role={m.role} />
                    {isMe && !(m.role === 'owner' && owners === 1) && (
                      <Button variant="ghost" size="sm" onClick={() => setRemoving(m)}>
                        Leave
                      </Button>
                    )}
                  </>
                )}
              </div>
            </li>
          );
        })}
      </ul>
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(o) => !o && setRemoving(null)}
        title={leaving ? 'Leave this workspace?' : `Remove ${removing?.name ?? ''}?`}
        description={
          leaving
            ? 'You will lose access to its projects and tasks. Someone will have to invite you again.'
            : `${removing?.name ?? 'They'} will lose access to this workspace. Their tasks stay.`
        }
        confirmLabel={leaving ? 'Leave workspace' : 'Remove member'}
        pending={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
      />
    </section>
  );
}

function InviteForm({ tenantId }: { tenantId: string }) {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const assignable = ROLES.filter((r) => canAssignRole(workspace, r));
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>(assignable.includes('member') ? 'member' : (assignable.at(-1) ?? 'viewer'));
  const invite = useMutation({
    mutationFn: async () =>
      (
        await call(
          api.POST('/api/v1/tenants/{tenantId}/invitations', { params: { path: { tenantId } }, body: { email: email.trim(), role } }),
        )
      ).data,
    onSuccess: (inv) => {
      toast.success('Invitation sent', `${inv.email} is invited as ${ROLE_LABEL[inv.role].toLowerCase()}.`);
      setEmail('');
      queryClient.invalidateQueries({ queryKey: keys.invitations(tenantId) });
    },
  });
  const fieldErrors = invite.error instanceof ApiError ? invite.error.fieldErrors() : {};
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    invite.mutate();
  }
  return (
    <section aria-labelledby="invite-h" className="rounded-xl border border-border bg-surface p-4 sm:p-5">
      <h2 id="invite-h" className="flex items-center gap-2 text-base font-semibold">
        <MailIcon className="size-4 text-muted" /> Invite someone
      </h2>
      <form onSubmit={onSubmit} className="mt-3 flex flex-col gap-3 md:flex-row md:items-start">
        <Field label="Email" error={fieldErrors.email} className="flex-1">
          {({ id, describedBy, invalid }) => (
            <Input
              id={id}
              type="email"
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              placeholder="teammate@company.com"
              required
            />
          )}
        </Field>
        <Field label="Role" hint={ROLE_DESCRIPTIONS[role]} className="md:w-56">
          {({ id, describedBy }) => (
            <Select id={id} aria-describedby={describedBy} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {assignable.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Button type="submit" loading={invite.isPending} disabled={!email.trim()} className="md:mt-[1.625rem]">
          Send invitation
        </Button>
      </form>
      {invite.error && !Object.keys(fieldErrors).length && (
        <div className="mt-3">
          <FormError error={invite.error} />
        </div>
      )}
    </section>
  );
}

function PendingInvitations({ tenantId }: { tenantId: string }) {
  const workspace = useWorkspace();
  const invitations = useInvitations(tenantId);
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: async (invitationId: string) =>
      call(api.DELETE('/api/v1/tenants/{tenantId}/invitations/{invitationId}', { params: { path: { tenantId, invitationId } } })),
    onSuccess: (res) => {
      toast.success('Invitation revoked', res.data.email);
      queryClient.invalidateQueries({ queryKey: keys.invitations(tenantId) });
    },
    onError: (err) => toast.error('Could not revoke the invitation', err),
  });
  const pending = (invitations.data ?? []).filter((i) => i.status === 'pending');

  return (
    <section aria-labelledby="inv-h" className="flex flex-col gap-3">
      <h2 id="inv-h" className="text-base font-semibold">
        Pending invitations {invitations.data && <span className="text-sm font-normal text-muted">({pending.length})</span>}
      </h2>
      {invitations.isPending ? (
        <SkeletonRows rows={2} label="Loading invitations" />
      ) : invitations.error ? (
        <ErrorState title="Could not load invitations" error={invitations.error} onRetry={() => invitations.refetch()} />
      ) : pending.length === 0 ? (
        <EmptyState icon={<UsersIcon />} title="No pending invitations" className="py-8">
          Invitations you send appear here until they are accepted.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-border overflow-hidden rounded-xl border border-border bg-surface">
          {pending.map((inv) => (
            <li key={inv.id} className="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center">
              <div className="min-w-0 flex-1">
                <p className="truncate text-sm font-medium">{inv.email}</p>
                <p className="text-xs text-muted">
                  Invited {formatRelative(inv.createdAt)} · expires {formatDateTime(inv.expiresAt)}
                </p>
              </div>
              <div className="flex items-center gap-2">
                <RoleBadge role={inv.role} />
                {canAssignRole(workspace, inv.role) && (
                  <Button
                    variant="danger-ghost"
                    size="sm"
                    loading={revoke.isPending && revoke.variables === inv.id}
                    onClick={() => revoke.mutate(inv.id)}
                    aria-label={`Revoke the invitation of ${inv.email}`}
                  >
                    Revoke
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
