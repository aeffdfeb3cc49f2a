'use client';

import { type FormEvent, type ReactNode, useState } from 'react';
import { BarList, ColumnChart, type Datum } from '@/components/charts';
import { PageBody, PageHeader } from '@/components/page-header';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { ChartIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/states';
import { useWorkspace } from '@/components/workspace-context';
import { type AiUsageReport, formatMicros, formatNumber, useAiUsage } from '@/lib/ai';

const FEATURE_LABEL: Record<string, string> = { task_breakdown: 'Task breakdown', project_summary: 'Project summary' };

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
function thisMonth() {
  const now = new Date();
  return { from: isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))), to: isoDay(now) };
}
/** [from, to] as whole UTC days: to is inclusive in the form and exclusive in the API. */
function range(from: string, to: string) {
  const end = new Date(`${to}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  return { from: `${from}T00:00:00Z`, to: end.toISOString() };
}

/** Every day of the range, with zeros where the ledger has nothing. */
function daySeries(report: AiUsageReport, from: string, to: string): Datum[] {
  const byDay = new Map(report.groups.map((g) => [g.key, g]));
  const out: Datum[] = [];
  const d = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  for (let i = 0; d <= end && i < 400; i++, d.setUTCDate(d.getUTCDate() + 1)) {
    const key = isoDay(d);
    const g = byDay.get(key);
    out.push({
      key,
      label: key,
      value: g?.totalTokens ?? 0,
      detail: `${formatNumber(g?.totalTokens ?? 0)} tokens · ${formatMicros(g?.costMicros ?? 0)} · ${g?.calls ?? 0} calls`,
    });
  }
  return out;
}

const toData = (report: AiUsageReport | undefined, label: (k: string) => string): Datum[] =>
  (report?.groups ?? [])
    .map((g) => ({
      key: g.key,
      label: label(g.key),
      value: g.totalTokens,
      detail: `${formatNumber(g.totalTokens)} tokens · ${formatMicros(g.costMicros)} · ${g.calls} calls`,
    }))
    .sort((a, b) => b.value - a.value);

function budgetValue(b: AiUsageReport['budget']): string {
  if (b.limit < 0) return 'Unlimited';
  if (b.limit === 0) return 'None';
  const pct = Math.min(100, Math.round((b.used / b.limit) * 100));
  return pct === 0 && b.used > 0 ? '<1%' : `${pct}%`;
}

export function AiUsageView() {
  const { tenantId, can } = useWorkspace();
  const [draft, setDraft] = useState(thisMonth);
  const [applied, setApplied] = useState(thisMonth);
  const allowed = can('ai:use');
  const { from, to } = range(applied.from, applied.to);
  const byDay = useAiUsage(tenantId, from, to, 'day', allowed);
  const byModel = useAiUsage(tenantId, from, to, 'model', allowed);
  const byFeature = useAiUsage(tenantId, from, to, 'feature', allowed);

  if (!allowed) {
    return (
      <PageBody>
        <PageHeader title="AI usage" />
        <EmptyState title="Your role cannot use AI in this workspace">Ask an owner or admin if you need it.</EmptyState>
      </PageBody>
    );
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (draft.from && draft.to && draft.from <= draft.to) setApplied(draft);
  }

  const report = byDay.data;
  const error = byDay.error ?? byModel.error ?? byFeature.error;
  return (
    <PageBody>
      <PageHeader title="AI usage" description="Tokens and cost of this workspace’s AI calls, from the usage ledger." />
      <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3" aria-label="Date range">
        <Field label="From">
          {({ id }) => (
            <Input id={id} type="date" value={draft.from} max={draft.to} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
          )}
        </Field>
        <Field label="To">
          {({ id }) => (
            <Input id={id} type="date" value={draft.to} min={draft.from} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
          )}
        </Field>
        <Button type="submit" variant="secondary" loading={byDay.isFetching && !byDay.isPending}>
          Apply
        </Button>
      </form>
      {byDay.isPending ? (
        <SkeletonRows rows={3} label="Loading AI usage" />
      ) : error ? (
        <ErrorState title="Could not load AI usage" error={error} onRetry={() => byDay.refetch()} />
      ) : (
        report && (
          <>
            <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
              <Stat
                label="Calls"
                value={formatNumber(report.totals.calls)}
                hint={`${report.totals.cachedCalls} cached · ${report.totals.failedCalls} failed`}
              />
              <Stat
                label="Tokens"
                value={formatNumber(report.totals.totalTokens)}
                hint={`${formatNumber(report.totals.inputTokens)} in · ${formatNumber(report.totals.outputTokens)} out`}
              />
              <Stat label="Cost" value={formatMicros(report.totals.costMicros)} hint="In US dollars" />
              <Stat
                label={`Budget ${report.budget.period}`}
                value={budgetValue(report.budget)}
                hint={
                  report.budget.limit < 0
                    ? `${formatNumber(report.budget.used)} tokens used`
                    : report.budget.limit === 0
                      ? 'AI is not in this plan'
                      : `${formatNumber(report.budget.used)} of ${formatNumber(report.budget.limit)} tokens`
                }
              />
            </dl>
            {report.totals.calls === 0 ? (
              <EmptyState icon={<ChartIcon />} title="No AI calls in this period">
                Break a task down or summarize a project with AI, and its tokens and cost show up here.
              </EmptyState>
            ) : (
              <>
                <Panel title="Tokens by day">
                  <ColumnChart
                    data={daySeries(report, applied.from, applied.to)}
                    label={`Tokens per day from ${applied.from} to ${applied.to}`}
                  />
                </Panel>
                <div className="grid gap-6 lg:grid-cols-2">
                  <Panel title="By model">
                    <BarList data={toData(byModel.data, (k) => k)} label="Tokens by model" />
                  </Panel>
                  <Panel title="By feature">
                    <BarList data={toData(byFeature.data, (k) => FEATURE_LABEL[k] ?? k)} label="Tokens by feature" />
                  </Panel>
                </div>
              </>
            )}
          </>
        )
      )}
    </PageBody>
  );
}

function Stat({ label, value, hint }: { label: string; value: string; hint: string }) {
  return (
    <div className="rounded-xl border border-border bg-surface p-4">
      <dt className="text-xs font-medium text-muted">{label}</dt>
      <dd className="mt-1 text-xl font-semibold tabular-nums">{value}</dd>
      <dd className="mt-0.5 text-xs text-muted">{hint}</dd>
    </div>
  );
}

function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="flex flex-col gap-4 rounded-xl border border-border bg-surface p-5" aria-label={title}>
      <h2 className="text-base font-semibold">{title}</h2>
      {children}
    </section>
  );
}
