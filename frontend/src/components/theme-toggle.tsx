'use client';

import { useEffect, useId, useState } from 'react';
import { applyThemePreference, readThemePreference, type ThemePreference } from '@/lib/theme';
import { cn } from './ui/cn';
import { MonitorIcon, MoonIcon, SunIcon } from './ui/icons';

const options: { value: ThemePreference; label: string; Icon: typeof SunIcon }[] = [
  { value: 'light', label: 'Light', Icon: SunIcon },
  { value: 'dark', label: 'Dark', Icon: MoonIcon },
  { value: 'system', label: 'System', Icon: MonitorIcon },
];

/** Light / dark / system, as a radio group. */
export function ThemeToggle({ className }: { className?: string }) {
  const [pref, setPref] = useState<ThemePreference>('system');
  const name = useId();
  useEffect(() => setPref(readThemePreference()), []);

  return (
    <fieldset className={cn('inline-flex rounded-lg border border-border bg-surface p-0.5', className)}>
      <legend className="sr-only">Theme</legend>
      {options.map(({ value, label, Icon }) => (
        <label
          key={value}
          title={label}
          className={cn(
            'relative inline-flex size-8 cursor-pointer items-center justify-center rounded-md text-muted motion-safe:transition-colors hover:text-foreground',
            'has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-focus',
            pref === value && 'bg-surface-2 text-foreground shadow-xs',
          )}
        >
          <input
            type="radio"
            name={name}
            value={value}
            checked={pref === value}
            onChange={() => {
              setPref(value);
              applyThemePreference(value);
            }}
            className="sr-only"
          />
          <Icon className="size-4" />
          <span className="sr-only">{label}</span>
        </label>
      ))}
    </fieldset>
  );
}
