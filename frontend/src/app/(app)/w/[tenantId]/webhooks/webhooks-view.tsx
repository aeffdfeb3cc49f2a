'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { NoAccess, UpgradeNotice } from '@/components/access-notice';
import { ListCard, ListRow, Meta } from '@/components/list-card';
import { PageBody, PageHeader } from '@/components/page-header';
import { SecretRevealDialog } from '@/components/secret-reveal';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { PlusIcon, WebhookIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { useWorkspace } from '@/components/workspace-context';
import { api, call } from '@/lib/api/client';
import { formatDateTime, formatRelative } from '@/lib/format';
import { platformKeys, usePlanFeature, useWebhooks, type Webhook } from '@/lib/platform-queries';
import { CreateWebhookDialog } from './create-webhook-dialog';
import { DeliveryList } from './delivery-list';

export function WebhooksView() {
  const { tenantId, can, tenantName } = useWorkspace();
  const plan = usePlanFeature(tenantId, 'webhooks');
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);

  if (!can('webhook:manage')) {
    return (
      <PageBody>
        <PageHeader title="Webhooks" />
        <NoAccess>Only owners and admins of {tenantName} manage webhooks.</NoAccess>
      </PageBody>
    );
  }
  const planAllows = plan.enabled !== false;
  return (
    <PageBody>
      <PageHeader
        title="Webhooks"
        description="Atrium POSTs signed JSON to your endpoints when things change in this workspace."
        actions={
          planAllows && (
            <Button onClick={() => setCreating(true)}>
              <PlusIcon className="size-4" /> Add endpoint
            </Button>
          )
        }
      />
      {!planAllows && <UpgradeNotice feature="Webhooks" billingHref={`/w/${tenantId}/billing`} canUpgrade={can('billing:manage')} />}
      <WebhookList onCreate={planAllows ? () => setCreating(true) : undefined} />
      <CreateWebhookDialog
        open={creating}
        onOpenChange={setCreating}
        onCreated={(s) => {
          setCreating(false);
          setSecret(s);
        }}
      />
      <SecretRevealDialog
        secret={secret}
        title="Your webhook signing secret"
        label="Signing secret"
        usage="Verify the Atrium-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256 of “<t>.<raw body>” with this secret>."
        onDone={() => setSecret(null)}
      />
    </PageBody>
  );
}

function WebhookStatus({ w }: { w: Webhook }) {
  if (w.active) return <Badge tone="success">Active</Badge>;
  return <Badge tone="danger">Disabled</Badge>;
}

function WebhookList({ onCreate }: { onCreate?: () => void }) {
  const { tenantId } = useWorkspace();
  const hooks = useWebhooks(tenantId);
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const remove = useMutation({
    mutationFn: async (w: Webhook) =>
      call(api.DELETE('/api/v1/tenants/{tenantId}/webhooks/{webhookId}', { params: { path: { tenantId, webhookId: w.id } } })),
    onSuccess: (_d, w) => {
      setDeleting(null);
      toast.success('Webhook deleted', w.url);
      queryClient.invalidateQueries({ queryKey: platformKeys.webhooks(tenantId) });
    },
    onError: (err) => toast.error('Could not delete the webhook', err),
  });

  if (hooks.isPending) return <SkeletonRows rows={2} label="Loading webhooks" />;
  if (hooks.error) return <ErrorState title="Could not load webhooks" error={hooks.error} onRetry={() => hooks.refetch()} />;
  if (hooks.data.length === 0) {
    return (
      <EmptyState
        icon={<WebhookIcon />}
        title="No webhook endpoints yet"
        action={
          onCreate && (
            <Button variant="secondary" onClick={onCreate}>
              Add your first endpoint
            </Button>
          )
        }
      >
        Add an HTTPS endpoint to hear about new tasks, projects, comments, members and plan changes as they happen.
      </EmptyState>
    );
  }
  return (
    <section aria-labelledby="hooks-h" className="flex flex-col gap-3">
      <h2 id="hooks-h" className="text-base font-semibold">
        Endpoints <span className="text-sm font-normal text-muted">({hooks.data.length})</span>
      </h2>
      <ListCard>
        {hooks.data.map((w) => {
          const expanded = open === w.id;
          return (
            <ListRow key={w.id} testId="webhook-row" stacked>
              <div className="flex flex-col gap-3 sm:flex-row sm:items-center">
                <div className="min-w-0 flex-1">
                  <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                    <span className="min-w-0 font-mono break-all">{w.url}</span>
                    <WebhookStatus w={w} />
                  </p>
                  {w.description && <p className="mt-0.5 text-sm text-muted">{w.description}</p>}
                  <div className="mt-1.5 flex flex-wrap gap-1">
                    {w.events.map((e) => (
                      <Badge key={e} className="font-mono">
                        {e === '*' ? 'all events' : e}
                      </Badge>
                    ))}
                  </div>
                  <Meta
                    items={[
                      [
                        'Created',
                        <time key="c" dateTime={w.createdAt} title={formatDateTime(w.createdAt)}>
                          {formatRelative(w.createdAt)}
                        </time>,
                      ],
                      ['Failures in a row', String(w.consecutiveFailures)],
                      ...(w.disabledAt
                        ? ([['Disabled', `${formatDateTime(w.disabledAt)} — ${w.disabledReason ?? 'no reason given'}`]] as [
                            string,
                            string,
                          ][])
                        : []),
                    ]}
                  />
                </div>
                <div className="flex items-center gap-2">
                  <Button
                    variant="secondary"
                    size="sm"
                    aria-expanded={expanded}
                    aria-controls={`deliveries-${w.id}`}
                    onClick={() => setOpen(expanded ? null : w.id)}
                  >
                    {expanded ? 'Hide deliveries' : 'Deliveries'}
                  </Button>
                  <Button variant="danger-ghost" size="sm" onClick={() => setDeleting(w)} aria-label={`Delete the webhook ${w.url}`}>
                    Delete
                  </Button>
                </div>
              </div>
              {expanded && (
                <div id={`deliveries-${w.id}`}>
                  <DeliveryList webhookId={w.id} />
                </div>
              )}
            </ListRow>
          );
        })}
      </ListCard>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title="Delete this webhook?"
        description={`${deleting?.url ?? ''} stops receiving events; pending deliveries are dropped.`}
        confirmLabel="Delete webhook"
        pending={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
    </section>
  );
}
