import Link from 'next/link';
import { ScrollRegion } from '@/components/scroll-region';
import type { Schemas } from '@/lib/api/client';
import { buttonClass } from '../ui/button';
import { cn } from '../ui/cn';
import { CheckIcon, XIcon } from '../ui/icons';

type Plan = Schemas['Plan'];
type Limits = Schemas['PlanLimits'];
type Features = Schemas['PlanFeatures'];

const num = new Intl.NumberFormat('en-US');
const money = (cents: number, currency: string) =>
  new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: currency.toUpperCase(),
    maximumFractionDigits: cents % 100 ? 2 : 0,
  }).format(cents / 100);
const unlimited = (n: number, fmt: (n: number) => string) => (n < 0 ? 'Unlimited' : fmt(n));

export const LIMIT_ROWS: { key: keyof Limits; label: string; fmt: (n: number) => string }[] = [
  { key: 'members', label: 'Members', fmt: (n) => num.format(n) },
  { key: 'projects', label: 'Active projects', fmt: (n) => num.format(n) },
  { key: 'tasks', label: 'Tasks', fmt: (n) => num.format(n) },
  { key: 'ai_tokens_per_month', label: 'AI tokens per month', fmt: (n) => (n === 0 ? '—' : num.format(n)) },
  { key: 'api_requests_per_minute', label: 'API requests per minute', fmt: (n) => num.format(n) },
  { key: 'audit_retention_days', label: 'Audit log kept', fmt: (n) => `${num.format(n)} days` },
];

export const FEATURE_ROWS: { key: keyof Features; label: string }[] = [
  { key: 'ai', label: 'AI task breakdown and project summaries' },
  { key: 'api_keys', label: 'API keys' },
  { key: 'webhooks', label: 'Webhooks' },
  { key: 'audit_export', label: 'Audit log CSV export' },
];

export interface PlanCta {
  href: string;
  label: (plan: Plan) => string;
}

/** One card per plan: price, the headline limits, and a call to action. */
export function PlanCards({ plans, cta, highlight = 'pro' }: { plans: Plan[]; cta: PlanCta; highlight?: string }) {
  return (
    <ul className="grid gap-4 md:grid-cols-3">
      {plans.map((p) => {
        const featured = p.id === highlight;
        return (
          <li
            key={p.id}
            className={cn(
              'flex flex-col rounded-2xl border bg-surface p-6 shadow-sm',
              featured ? 'border-accent ring-1 ring-accent' : 'border-border',
            )}
          >
            <div className="flex items-center justify-between gap-2">
              <h3 className="text-lg font-semibold">{p.name}</h3>
              {featured && <span className="rounded-full bg-accent-soft px-2 py-0.5 text-xs font-semibold text-accent">Most popular</span>}
            </div>
            <p className="mt-4 flex items-baseline gap-1">
              <span className="text-4xl font-bold tracking-tight">{money(p.prices.monthly, p.currency)}</span>
              <span className="text-sm text-muted">/ month</span>
            </p>
            <p className="mt-1 min-h-5 text-sm text-muted">
              {p.prices.yearly > 0
                ? `or ${money(p.prices.yearly, p.currency)} a year${p.trialDays ? ` · ${p.trialDays}-day free trial` : ''}`
                : 'Free forever'}
            </p>
            <ul className="mt-6 flex flex-1 flex-col gap-2 text-sm">
              {LIMIT_ROWS.slice(0, 3).map((r) => (
                <li key={r.key} className="flex items-center gap-2">
                  <CheckIcon className="size-4 text-success" />
                  {unlimited(p.limits[r.key], r.fmt)} {r.label.toLowerCase()}
                </li>
              ))}
              {FEATURE_ROWS.map((f) => (
                <li key={f.key} className={cn('flex items-center gap-2', !p.features[f.key] && 'text-muted')}>
                  {p.features[f.key] ? <CheckIcon className="size-4 text-success" /> : <XIcon className="size-4" />}
                  <span>
                    {p.features[f.key] ? '' : <span className="sr-only">Not included: </span>}
                    {f.label}
                  </span>
                </li>
              ))}
            </ul>
            <Link href={cta.href} className={buttonClass({ variant: featured ? 'primary' : 'secondary', className: 'mt-6 w-full' })}>
              {cta.label(p)}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

/** Every limit and feature side by side. */
export function PlanComparison({ plans }: { plans: Plan[] }) {
  return (
    <ScrollRegion label="Limits and features of each plan" className="rounded-xl border border-border bg-surface">
      <table className="w-full min-w-[36rem] text-left text-sm">
        <caption className="sr-only">Limits and features of each plan</caption>
        <thead>
          <tr className="border-b border-border">
            <th scope="col" className="px-4 py-3 font-medium text-muted">
              <span className="sr-only">Limit or feature</span>
            </th>
            {plans.map((p) => (
              <th key={p.id} scope="col" className="px-4 py-3 font-semibold">
                {p.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {LIMIT_ROWS.map((r) => (
            <tr key={r.key}>
              <th scope="row" className="px-4 py-2.5 font-normal text-muted">
                {r.label}
              </th>
              {plans.map((p) => (
                <td key={p.id} className="px-4 py-2.5 tabular-nums">
                  {unlimited(p.limits[r.key], r.fmt)}
                </td>
              ))}
            </tr>
          ))}
          {FEATURE_ROWS.map((f) => (
            <tr key={f.key}>
              <th scope="row" className="px-4 py-2.5 font-normal text-muted">
                {f.label}
              </th>
              {plans.map((p) => (
                <td key={p.id} className="px-4 py-2.5">
                  {p.features[f.key] ? (
                    <>
                      <CheckIcon className="size-4 text-success" />
                      <span className="sr-only">Included</span>
                    </>
                  ) : (
                    <>
                      <XIcon className="size-4 text-muted" />
                      <span className="sr-only">Not included</span>
                    </>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
