'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ListCard, ListRow, Meta } from '@/components/list-card';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DialogContent, DialogRoot } from '@/components/ui/dialog';
import { Field, Input } from '@/components/ui/field';
import { SparkIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, FormError, SkeletonRows } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { type AiModel, adminKeys, useAdminModels } from '@/lib/admin-api';
import { formatMicros } from '@/lib/ai';
import { api, call } from '@/lib/api/client';

type Patch = { enabled?: boolean; priority?: number; inputPricePerMTokMicros?: number; outputPricePerMTokMicros?: number };

function useUpdateModel() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ model, patch }: { model: AiModel; patch: Patch }) =>
      (await call(api.PATCH('/api/v1/admin/ai-models/{modelId}', { params: { path: { modelId: model.id } }, body: patch }))).data,
    onSuccess: (m) => {
      toast.success('Model updated', `${m.provider} · ${m.model}`);
      queryClient.invalidateQueries({ queryKey: adminKeys.models });
    },
  });
}

export function ModelsTab() {
  const models = useAdminModels();
  const update = useUpdateModel();
  const [editing, setEditing] = useState<AiModel | null>(null);
  if (models.isPending) return <SkeletonRows rows={3} label="Loading AI models" />;
  if (models.error) return <ErrorState title="Could not load AI models" error={models.error} onRetry={() => models.refetch()} />;
  if (models.data.length === 0) {
    return (
      <EmptyState icon={<SparkIcon />} title="No AI models configured">
        Add models to the model configuration file and restart.
      </EmptyState>
    );
  }
  const sorted = [...models.data].sort((a, b) => a.purpose.localeCompare(b.purpose) || a.priority - b.priority);
  return (
    <>
      <ListCard label="AI models">
        {sorted.map((m) => (
          <ListRow key={m.id}>
            <div className="min-w-0 flex-1">
              <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                <span className="font-mono">{m.model}</span>
                <Badge>{m.provider}</Badge>
                <Badge tone="accent">{m.purpose.replace('_', ' ')}</Badge>
                <Badge tone={m.enabled ? 'success' : 'neutral'}>{m.enabled ? 'Enabled' : 'Disabled'}</Badge>
                {!m.providerConfigured && <Badge tone="warning">no credentials</Badge>}
              </p>
              <Meta
                items={[
                  ['Priority', String(m.priority)],
                  ['Input / 1M tokens', formatMicros(m.inputPricePerMTokMicros)],
                  ['Output / 1M tokens', formatMicros(m.outputPricePerMTokMicros)],
                  ...(m.adminEditedAt
                    ? ([['Edited by an admin', new Date(m.adminEditedAt).toLocaleDateString()]] as [string, string][])
                    : []),
                ]}
              />
            </div>
            <div className="flex items-center gap-2">
              <Button
                variant="secondary"
                size="sm"
                loading={update.isPending && update.variables?.model.id === m.id && update.variables.patch.enabled !== undefined}
                onClick={() =>
                  update.mutate(
                    { model: m, patch: { enabled: !m.enabled } },
                    { onError: (e) => toast.error('Could not update the model', e) },
                  )
                }
              >
                {m.enabled ? 'Disable' : 'Enable'}
              </Button>
              <Button variant="ghost" size="sm" onClick={() => setEditing(m)} aria-label={`Edit ${m.model}`}>
                Edit
              </Button>
            </div>
          </ListRow>
        ))}
      </ListCard>
      <EditModelDialog model={editing} onClose={() => setEditing(null)} />
    </>
  );
}

/** Dollars per million tokens in the form; micro-dollars in the API. */
const toMicros = (dollars: string) => Math.round(Number(dollars) * 1_000_000);

function EditModelDialog({ model, onClose }: { model: AiModel | null; onClose: () => void }) {
  return (
    <DialogRoot open={model !== null} onOpenChange={(o) => !o && onClose()}>
      {model && (
        <DialogContent title={`Edit ${model.model}`} description="Changes stick: the configuration file no longer overwrites this model.">
          <EditModelForm key={model.id} model={model} onClose={onClose} />
        </DialogContent>
      )}
    </DialogRoot>
  );
}

function EditModelForm({ model, onClose }: { model: AiModel; onClose: () => void }) {
  const update = useUpdateModel();
  const [priority, setPriority] = useState(String(model.priority));
  const [input, setInput] = useState(String(model.inputPricePerMTokMicros / 1_000_000));
  const [output, setOutput] = useState(String(model.outputPricePerMTokMicros / 1_000_000));
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    update.mutate(
      {
        model,
        patch: { priority: Number(priority), inputPricePerMTokMicros: toMicros(input), outputPricePerMTokMicros: toMicros(output) },
      },
      { onSuccess: onClose },
    );
  }
  const num = (label: string, value: string, set: (v: string) => void, hint: string, step: string) => (
    <Field label={label} hint={hint}>
      {({ id, describedBy }) => (
        <Input
          id={id}
          aria-describedby={describedBy}
          type="number"
          min="0"
          step={step}
          value={value}
          onChange={(e) => set(e.target.value)}
          required
        />
      )}
    </Field>
  );
  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-4">
      {num('Priority', priority, setPriority, 'Fallback order within its purpose: lower is tried first.', '1')}
      {num('Input price (USD per 1M tokens)', input, setInput, 'What a million prompt tokens cost.', '0.000001')}
      {num('Output price (USD per 1M tokens)', output, setOutput, 'What a million completion tokens cost.', '0.000001')}
      {update.error && <FormError error={update.error} />}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" loading={update.isPending}>
          Save changes
        </Button>
      </div>
    </form>
  );
}
