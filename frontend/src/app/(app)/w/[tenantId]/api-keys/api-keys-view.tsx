'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { NoAccess, UpgradeNotice } from '@/components/access-notice';
import { CheckboxGroup } from '@/components/checkbox-group';
import { ListCard, ListRow, Meta } from '@/components/list-card';
import { PageBody, PageHeader } from '@/components/page-header';
import { SecretRevealDialog } from '@/components/secret-reveal';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog, DialogContent, DialogRoot } from '@/components/ui/dialog';
import { Field, Input } from '@/components/ui/field';
import { KeyIcon, PlusIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, FormError, SkeletonRows } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { useWorkspace } from '@/components/workspace-context';
import { ApiError, api, call } from '@/lib/api/client';
import type { paths } from '@/lib/api/schema';
import { formatDate, formatDateTime, formatRelative } from '@/lib/format';
import { type ApiKey, platformKeys, useApiKeys, usePlanFeature } from '@/lib/platform-queries';

type CreateBody = NonNullable<paths['/api/v1/tenants/{tenantId}/api-keys']['post']['requestBody']>['content']['application/json'];
type Scope = CreateBody['scopes'][number];

const SCOPES: { value: Scope; label: string; description: string }[] = [
  { value: 'projects:read', label: 'Read projects', description: 'List and read projects' },
  { value: 'projects:write', label: 'Write projects', description: 'Create, change and archive projects' },
  { value: 'tasks:read', label: 'Read tasks', description: 'List and read tasks' },
  { value: 'tasks:write', label: 'Write tasks', description: 'Create, change and delete tasks' },
  { value: 'comments:write', label: 'Write comments', description: 'Comment on tasks' },
  { value: 'audit:read', label: 'Read the audit log', description: 'List audit entries' },
];

export function ApiKeysView() {
  const { tenantId, can, tenantName } = useWorkspace();
  const allowed = can('apikey:manage');
  const plan = usePlanFeature(tenantId, 'api_keys');
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);

  if (!allowed) {
    return (
      <PageBody>
        <PageHeader title="API keys" />
        <NoAccess>Only owners and admins of {tenantName} manage API keys.</NoAccess>
      </PageBody>
    );
  }
  const planAllows = plan.enabled !== false;
  return (
    <PageBody>
      <PageHeader
        title="API keys"
        description={`Programmatic access to ${tenantName}. Send a key as X-API-Key or Authorization: Bearer.`}
        actions={
          planAllows && (
            <Button onClick={() => setCreating(true)}>
              <PlusIcon className="size-4" /> Create API key
            </Button>
          )
        }
      />
      {!planAllows && <UpgradeNotice feature="API keys" billingHref={`/w/${tenantId}/billing`} canUpgrade={can('billing:manage')} />}
      <KeyList onCreate={planAllows ? () => setCreating(true) : undefined} />
      <CreateKeyDialog
        open={creating}
        onOpenChange={setCreating}
        onCreated={(s) => {
          setCreating(false);
          setSecret(s);
        }}
      />
      <SecretRevealDialog
        secret={secret}
        title="Your new API key"
        label="API key"
        usage="Send it as the X-API-Key header, or as Authorization: Bearer <key>."
        onDone={() => setSecret(null)}
      />
    </PageBody>
  );
}

function keyState(k: ApiKey): { label: string; tone: 'success' | 'neutral' | 'danger' } {
  if (k.revokedAt) return { label: 'Revoked', tone: 'danger' };
  if (k.expiresAt && new Date(k.expiresAt).getTime() < Date.now()) return { label: 'Expired', tone: 'neutral' };
  return { label: 'Active', tone: 'success' };
}

function KeyList({ onCreate }: { onCreate?: () => void }) {
  const { tenantId } = useWorkspace();
  const keys = useApiKeys(tenantId);
  const queryClient = useQueryClient();
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const revoke = useMutation({
    mutationFn: async (key: ApiKey) =>
      call(api.DELETE('/api/v1/tenants/{tenantId}/api-keys/{keyId}', { params: { path: { tenantId, keyId: key.id } } })),
    onSuccess: (_d, key) => {
      setRevoking(null);
      toast.success('API key revoked', `${key.name} stops working on its next request.`);
      queryClient.invalidateQueries({ queryKey: platformKeys.apiKeys(tenantId) });
    },
    onError: (err) => toast.error('Could not revoke the API key', err),
  });

  if (keys.isPending) return <SkeletonRows rows={3} label="Loading API keys" />;
  if (keys.error) return <ErrorState title="Could not load API keys" error={keys.error} onRetry={() => keys.refetch()} />;
  if (keys.data.length === 0) {
    return (
      <EmptyState
        icon={<KeyIcon />}
        title="No API keys yet"
        action={
          onCreate && (
            <Button variant="secondary" onClick={onCreate}>
              Create your first key
            </Button>
          )
        }
      >
        Keys let scripts and integrations use the API on behalf of this workspace, limited to the scopes you choose.
      </EmptyState>
    );
  }
  return (
    <section aria-labelledby="keys-h" className="flex flex-col gap-3">
      <h2 id="keys-h" className="text-base font-semibold">
        Keys <span className="text-sm font-normal text-muted">({keys.data.length})</span>
      </h2>
      <ListCard>
        {keys.data.map((k) => {
          const state = keyState(k);
          return (
            <ListRow key={k.id} testId="api-key-row">
              <div className="min-w-0 flex-1">
                <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                  <span className="truncate">{k.name}</span>
                  <code className="rounded bg-surface-2 px-1.5 py-0.5 font-mono text-xs">{k.prefix}…</code>
                  <Badge tone={state.tone}>{state.label}</Badge>
                </p>
                <div className="mt-1.5 flex flex-wrap gap-1">
                  {k.scopes.map((s) => (
                    <Badge key={s} className="font-mono">
                      {s}
                    </Badge>
                  ))}
                </div>
                <Meta
                  items={[
                    [
                      'Created',
                      <time key="c" dateTime={k.createdAt} title={formatDateTime(k.createdAt)}>
                        {formatRelative(k.createdAt)}
                      </time>,
                    ],
                    ['Last used', k.lastUsedAt ? formatRelative(k.lastUsedAt) : 'never'],
                    ['Expires', k.expiresAt ? formatDate(k.expiresAt) : 'never'],
                  ]}
                />
              </div>
              {!k.revokedAt && (
                <Button variant="danger-ghost" size="sm" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                  Revoke
                </Button>
              )}
            </ListRow>
          );
        })}
      </ListCard>
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(o) => !o && setRevoking(null)}
        title={`Revoke ${revoking?.name ?? 'this key'}?`}
        description="Anything using this key stops working immediately. This cannot be undone."
        confirmLabel="Revoke key"
        pending={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking)}
      />
    </section>
  );
}

const EXPIRY = [
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: 0, label: 'Never' },
];

function CreateKeyDialog({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (secret: string) => void;
}) {
  const { tenantId } = useWorkspace();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['tasks:read', 'projects:read']);
  const [expiresInDays, setExpiresInDays] = useState(90);
  const create = useMutation({
    mutationFn: async () => {
      const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000).toISOString() : null;
      return (
        await call(
          api.POST('/api/v1/tenants/{tenantId}/api-keys', {
            params: { path: { tenantId } },
            body: { name: name.trim(), scopes, expiresAt },
          }),
        )
      ).data;
    },
    onSuccess: (key) => {
      queryClient.invalidateQueries({ queryKey: platformKeys.apiKeys(tenantId) });
      setName('');
      create.reset();
      onCreated(key.secret);
    },
  });
  const fieldErrors = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <DialogRoot open={open} onOpenChange={onOpenChange}>
      <DialogContent title="Create an API key" description="Give it only the scopes it needs.">
        <form onSubmit={onSubmit} className="flex flex-col gap-4">
          <Field label="Name" hint="Where it is used, e.g. “CI deploy script”" error={fieldErrors.name}>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={name}
                maxLength={100}
                onChange={(e) => setName(e.target.value)}
                required
              />
            )}
          </Field>
          <CheckboxGroup legend="Scopes" options={SCOPES} value={scopes} onChange={setScopes} error={fieldErrors.scopes} />
          <fieldset className="flex flex-col gap-1.5">
            <legend className="text-sm font-medium">Expires after</legend>
            <div className="mt-1 flex flex-wrap gap-2">
              {EXPIRY.map((o) => (
                <label
                  key={o.days}
                  className="flex cursor-pointer items-center gap-2 rounded-lg border border-border px-3 py-1.5 text-sm has-[:checked]:border-accent has-[:checked]:bg-accent-soft"
                >
                  <input
                    type="radio"
                    name="expiry"
                    className="accent-[var(--accent)]"
                    checked={expiresInDays === o.days}
                    onChange={() => setExpiresInDays(o.days)}
                  />
                  {o.label}
                </label>
              ))}
            </div>
          </fieldset>
          {create.error && !Object.keys(fieldErrors).length && <FormError error={create.error} />}
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <Button variant="secondary" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name.trim() || scopes.length === 0}>
              Create key
            </Button>
          </div>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}
