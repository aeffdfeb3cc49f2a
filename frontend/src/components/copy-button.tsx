'use client';

import { useEffect, useState } from 'react';
import { Button } from './ui/button';
import { CheckIcon, CopyIcon } from './ui/icons';

/** Copies `value` to the clipboard and says so (visibly and to screen readers). */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = window.setTimeout(() => setState('idle'), 2500);
    return () => window.clearTimeout(t);
  }, [state]);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      setState('failed');
    }
  }
  return (
    <Button variant="secondary" size="sm" onClick={copy}>
      {state === 'copied' ? <CheckIcon className="size-4 text-success" /> : <CopyIcon className="size-4" />}
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy it' : label}</span>
    </Button>
  );
}
