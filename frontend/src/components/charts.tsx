/**
 * Small dependency-free charts: vertical bars in SVG (a series over days) and horizontal bars in CSS
 * (a ranking). Each has a text alternative: the numbers are in the accessible name of every bar.
 */

export interface Datum {
  key: string;
  label: string;
  value: number;
  /** Text for screen readers and the tooltip, e.g. "1,200 tokens · $0.02". */
  detail: string;
}

export function ColumnChart({ data, label, height = 160 }: { data: Datum[]; label: string; height?: number }) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const w = 100 / Math.max(1, data.length);
  return (
    <figure className="flex flex-col gap-2">
      <svg
        role="img"
        aria-label={label}
        viewBox={`0 0 100 ${height}`}
        preserveAspectRatio="none"
        className="w-full text-accent"
        style={{ height }}
      >
        <title>{label}</title>
        {data.map((d, i) => {
          const h = (d.value / max) * (height - 4);
          return (
            <rect
              key={d.key}
              x={i * w + w * 0.15}
              y={height - h}
              width={w * 0.7}
              height={Math.max(h, d.value > 0 ? 1 : 0)}
              rx={0.6}
              fill="currentColor"
            >
              <title>{`${d.label}: ${d.detail}`}</title>
            </rect>
          );
        })}
        <line x1="0" x2="100" y1={height - 0.25} y2={height - 0.25} stroke="var(--border)" strokeWidth="0.5" />
      </svg>
      {data.length > 0 && (
        <figcaption className="flex justify-between text-xs text-muted">
          <span>{data[0]?.label}</span>
          {data.length > 1 && <span>{data[data.length - 1]?.label}</span>}
        </figcaption>
      )}
    </figure>
  );
}

export function BarList({ data, label }: { data: Datum[]; label: string }) {
  const max = Math.max(1, ...data.map((d) => d.value));
  return (
    <ul aria-label={label} className="flex flex-col gap-3">
      {data.map((d) => (
        <li key={d.key} className="flex flex-col gap-1">
          <div className="flex items-baseline justify-between gap-3 text-sm">
            <span className="min-w-0 truncate font-medium" title={d.label}>
              {d.label}
            </span>
            <span className="shrink-0 text-xs text-muted tabular-nums">{d.detail}</span>
          </div>
          <div aria-hidden="true" className="h-2 overflow-hidden rounded-full bg-surface-2">
            <div className="h-full rounded-full bg-accent" style={{ width: `${(d.value / max) * 100}%` }} />
          </div>
        </li>
      ))}
    </ul>
  );
}
