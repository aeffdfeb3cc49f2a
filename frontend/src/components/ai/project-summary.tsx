'use client';

import { useEffect, useRef, useState } from 'react';
import { streamProjectSummary } from '@/lib/ai';
import { Button } from '../ui/button';
import { SparkIcon, XIcon } from '../ui/icons';
import { useWorkspace } from '../workspace-context';
import { AiProblem } from './ai-problem';

type State = 'idle' | 'streaming' | 'done' | 'canceled';

/**
 * "Summarize with AI": the summary is streamed over Server-Sent Events and shown as it arrives, as
 * plain text (never HTML). Cancel aborts the request; the server stops the model when the client goes.
 */
export function ProjectSummary({ projectId }: { projectId: string }) {
  const { tenantId } = useWorkspace();
  const [text, setText] = useState('');
  const [state, setState] = useState<State>('idle');
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => () => abort.current?.abort(), []);

  async function start() {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setText('');
    setError(null);
    setState('streaming');
    try {
      await streamProjectSummary(tenantId, projectId, (chunk) => setText((t) => t + chunk), controller.signal);
      setState('done');
    } catch (err) {
      if (controller.signal.aborted) {
        setState('canceled');
        return;
      }
      setError(err);
      setState('idle');
    }
  }

  return (
    <section aria-labelledby="ai-summary-h" className="flex flex-col gap-3 rounded-xl border border-border bg-surface p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="ai-summary-h" className="flex items-center gap-2 text-base font-semibold">
          <SparkIcon className="size-4 text-accent" /> AI summary
        </h2>
        {state === 'streaming' ? (
          <Button variant="secondary" size="sm" onClick={() => abort.current?.abort()}>
            <XIcon className="size-4" /> Cancel
          </Button>
        ) : (
          <Button variant="secondary" size="sm" onClick={start}>
            <SparkIcon className="size-4" /> {text ? 'Summarize again' : 'Summarize with AI'}
          </Button>
        )}
      </div>
      <AiProblem error={error} />
      {state === 'idle' && !text && !error && (
        <p className="text-sm text-muted">Progress, blockers and overdue work, written from this project’s tasks.</p>
      )}
      {(text || state === 'streaming') && (
        <div
          aria-live="polite"
          aria-busy={state === 'streaming'}
          data-testid="ai-summary-text"
          className="min-h-16 rounded-lg bg-surface-2 px-3 py-2.5 text-sm leading-relaxed break-words whitespace-pre-wrap"
        >
          {text || <span className="text-muted">Writing the summary…</span>}
          {state === 'streaming' && (
            <span aria-hidden="true" className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-accent align-middle" />
          )}
        </div>
      )}
      {state === 'canceled' && <p className="text-sm text-muted">Canceled. The text above is what arrived before.</p>}
    </section>
  );
}
