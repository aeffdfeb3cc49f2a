'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { type AiSuggestion, acceptBreakdown, proposeBreakdown } from '@/lib/ai';
import type { Task } from '@/lib/api/client';
import { keys } from '@/lib/queries';
import { Badge, PriorityBadge } from '../ui/badge';
import { Button } from '../ui/button';
import { SparkIcon } from '../ui/icons';
import { toast } from '../ui/toast';
import { useWorkspace } from '../workspace-context';
import { AiProblem } from './ai-problem';

/**
 * "Break down with AI": the model proposes subtasks, shown as a checklist; the chosen ones are created
 * as tasks. Model output is plain text and rendered as text only.
 */
export function TaskBreakdownPanel({ task }: { task: Task }) {
  const { tenantId } = useWorkspace();
  const queryClient = useQueryClient();
  const [suggestion, setSuggestion] = useState<AiSuggestion | null>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [created, setCreated] = useState<Task[]>([]);

  const propose = useMutation({
    mutationFn: () => proposeBreakdown(tenantId, task.id),
    onSuccess: (res) => {
      setSuggestion(res.suggestion);
      setSelected(new Set(res.suggestion.items.map((_, i) => i)));
      setCreated([]);
      accept.reset();
    },
  });
  const accept = useMutation({
    mutationFn: () =>
      acceptBreakdown(
        tenantId,
        suggestion?.id ?? '',
        [...selected].sort((a, b) => a - b),
      ),
    onSuccess: (res) => {
      setSuggestion(res.suggestion);
      setCreated(res.tasks);
      queryClient.invalidateQueries({ queryKey: keys.tasks(tenantId) });
      toast.success(res.tasks.length === 1 ? 'Created 1 task' : `Created ${res.tasks.length} tasks`);
    },
  });

  const toggle = (i: number) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(i)) next.delete(i);
      else next.add(i);
      return next;
    });
  const accepted = !!suggestion?.acceptedAt;

  return (
    <section aria-labelledby="ai-breakdown-h" className="flex flex-col gap-3 rounded-xl border border-border bg-surface p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="ai-breakdown-h" className="flex items-center gap-2 text-base font-semibold">
          <SparkIcon className="size-4 text-accent" /> AI breakdown
        </h2>
        <Button variant="secondary" size="sm" loading={propose.isPending} onClick={() => propose.mutate()}>
          {!propose.isPending && <SparkIcon className="size-4" />}
          {suggestion ? 'Suggest again' : 'Break down with AI'}
        </Button>
      </div>
      {propose.isPending && (
        <p role="status" className="text-sm text-muted">
          Asking the model for subtasks…
        </p>
      )}
      {!suggestion && !propose.isPending && !propose.error && (
        <p className="text-sm text-muted">Let AI propose the steps of this task. Nothing is created until you choose.</p>
      )}
      <AiProblem error={propose.error} />
      {suggestion && !propose.isPending && (
        <form
          aria-label="Proposed subtasks"
          className="flex flex-col gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            accept.mutate();
          }}
        >
          <ul className="flex flex-col gap-2">
            {suggestion.items.map((item, i) => {
              const id = `sub-${suggestion.id}-${i}`;
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: the index is the item's identity for accept
                <li key={i} className="flex gap-3 rounded-lg border border-border px-3 py-2.5">
                  <input
                    id={id}
                    type="checkbox"
                    className="mt-1 size-4 shrink-0 accent-[var(--accent)]"
                    checked={selected.has(i)}
                    disabled={accepted}
                    onChange={() => toggle(i)}
                  />
                  <div className="min-w-0 flex-1">
                    <label htmlFor={id} className="block text-sm font-medium break-words">
                      {item.title}
                    </label>
                    {item.description && <p className="mt-0.5 text-sm break-words whitespace-pre-wrap text-muted">{item.description}</p>}
                    <div className="mt-1.5 flex flex-wrap gap-1.5">
                      <PriorityBadge priority={item.priority} />
                      <Badge>Estimate: {item.estimate}</Badge>
                    </div>
                  </div>
                </li>
              );
            })}
          </ul>
          <AiProblem error={accept.error} />
          {accepted ? (
            <div role="status" className="text-sm">
              <p className="font-medium">Created {created.length || (suggestion.createdTaskIds?.length ?? 0)} tasks:</p>
              <ul className="mt-1 list-disc pl-5">
                {created.map((t) => (
                  <li key={t.id}>
                    <Link href={`/w/${tenantId}/tasks/${t.id}`} className="text-accent hover:underline">
                      {t.title}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <Button type="submit" className="self-end" loading={accept.isPending} disabled={selected.size === 0}>
              Create selected ({selected.size})
            </Button>
          )}
        </form>
      )}
    </section>
  );
}
