'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { CheckboxGroup } from '@/components/checkbox-group';
import { Button } from '@/components/ui/button';
import { DialogContent, DialogRoot } from '@/components/ui/dialog';
import { Field, Input } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useWorkspace } from '@/components/workspace-context';
import { ApiError, api, call } from '@/lib/api/client';
import type { paths } from '@/lib/api/schema';
import { platformKeys } from '@/lib/platform-queries';

type CreateBody = NonNullable<paths['/api/v1/tenants/{tenantId}/webhooks']['post']['requestBody']>['content']['application/json'];
type EventType = CreateBody['events'][number];

/** Every event type of the API's enum ('*' = all, offered as its own option). */
const EVENTS: Record<Exclude<EventType, '*'>, string> = {
  'task.created': 'Task created',
  'task.updated': 'Task updated',
  'task.deleted': 'Task deleted',
  'project.created': 'Project created',
  'project.updated': 'Project updated',
  'project.archived': 'Project archived',
  'comment.created': 'Comment added',
  'member.joined': 'Member joined',
  'member.removed': 'Member removed',
  'subscription.updated': 'Plan or subscription changed',
};
const OPTIONS = [
  { value: '*' as EventType, label: 'All events', description: 'Including event types added later' },
  ...(Object.entries(EVENTS) as [EventType, string][]).map(([value, label]) => ({ value, label, description: value })),
];

export function CreateWebhookDialog({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (secret: string) => void;
}) {
  const { tenantId } = useWorkspace();
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<EventType[]>(['task.created', 'task.updated']);
  const create = useMutation({
    mutationFn: async () =>
      (
        await call(
          api.POST('/api/v1/tenants/{tenantId}/webhooks', {
            params: { path: { tenantId } },
            body: { url: url.trim(), events, description: description.trim() || null },
          }),
        )
      ).data,
    onSuccess: (w) => {
      queryClient.invalidateQueries({ queryKey: platformKeys.webhooks(tenantId) });
      setUrl('');
      setDescription('');
      create.reset();
      onCreated(w.secret);
    },
  });
  const fieldErrors = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <DialogRoot open={open} onOpenChange={onOpenChange}>
      <DialogContent title="Add a webhook endpoint" description="Private and loopback addresses are refused; redirects are not followed.">
        <form onSubmit={onSubmit} className="flex flex-col gap-4">
          <Field label="Endpoint URL" error={fieldErrors.url}>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                type="url"
                inputMode="url"
                aria-describedby={describedBy}
                aria-invalid={invalid}
                placeholder="https://example.com/atrium-events"
                value={url}
                maxLength={2000}
                onChange={(e) => setUrl(e.target.value)}
                required
              />
            )}
          </Field>
          <Field label="Description (optional)" error={fieldErrors.description}>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={description}
                maxLength={200}
                onChange={(e) => setDescription(e.target.value)}
              />
            )}
          </Field>
          <CheckboxGroup legend="Events" options={OPTIONS} value={events} onChange={setEvents} error={fieldErrors.events} />
          {create.error && !Object.keys(fieldErrors).length && <FormError error={create.error} />}
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <Button variant="secondary" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!url.trim() || events.length === 0}>
              Add endpoint
            </Button>
          </div>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}
