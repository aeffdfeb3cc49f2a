import { initials } from '@/lib/format';
import { cn } from './cn';

const palette = [
  'bg-indigo-600',
  'bg-emerald-700',
  'bg-rose-700',
  'bg-amber-700',
  'bg-sky-700',
  'bg-violet-700',
  'bg-teal-700',
  'bg-fuchsia-700',
];

function hash(s: string) {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return Math.abs(h);
}

/** Initials in a colored circle. Decorative unless `label` is given. */
export function Avatar({ name, seed, size = 'md', label }: { name: string; seed?: string; size?: 'sm' | 'md'; label?: string }) {
  const className = cn(
    'inline-flex shrink-0 items-center justify-center rounded-full font-semibold text-white',
    palette[hash(seed ?? name) % palette.length],
    size === 'sm' ? 'size-6 text-[10px]' : 'size-8 text-xs',
  );
  if (label) {
    return (
      <span role="img" aria-label={label} className={className}>
        {initials(name)}
      </span>
    );
  }
  return (
    <span aria-hidden="true" className={className}>
      {initials(name)}
    </span>
  );
}
