'use client';

import { type FormEvent, useMemo, useState } from 'react';
import { PageBody, PageHeader } from '@/components/page-header';
import { ScrollRegion } from '@/components/scroll-region';
import { Avatar } from '@/components/ui/avatar';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { Field, Input, Select } from '@/components/ui/field';
import { DownloadIcon, ShieldIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/states';
import { useWorkspace } from '@/components/workspace-context';
import type { AuditLog, Member } from '@/lib/api/client';
import { downloadText, toCsv } from '@/lib/csv';
import { formatDateTime } from '@/lib/format';
import { type AuditFilters, useAuditLogs, useMemberMap } from '@/lib/queries';

const ACTIONS = [
  'tenant.created',
  'tenant.updated',
  'tenant.deleted',
  'member.invited',
  'member.joined',
  'member.role_changed',
  'member.removed',
  'invitation.revoked',
  'project.created',
  'project.updated',
  'project.archived',
  'project.restored',
  'task.created',
  'task.updated',
  'task.status_changed',
  'task.assigned',
  'task.deleted',
  'comment.created',
  'comment.deleted',
  'billing.checkout_started',
  'billing.checkout_completed',
  'billing.portal_opened',
  'billing.payment_failed',
  'billing.downgraded',
  'ai.task_breakdown',
  'ai.breakdown_accepted',
  'ai.project_summary',
];

const tone = (action: string) =>
  action.endsWith('deleted') || action.endsWith('removed') || action.endsWith('revoked')
    ? 'danger'
    : action.endsWith('created') || action.endsWith('joined')
      ? 'success'
      : 'accent';

/** A datetime-local value (local time) as an ISO instant. */
const localToIso = (v: string) => (v ? new Date(v).toISOString() : undefined);

function describe(log: AuditLog, members: Map<string, Member>): string {
  const m = log.metadata as Record<string, unknown>;
  const name = (id: unknown) => (typeof id === 'string' ? (members.get(id)?.name ?? id) : '—');
  switch (log.action) {
    case 'task.created':
    case 'task.deleted':
      return String(m.title ?? '');
    case 'task.status_changed':
      return `${m.from} → ${m.to}`;
    case 'task.assigned':
      return `${m.from ? name(m.from) : 'nobody'} → ${m.to ? name(m.to) : 'nobody'}`;
    case 'task.updated':
      return Array.isArray(m.changed) ? `changed ${m.changed.join(', ')}` : '';
    case 'member.invited':
      return `${m.email} as ${m.role}`;
    case 'member.joined':
      return `${name(m.userId)} as ${m.role}`;
    case 'comment.created':
    case 'comment.deleted':
      return 'on a task';
    case 'project.created':
    case 'project.updated':
    case 'tenant.created':
    case 'tenant.updated':
      return typeof m.name === 'string' ? m.name : '';
    case 'member.role_changed':
      return m.from && m.to ? `${m.from} → ${m.to}` : JSON.stringify(m);
    default:
      return Object.keys(m).length ? JSON.stringify(m) : '';
  }
}

export function AuditView() {
  const { tenantId, can } = useWorkspace();
  const [filters, setFilters] = useState<AuditFilters>({});
  const [draft, setDraft] = useState({ action: '', actorId: '', from: '', to: '' });
  const allowed = can('audit:read');
  const logs = useAuditLogs(tenantId, filters, allowed);
  const { members, map } = useMemberMap(tenantId, allowed);
  const rows = useMemo(() => logs.data?.pages.flatMap((p) => p.data) ?? [], [logs.data]);

  if (!allowed) {
    return (
      <PageBody>
        <PageHeader title="Audit log" />
        <EmptyState icon={<ShieldIcon />} title="Not available for your role">
          Admins and owners can read the audit log.
        </EmptyState>
      </PageBody>
    );
  }

  function apply(e: FormEvent) {
    e.preventDefault();
    setFilters({
      ...(draft.action ? { action: draft.action } : {}),
      ...(draft.actorId ? { actorId: draft.actorId } : {}),
      ...(draft.from ? { from: localToIso(draft.from) } : {}),
      ...(draft.to ? { to: localToIso(draft.to) } : {}),
    });
  }

  function exportCsv() {
    const header = ['time', 'action', 'actor_type', 'actor_id', 'actor_name', 'target_type', 'target_id', 'details', 'ip', 'request_id'];
    const body = rows.map((r) => [
      r.createdAt,
      r.action,
      r.actorType,
      r.actorId,
      r.actorId ? (map.get(r.actorId)?.name ?? '') : '',
      r.targetType,
      r.targetId,
      JSON.stringify(r.metadata),
      r.ip,
      r.requestId,
    ]);
    downloadText(`audit-${tenantId}-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`, toCsv([header, ...body]));
  }

  return (
    <PageBody>
      <PageHeader
        title="Audit log"
        description="Who did what, and when. Entries cannot be changed or deleted."
        actions={
          <Button variant="secondary" onClick={exportCsv} disabled={rows.length === 0}>
            <DownloadIcon className="size-4" /> Export CSV{rows.length ? ` (${rows.length})` : ''}
          </Button>
        }
      />
      <form
        onSubmit={apply}
        aria-label="Filters"
        className="grid gap-3 rounded-xl border border-border bg-surface p-4 sm:grid-cols-2 lg:grid-cols-5 lg:items-end"
      >
        <Field label="Action">
          {({ id }) => (
            <Select id={id} value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
              <option value="">Any action</option>
              {ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Actor">
          {({ id }) => (
            <Select id={id} value={draft.actorId} onChange={(e) => setDraft({ ...draft, actorId: e.target.value })}>
              <option value="">Anyone</option>
              {(members.data ?? []).map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="From">
          {({ id }) => (
            <Input id={id} type="datetime-local" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
          )}
        </Field>
        <Field label="To">
          {({ id }) => (
            <Input id={id} type="datetime-local" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
          )}
        </Field>
        <div className="flex gap-2">
          <Button type="submit" className="flex-1" loading={logs.isFetching && !logs.isFetchingNextPage && !logs.isPending}>
            Apply
          </Button>
          <Button
            variant="ghost"
            onClick={() => {
              setDraft({ action: '', actorId: '', from: '', to: '' });
              setFilters({});
            }}
          >
            Reset
          </Button>
        </div>
      </form>

      {logs.isPending ? (
        <SkeletonRows label="Loading the audit log" />
      ) : logs.error && rows.length === 0 ? (
        <ErrorState title="Could not load the audit log" error={logs.error} onRetry={() => logs.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState icon={<ShieldIcon />} title={Object.keys(filters).length ? 'No entries match' : 'No entries yet'}>
          {Object.keys(filters).length ? 'Try other filters.' : 'Changes in this workspace are recorded here.'}
        </EmptyState>
      ) : (
        <>
          <ScrollRegion
            label="Audit log entries"
            className={cn('rounded-xl border border-border bg-surface', logs.isFetching && !logs.isFetchingNextPage && 'opacity-70')}
          >
            <table className="w-full min-w-[44rem] text-left text-sm">
              <caption className="sr-only">Audit log entries, newest first</caption>
              <thead className="border-b border-border bg-surface-2 text-xs text-muted">
                <tr>
                  <th scope="col" className="px-4 py-2.5 font-medium">
                    When
                  </th>
                  <th scope="col" className="px-4 py-2.5 font-medium">
                    Action
                  </th>
                  <th scope="col" className="px-4 py-2.5 font-medium">
                    Actor
                  </th>
                  <th scope="col" className="px-4 py-2.5 font-medium">
                    Details
                  </th>
                  <th scope="col" className="px-4 py-2.5 font-medium">
                    Request
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-border">
                {rows.map((r) => {
                  const actor = r.actorId ? map.get(r.actorId) : undefined;
                  return (
                    <tr key={r.id} data-action={r.action}>
                      <td className="px-4 py-2.5 whitespace-nowrap text-muted">
                        <time dateTime={r.createdAt}>{formatDateTime(r.createdAt)}</time>
                      </td>
                      <td className="px-4 py-2.5">
                        <Badge tone={tone(r.action)} className="font-mono">
                          {r.action}
                        </Badge>
                      </td>
                      <td className="px-4 py-2.5">
                        {r.actorType === 'user' ? (
                          <span className="flex items-center gap-2">
                            <Avatar size="sm" name={actor?.name ?? '?'} seed={r.actorId ?? 'x'} />
                            <span className="truncate">{actor?.name ?? r.actorId ?? 'Unknown'}</span>
                          </span>
                        ) : (
                          <span className="text-muted">{r.actorType === 'system' ? 'System' : 'API key'}</span>
                        )}
                      </td>
                      <td className="max-w-xs truncate px-4 py-2.5" title={describe(r, map)}>
                        {describe(r, map)}
                      </td>
                      <td className="px-4 py-2.5 font-mono text-xs text-muted">{r.requestId ?? '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </ScrollRegion>
          {logs.error && <ErrorState title="Could not load more entries" error={logs.error} onRetry={() => logs.fetchNextPage()} />}
          {logs.hasNextPage && (
            <div className="flex justify-center">
              <Button variant="secondary" loading={logs.isFetchingNextPage} onClick={() => logs.fetchNextPage()}>
                Load more
              </Button>
            </div>
          )}
        </>
      )}
    </PageBody>
  );
}
