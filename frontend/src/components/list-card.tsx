import type { ReactNode } from 'react';
import { cn } from './ui/cn';

/** The bordered list every management page uses (members, API keys, webhooks, admin tables). */
export function ListCard({ children, label, className }: { children: ReactNode; label?: string; className?: string }) {
  return (
    <ul aria-label={label} className={cn('divide-y divide-border overflow-hidden rounded-xl border border-border bg-surface', className)}>
      {children}
    </ul>
  );
}

/** A row: side by side from `sm` up, or `stacked` (a header line with details below it). */
export function ListRow({
  children,
  className,
  testId,
  stacked,
}: {
  children: ReactNode;
  className?: string;
  testId?: string;
  stacked?: boolean;
}) {
  return (
    <li data-testid={testId} className={cn('flex flex-col gap-3 px-4 py-3', !stacked && 'sm:flex-row sm:items-center', className)}>
      {children}
    </li>
  );
}

/** "label: value" pairs under a row's title. */
export function Meta({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted">
      {items.map(([k, v]) => (
        <div key={k} className="flex gap-1">
          <dt>{k}:</dt>
          <dd className="text-foreground/90">{v}</dd>
        </div>
      ))}
    </dl>
  );
}
