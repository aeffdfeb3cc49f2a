import type { ReactNode } from 'react';
import { cn } from './ui/cn';

/**
 * A horizontally scrollable box (wide tables on a phone). Keyboard users must be able to reach and
 * scroll it, so it is a labelled, focusable region (axe: scrollable-region-focusable).
 */
export function ScrollRegion({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section tabIndex={0} aria-label={label} className={cn('relative overflow-x-auto', className)}>
      {children}
    </section>
  );
}
