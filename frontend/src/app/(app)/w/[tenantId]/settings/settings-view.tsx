'use client';

import * as Tabs from '@radix-ui/react-tabs';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { PageBody, PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { LogOutIcon } from '@/components/ui/icons';
import { ErrorState, FormError, Loading } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { useWorkspace } from '@/components/workspace-context';
import { ApiError, api, call } from '@/lib/api/client';
import { authClient, authErrorMessage } from '@/lib/auth-client';
import { formatDateTime, formatRelative } from '@/lib/format';
import { keys, useTenant } from '@/lib/queries';
import { useSignOut } from '@/lib/use-sign-out';

/** Better Auth answers { data, error }; this turns an error into a thrown Error with its message. */
async function auth<T>(
  p: Promise<{ data: T | null; error: { message?: string; status?: number; statusText?: string } | null }>,
): Promise<T> {
  const { data, error } = await p;
  if (error) throw new Error(authErrorMessage(error));
  return data as T;
}

const tabClass =
  'rounded-md px-3 py-1.5 text-sm font-medium text-muted whitespace-nowrap data-[state=active]:bg-surface-2 data-[state=active]:text-foreground';

export function SettingsView() {
  const { can } = useWorkspace();
  const { signOut, pending } = useSignOut();
  return (
    <PageBody>
      <PageHeader
        title="Settings"
        description="Your account, its security, and this workspace."
        actions={
          <Button variant="secondary" onClick={signOut} loading={pending}>
            {!pending && <LogOutIcon className="size-4" />} Sign out
          </Button>
        }
      />
      <Tabs.Root defaultValue="profile">
        <Tabs.List
          aria-label="Settings sections"
          className="inline-flex max-w-full overflow-x-auto rounded-lg border border-border bg-surface p-0.5"
        >
          <Tabs.Trigger value="profile" className={tabClass}>
            Profile
          </Tabs.Trigger>
          <Tabs.Trigger value="security" className={tabClass}>
            Security
          </Tabs.Trigger>
          <Tabs.Trigger value="workspace" className={tabClass}>
            Workspace
          </Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="profile" className="mt-6 outline-none">
          <ProfileSection />
        </Tabs.Content>
        <Tabs.Content value="security" className="mt-6 flex flex-col gap-6 outline-none">
          <PasswordSection />
          <TwoFactorSection />
          <SessionsSection />
        </Tabs.Content>
        <Tabs.Content value="workspace" className="mt-6 outline-none">
          <WorkspaceSection editable={can('tenant:update')} />
        </Tabs.Content>
      </Tabs.Root>
    </PageBody>
  );
}

function Card({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  const id = `card-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section aria-labelledby={id} className="rounded-xl border border-border bg-surface p-5 sm:p-6">
      <h2 id={id} className="text-base font-semibold">
        {title}
      </h2>
      {description && <p className="mt-1 text-sm text-muted">{description}</p>}
      <div className="mt-5">{children}</div>
    </section>
  );
}

function ProfileSection() {
  const { user } = useWorkspace();
  const queryClient = useQueryClient();
  const [name, setName] = useState(user.name);
  const save = useMutation({
    mutationFn: () => auth(authClient.updateUser({ name: name.trim() })),
    onSuccess: () => {
      toast.success('Profile saved');
      queryClient.invalidateQueries({ queryKey: keys.me });
      queryClient.invalidateQueries({ queryKey: ['tenant'] });
    },
  });
  return (
    <Card title="Profile" description="How your teammates see you.">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
        className="flex max-w-md flex-col gap-4"
      >
        <FormError error={save.error} />
        <Field label="Name">
          {({ id }) => (
            <Input id={id} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoComplete="name" />
          )}
        </Field>
        <Field label="Email" hint={user.emailVerified ? 'Confirmed.' : 'Not confirmed yet: check your inbox.'}>
          {({ id, describedBy }) => <Input id={id} value={user.email} readOnly aria-describedby={describedBy} className="bg-surface-2" />}
        </Field>
        <Button type="submit" className="self-start" loading={save.isPending} disabled={!name.trim() || name.trim() === user.name}>
          Save profile
        </Button>
      </form>
    </Card>
  );
}

function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [revokeOthers, setRevokeOthers] = useState(true);
  const change = useMutation({
    mutationFn: () => {
      if (next.length < 10) throw new Error('The new password needs at least 10 characters.');
      return auth(authClient.changePassword({ currentPassword: current, newPassword: next, revokeOtherSessions: revokeOthers }));
    },
    onSuccess: () => {
      toast.success('Password changed', revokeOthers ? 'Your other sessions were signed out.' : undefined);
      setCurrent('');
      setNext('');
    },
  });
  return (
    <Card title="Password">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate();
        }}
        className="flex max-w-md flex-col gap-4"
      >
        <FormError error={change.error} />
        <Field label="Current password">
          {({ id }) => (
            <Input
              id={id}
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label="New password" hint="At least 10 characters.">
          {({ id, describedBy }) => (
            <Input
              id={id}
              aria-describedby={describedBy}
              type="password"
              autoComplete="new-password"
              value={next}
              onChange={(e) => setNext(e.target.value)}
              required
              minLength={10}
              maxLength={128}
            />
          )}
        </Field>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={revokeOthers}
            onChange={(e) => setRevokeOthers(e.target.checked)}
            className="size-4 accent-[var(--accent)]"
          />
          Sign out my other sessions
        </label>
        <Button type="submit" className="self-start" loading={change.isPending} disabled={!current || !next}>
          Change password
        </Button>
      </form>
    </Card>
  );
}

function TwoFactorSection() {
  const session = authClient.useSession();
  const [password, setPassword] = useState('');
  const [enrolment, setEnrolment] = useState<{ totpURI: string; backupCodes: string[] } | null>(null);
  const [code, setCode] = useState('');
  const [disabling, setDisabling] = useState(false);
  const enabled = !!(session.data?.user as { twoFactorEnabled?: boolean | null } | undefined)?.twoFactorEnabled;

  const start = useMutation({
    mutationFn: () => auth(authClient.twoFactor.enable({ password })),
    onSuccess: (data) => {
      if (!('totpURI' in data)) throw new Error('The server did not return an authenticator key');
      setEnrolment({ totpURI: data.totpURI, backupCodes: data.backupCodes });
      setPassword('');
    },
  });
  const verify = useMutation({
    mutationFn: () => auth(authClient.twoFactor.verifyTotp({ code: code.replace(/\s+/g, '') })),
    onSuccess: async () => {
      toast.success('Two-factor authentication is on');
      setEnrolment(null);
      setCode('');
      await session.refetch();
    },
  });
  const disable = useMutation({
    mutationFn: () => auth(authClient.twoFactor.disable({ password })),
    onSuccess: async () => {
      toast.success('Two-factor authentication is off');
      setPassword('');
      setDisabling(false);
      await session.refetch();
    },
  });

  if (session.isPending)
    return (
      <Card title="Two-factor authentication">
        <Loading />
      </Card>
    );

  return (
    <Card
      title="Two-factor authentication"
      description="Ask for a code from an authenticator app (such as 1Password, Google Authenticator or Aegis) whenever you sign in."
    >
      {enrolment ? (
        <div className="flex flex-col gap-5">
          <ol className="flex list-decimal flex-col gap-4 pl-5 text-sm">
            <li>
              <p>Add this key to your authenticator app (paste the link, or type the secret):</p>
              <code
                className="mt-2 block rounded-lg border border-border bg-surface-2 p-3 font-mono text-xs break-all select-all"
                data-testid="totp-uri"
              >
                {enrolment.totpURI}
              </code>
              <p className="mt-2 text-xs text-muted">
                Secret: <code className="font-mono select-all">{new URL(enrolment.totpURI).searchParams.get('secret')}</code>
              </p>
            </li>
            <li>
              <p>
                Save these backup codes somewhere safe. Each works once if you lose your device. <strong>They are shown only now.</strong>
              </p>
              <ul
                className="mt-2 grid grid-cols-2 gap-1.5 rounded-lg border border-border bg-surface-2 p-3 font-mono text-xs sm:grid-cols-3"
                data-testid="backup-codes"
              >
                {enrolment.backupCodes.map((c) => (
                  <li key={c} className="select-all">
                    {c}
                  </li>
                ))}
              </ul>
              <Button
                variant="ghost"
                size="sm"
                className="mt-2"
                onClick={() =>
                  navigator.clipboard?.writeText(enrolment.backupCodes.join('\n')).then(() => toast.success('Backup codes copied'))
                }
              >
                Copy codes
              </Button>
            </li>
            <li>
              <p>Enter the 6-digit code the app shows to finish.</p>
            </li>
          </ol>
          <form
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              verify.mutate();
            }}
            className="flex max-w-md flex-col gap-3"
          >
            <FormError error={verify.error} />
            <Field label="Authentication code">
              {({ id }) => (
                <Input
                  id={id}
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={7}
                  className="font-mono tracking-widest"
                  required
                />
              )}
            </Field>
            <div className="flex gap-2">
              <Button type="submit" loading={verify.isPending} disabled={!code.trim()}>
                Turn on
              </Button>
              <Button variant="ghost" onClick={() => setEnrolment(null)}>
                Cancel
              </Button>
            </div>
          </form>
        </div>
      ) : enabled ? (
        <div className="flex flex-col gap-4">
          <p className="flex items-center gap-2 text-sm">
            <Badge tone="success">On</Badge> Your account asks for a code at sign-in.
          </p>
          {disabling ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                disable.mutate();
              }}
              className="flex max-w-md flex-col gap-3"
            >
              <FormError error={disable.error} />
              <Field label="Confirm with your password">
                {({ id }) => (
                  <Input
                    id={id}
                    type="password"
                    autoComplete="current-password"
                    value={password}
                    onChange={(e) => setPassword(e.target.value)}
                    required
                  />
                )}
              </Field>
              <div className="flex gap-2">
                <Button type="submit" variant="danger" loading={disable.isPending} disabled={!password}>
                  Turn off two-factor
                </Button>
                <Button variant="ghost" onClick={() => setDisabling(false)}>
                  Cancel
                </Button>
              </div>
            </form>
          ) : (
            <Button variant="secondary" className="self-start" onClick={() => setDisabling(true)}>
              Turn off…
            </Button>
          )}
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            start.mutate();
          }}
          className="flex max-w-md flex-col gap-3"
        >
          <p className="flex items-center gap-2 text-sm">
            <Badge>Off</Badge> Only your password protects your account.
          </p>
          <FormError error={start.error} />
          <Field label="Confirm with your password">
            {({ id }) => (
              <Input
                id={id}
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                required
              />
            )}
          </Field>
          <Button type="submit" className="self-start" loading={start.isPending} disabled={!password}>
            Set up two-factor
          </Button>
        </form>
      )}
    </Card>
  );
}

function describeAgent(ua: string | null | undefined): string {
  if (!ua) return 'Unknown device';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Mac OS X/.test(ua)
      ? 'macOS'
      : /Android/.test(ua)
        ? 'Android'
        : /iPhone|iPad/.test(ua)
          ? 'iOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return os ? `${browser} on ${os}` : browser;
}

function SessionsSection() {
  const session = authClient.useSession();
  const sessions = useQuery({ queryKey: ['auth', 'sessions'], queryFn: () => auth(authClient.listSessions()) });
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (token: string) => auth(authClient.revokeSession({ token })),
    onSuccess: () => {
      toast.success('Session signed out');
      queryClient.invalidateQueries({ queryKey: ['auth', 'sessions'] });
    },
    onError: (err) => toast.error('Could not sign out that session', err),
  });
  const revokeOthers = useMutation({
    mutationFn: () => auth(authClient.revokeOtherSessions()),
    onSuccess: () => {
      toast.success('Other sessions signed out');
      queryClient.invalidateQueries({ queryKey: ['auth', 'sessions'] });
    },
    onError: (err) => toast.error('Could not sign out the other sessions', err),
  });
  const currentToken = session.data?.session.token;
  const list = sessions.data ?? [];

  return (
    <Card title="Sessions" description="Browsers and devices signed in to your account.">
      {sessions.isPending ? (
        <Loading label="Loading sessions…" />
      ) : sessions.error ? (
        <ErrorState title="Could not load sessions" error={sessions.error} onRetry={() => sessions.refetch()} />
      ) : (
        <div className="flex flex-col gap-4">
          <ul className="divide-y divide-border rounded-lg border border-border">
            {list.map((s) => {
              const current = s.token === currentToken;
              return (
                <li key={s.id} className="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center">
                  <div className="min-w-0 flex-1 text-sm">
                    <p className="font-medium">
                      {describeAgent(s.userAgent)} {current && <Badge tone="success">This device</Badge>}
                    </p>
                    <p className="text-xs text-muted">
                      {s.ipAddress ? `${s.ipAddress} · ` : ''}signed in {formatRelative(new Date(s.createdAt).toISOString())} · expires{' '}
                      {formatDateTime(new Date(s.expiresAt).toISOString())}
                    </p>
                  </div>
                  {!current && (
                    <Button
                      variant="danger-ghost"
                      size="sm"
                      loading={revoke.isPending && revoke.variables === s.token}
                      onClick={() => revoke.mutate(s.token)}
                    >
                      Sign out
                    </Button>
                  )}
                </li>
              );
            })}
          </ul>
          {list.length > 1 && (
            <Button variant="secondary" className="self-start" loading={revokeOthers.isPending} onClick={() => revokeOthers.mutate()}>
              Sign out all other sessions
            </Button>
          )}
        </div>
      )}
    </Card>
  );
}

function WorkspaceSection({ editable }: { editable: boolean }) {
  const { tenantId } = useWorkspace();
  const tenant = useTenant(tenantId);
  const queryClient = useQueryClient();
  const [name, setName] = useState<string | null>(null);
  const [slug, setSlug] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: async () =>
      (
        await call(
          api.PATCH('/api/v1/tenants/{tenantId}', {
            params: { path: { tenantId } },
            body: {
              ...(name !== null && name.trim() !== tenant.data?.name ? { name: name.trim() } : {}),
              ...(slug !== null && slug !== tenant.data?.slug ? { slug } : {}),
            },
          }),
        )
      ).data,
    onSuccess: (t) => {
      toast.success('Workspace saved', t.name);
      setName(null);
      setSlug(null);
      queryClient.setQueryData(keys.tenant(tenantId), t);
      queryClient.invalidateQueries({ queryKey: keys.me });
    },
  });
  if (tenant.isPending) return <Loading />;
  if (tenant.error) return <ErrorState title="Could not load the workspace" error={tenant.error} onRetry={() => tenant.refetch()} />;
  const fieldErrors = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const currentName = name ?? tenant.data.name;
  const currentSlug = slug ?? tenant.data.slug;
  const dirty = currentName.trim() !== tenant.data.name || currentSlug !== tenant.data.slug;
  return (
    <Card
      title="Workspace"
      description={editable ? 'Rename this workspace or change its URL name.' : 'Only admins and owners can change these.'}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
        className="flex max-w-md flex-col gap-4"
      >
        <FormError error={save.error && !Object.keys(fieldErrors).length ? save.error : null} />
        <Field label="Name" error={fieldErrors.name}>
          {({ id }) => (
            <Input id={id} value={currentName} onChange={(e) => setName(e.target.value)} readOnly={!editable} required maxLength={100} />
          )}
        </Field>
        <Field label="URL name" error={fieldErrors.slug}>
          {({ id }) => (
            <Input
              id={id}
              value={currentSlug}
              onChange={(e) => setSlug(e.target.value.toLowerCase())}
              readOnly={!editable}
              required
              maxLength={48}
            />
          )}
        </Field>
        <dl className="grid grid-cols-2 gap-2 text-sm">
          <dt className="text-muted">Plan</dt>
          <dd className="capitalize">{tenant.data.plan}</dd>
          <dt className="text-muted">Created</dt>
          <dd>{formatDateTime(tenant.data.createdAt)}</dd>
          <dt className="text-muted">ID</dt>
          <dd className="font-mono text-xs select-all">{tenant.data.id}</dd>
        </dl>
        {editable && (
          <Button type="submit" className="self-start" loading={save.isPending} disabled={!dirty || !currentName.trim()}>
            Save workspace
          </Button>
        )}
      </form>
    </Card>
  );
}
