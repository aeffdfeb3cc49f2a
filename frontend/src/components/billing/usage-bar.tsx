import type { UsageLine } from '@/lib/billing';
import { cn } from '../ui/cn';

const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n);

/** Usage against a plan limit as a labelled meter (unlimited: the count only). */
export function UsageBar({ label, line }: { label: string; line: UsageLine }) {
  const pct = line.unlimited || line.limit <= 0 ? 0 : Math.min(100, Math.round((line.used / line.limit) * 100));
  const tone = line.overLimit || pct >= 100 ? 'bg-danger-strong' : pct >= 80 ? 'bg-warning' : 'bg-accent';
  return (
    <div className="flex flex-col gap-1.5" data-usage={label}>
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">{label}</span>
        <span className="text-muted tabular-nums">
          {line.unlimited
            ? `${fmt(line.used)} · unlimited`
            : line.limit === 0
              ? 'Not in this plan'
              : `${fmt(line.used)} of ${fmt(line.limit)}`}
        </span>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a styled bar; <meter> cannot be styled consistently across browsers */}
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={line.unlimited ? undefined : line.limit}
        aria-valuenow={line.used}
        aria-valuetext={line.unlimited ? `${fmt(line.used)}, unlimited` : `${fmt(line.used)} of ${fmt(line.limit)}`}
        className="h-2 overflow-hidden rounded-full bg-surface-2"
      >
        <div
          className={cn('h-full rounded-full', line.unlimited ? 'bg-success' : tone)}
          style={{ width: line.unlimited ? '100%' : `${pct}%` }}
        />
      </div>
      {line.overLimit && <p className="text-xs font-medium text-danger">Over the plan’s limit: remove some, or upgrade.</p>}
    </div>
  );
}
