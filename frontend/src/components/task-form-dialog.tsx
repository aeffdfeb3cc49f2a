'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiError, api, call, type Task, type TaskPriority, type TaskStatus } from '@/lib/api/client';
import { PRIORITIES, PRIORITY_LABEL, STATUS_LABEL, STATUSES } from '@/lib/format';
import { keys, useMembers, useProjects } from '@/lib/queries';
import { Button } from './ui/button';
import { DialogClose, DialogContent, DialogRoot } from './ui/dialog';
import { Field, Input, Select, Textarea } from './ui/field';
import { FormError } from './ui/states';
import { toast } from './ui/toast';
import { useWorkspace } from './workspace-context';

export function parseLabels(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
}

/** "New task" dialog. `trigger` opens it; `defaults` pre-fill status or project (e.g. from a board column). */
export function CreateTaskDialog({
  open,
  onOpenChange,
  defaults,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  defaults?: { status?: TaskStatus; projectId?: string };
}) {
  const { tenantId, user, can } = useWorkspace();
  const queryClient = useQueryClient();
  const projects = useProjects(tenantId);
  const members = useMembers(tenantId, can('member:read'));
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [projectId, setProjectId] = useState(defaults?.projectId ?? '');
  const [status, setStatus] = useState<TaskStatus>(defaults?.status ?? 'todo');
  const [priority, setPriority] = useState<TaskPriority>('medium');
  const [assigneeId, setAssigneeId] = useState('');
  const [dueDate, setDueDate] = useState('');
  const [labels, setLabels] = useState('');

  const effectiveProject = projectId || projects.data?.[0]?.id || '';
  const create = useMutation({
    mutationFn: async () =>
      (
        await call(
          api.POST('/api/v1/tenants/{tenantId}/tasks', {
            params: { path: { tenantId } },
            body: {
              projectId: effectiveProject,
              title: title.trim(),
              description,
              status,
              priority,
              assigneeId: assigneeId || null,
              dueDate: dueDate || null,
              labels: parseLabels(labels),
            },
          }),
        )
      ).data,
    onSuccess: (task: Task) => {
      queryClient.invalidateQueries({ queryKey: keys.tasks(tenantId) });
      toast.success('Task created', task.title);
      setTitle('');
      setDescription('');
      setLabels('');
      setDueDate('');
      setAssigneeId('');
      onOpenChange(false);
    },
  });
  const fieldErrors = create.error instanceof ApiError ? create.error.fieldErrors() : {};

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }

  let body: ReactNode;
  if (projects.data && projects.data.length === 0) {
    body = (
      <div className="flex flex-col gap-4 text-sm">
        <p>Tasks live in projects, and this workspace has none yet.</p>
        {can('project:write') ? (
          <Link href={`/w/${tenantId}/projects`} className="font-medium text-accent underline-offset-4 hover:underline">
            Create the first project
          </Link>
        ) : (
          <p className="text-muted">Ask an editor or admin to create a project.</p>
        )}
      </div>
    );
  } else {
    body = (
      <form onSubmit={onSubmit} className="flex flex-col gap-4">
        <FormError error={create.error && Object.keys(fieldErrors).length === 0 ? create.error : null} />
        <Field label="Title" error={fieldErrors.title}>
          {({ id, describedBy, invalid }) => (
            <Input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              required
              maxLength={200}
              placeholder="What needs to be done?"
              autoFocus
            />
          )}
        </Field>
        <Field label="Description" hint="Markdown is fine." error={fieldErrors.description}>
          {({ id, describedBy }) => (
            <Textarea
              id={id}
              aria-describedby={describedBy}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              maxLength={10_000}
              rows={3}
            />
          )}
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Project" error={fieldErrors.projectId}>
            {({ id }) => (
              <Select id={id} value={effectiveProject} onChange={(e) => setProjectId(e.target.value)} required>
                {(projects.data ?? []).map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Assignee" error={fieldErrors.assigneeId}>
            {({ id }) => (
              <Select id={id} value={assigneeId} onChange={(e) => setAssigneeId(e.target.value)}>
                <option value="">Unassigned</option>
                {members.data ? (
                  members.data.map((m) => (
                    <option key={m.userId} value={m.userId}>
                      {m.userId === user.id ? `${m.name} (you)` : m.name}
                    </option>
                  ))
                ) : (
                  <option value={user.id}>{user.name} (you)</option>
                )}
              </Select>
            )}
          </Field>
          <Field label="Status">
            {({ id }) => (
              <Select id={id} value={status} onChange={(e) => setStatus(e.target.value as TaskStatus)}>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {STATUS_LABEL[s]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Priority">
            {({ id }) => (
              <Select id={id} value={priority} onChange={(e) => setPriority(e.target.value as TaskPriority)}>
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {PRIORITY_LABEL[p]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Due date" error={fieldErrors.dueDate}>
            {({ id }) => <Input id={id} type="date" value={dueDate} onChange={(e) => setDueDate(e.target.value)} />}
          </Field>
          <Field label="Labels" hint="Separate with commas." error={fieldErrors.labels}>
            {({ id, describedBy }) => (
              <Input
                id={id}
                aria-describedby={describedBy}
                value={labels}
                onChange={(e) => setLabels(e.target.value)}
                placeholder="design, q3"
              />
            )}
          </Field>
        </div>
        <div className="mt-2 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <DialogClose asChild>
            <Button variant="secondary">Cancel</Button>
          </DialogClose>
          <Button type="submit" loading={create.isPending} disabled={!title.trim() || !effectiveProject}>
            Create task
          </Button>
        </div>
      </form>
    );
  }

  return (
    <DialogRoot open={open} onOpenChange={onOpenChange}>
      <DialogContent title="New task" className="sm:max-w-xl">
        {body}
      </DialogContent>
    </DialogRoot>
  );
}
