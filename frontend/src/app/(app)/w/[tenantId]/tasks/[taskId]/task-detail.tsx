'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { TaskBreakdownPanel } from '@/components/ai/task-breakdown-panel';
import { PageBody } from '@/components/page-header';
import { parseLabels } from '@/components/task-form-dialog';
import { Avatar } from '@/components/ui/avatar';
import { Badge, PriorityBadge, StatusBadge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { Field, Input, Select, Textarea } from '@/components/ui/field';
import { ArrowLeftIcon, ChatIcon, TrashIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, FormError, Skeleton } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { useWorkspace } from '@/components/workspace-context';
import { ApiError, api, call, etagOf, type Task, type TaskPriority, type TaskStatus } from '@/lib/api/client';
import { formatDateTime, formatDay, formatRelative, PRIORITIES, PRIORITY_LABEL, STATUS_LABEL, STATUSES } from '@/lib/format';
import { canWriteTask } from '@/lib/permissions';
import { keys, useComments, useMemberMap, useProjects, useTask } from '@/lib/queries';

interface Draft {
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  assigneeId: string;
  dueDate: string;
  labels: string;
  projectId: string;
}

const toDraft = (t: Task): Draft => ({
  title: t.title,
  description: t.description,
  status: t.status,
  priority: t.priority,
  assigneeId: t.assigneeId ?? '',
  dueDate: t.dueDate ?? '',
  labels: t.labels.join(', '),
  projectId: t.projectId,
});

export function TaskDetail({ taskId }: { taskId: string }) {
  const { tenantId, user, can } = useWorkspace();
  const task = useTask(tenantId, taskId);
  const backHref = `/w/${tenantId}/tasks`;

  if (task.isPending) {
    return (
      <PageBody>
        <div role="status" aria-label="Loading task" className="flex flex-col gap-4">
          <Skeleton className="h-5 w-24" />
          <Skeleton className="h-9 w-2/3" />
          <Skeleton className="h-40 w-full" />
        </div>
      </PageBody>
    );
  }
  if (task.error) {
    const missing = task.error instanceof ApiError && task.error.status === 404;
    return (
      <PageBody>
        <BackLink href={backHref} />
        {missing ? (
          <EmptyState title="Task not found">It was deleted, or you cannot see it.</EmptyState>
        ) : (
          <ErrorState title="Could not load the task" error={task.error} onRetry={() => task.refetch()} />
        )}
      </PageBody>
    );
  }
  const editable = canWriteTask(can, user.id, task.data);
  return (
    <PageBody>
      <BackLink href={backHref} />
      <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="flex min-w-0 flex-col gap-8">
          {editable ? <TaskEditor task={task.data} /> : <TaskReadOnly task={task.data} />}
          {can('ai:use') && <TaskBreakdownPanel task={task.data} />}
          <Comments taskId={taskId} canComment={can('comment:write')} />
        </div>
        <TaskMeta task={task.data} />
      </div>
    </PageBody>
  );
}

function BackLink({ href }: { href: string }) {
  return (
    <Link href={href} className="inline-flex items-center gap-1.5 self-start text-sm font-medium text-muted hover:text-foreground">
      <ArrowLeftIcon className="size-4" /> All tasks
    </Link>
  );
}

function TaskReadOnly({ task }: { task: Task }) {
  const { tenantId, can } = useWorkspace();
  const { map } = useMemberMap(tenantId, can('member:read'));
  const projects = useProjects(tenantId);
  const project = projects.data?.find((p) => p.id === task.projectId);
  return (
    <article className="flex flex-col gap-5">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight break-words">{task.title}</h1>
        <p className="mt-2 text-sm text-muted">You can read this task but not change it.</p>
      </div>
      <dl className="grid grid-cols-2 gap-4 rounded-xl border border-border bg-surface p-4 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-xs text-muted">Status</dt>
          <dd className="mt-1">
            <StatusBadge status={task.status} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Priority</dt>
          <dd className="mt-1">
            <PriorityBadge priority={task.priority} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Assignee</dt>
          <dd className="mt-1">{task.assigneeId ? (map.get(task.assigneeId)?.name ?? 'A member') : 'Unassigned'}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Project</dt>
          <dd className="mt-1">{project?.name ?? '—'}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Due</dt>
          <dd className="mt-1">{task.dueDate ? formatDay(task.dueDate) : 'No due date'}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Labels</dt>
          <dd className="mt-1 flex flex-wrap gap-1">{task.labels.length ? task.labels.map((l) => <Badge key={l}>{l}</Badge>) : '—'}</dd>
        </div>
      </dl>
      <section aria-labelledby="desc-h">
        <h2 id="desc-h" className="text-sm font-semibold">
          Description
        </h2>
        <p className="mt-2 text-sm leading-relaxed whitespace-pre-wrap">
          {task.description || <span className="text-muted">No description.</span>}
        </p>
      </section>
    </article>
  );
}

function TaskEditor({ task }: { task: Task }) {
  const { tenantId, user, can } = useWorkspace();
  const queryClient = useQueryClient();
  const router = useRouter();
  const projects = useProjects(tenantId);
  const { members } = useMemberMap(tenantId, can('member:read'));
  const [draft, setDraft] = useState<Draft>(() => toDraft(task));
  const [base, setBase] = useState<Task>(task);
  const [confirmDelete, setConfirmDelete] = useState(false);

  // When the task changes underneath (refetch) and the user has no edits, follow it.
  const dirty = useMemo(() => JSON.stringify(draft) !== JSON.stringify(toDraft(base)), [draft, base]);
  useEffect(() => {
    if (!dirty && task.version !== base.version) {
      setBase(task);
      setDraft(toDraft(task));
    }
  }, [task, base, dirty]);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const save = useMutation({
    mutationFn: async () => {
      const patch: Record<string, unknown> = {};
      const before = toDraft(base);
      if (draft.title !== before.title) patch.title = draft.title.trim();
      if (draft.description !== before.description) patch.description = draft.description;
      if (draft.status !== before.status) patch.status = draft.status;
      if (draft.priority !== before.priority) patch.priority = draft.priority;
      if (draft.assigneeId !== before.assigneeId) patch.assigneeId = draft.assigneeId || null;
      if (draft.dueDate !== before.dueDate) patch.dueDate = draft.dueDate || null;
      if (draft.labels !== before.labels) patch.labels = parseLabels(draft.labels);
      if (draft.projectId !== before.projectId) patch.projectId = draft.projectId;
      return (
        await call(
          api.PATCH('/api/v1/tenants/{tenantId}/tasks/{taskId}', {
            params: { path: { tenantId, taskId: task.id }, header: { 'if-match': etagOf(base) } },
            body: patch,
          }),
        )
      ).data;
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.task(tenantId, task.id), updated);
      queryClient.invalidateQueries({ queryKey: keys.tasks(tenantId), refetchType: 'none' });
      setBase(updated);
      setDraft(toDraft(updated));
      toast.success('Task saved');
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'precondition_failed') {
        toast.error('Someone changed this task meanwhile', err);
        queryClient.invalidateQueries({ queryKey: keys.task(tenantId, task.id) });
      }
    },
  });

  const remove = useMutation({
    mutationFn: async () =>
      call(api.DELETE('/api/v1/tenants/{tenantId}/tasks/{taskId}', { params: { path: { tenantId, taskId: task.id } } })),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: keys.tasks(tenantId) });
      toast.success('Task deleted', task.title);
      router.push(`/w/${tenantId}/tasks`);
    },
    onError: (err) => toast.error('Could not delete the task', err),
  });

  const fieldErrors = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const stale = save.error instanceof ApiError && save.error.code === 'precondition_failed';

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-5" aria-label="Edit task">
      <Field label="Title" error={fieldErrors.title}>
        {({ id, describedBy, invalid }) => (
          <Input
            id={id}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            value={draft.title}
            onChange={(e) => set('title', e.target.value)}
            required
            maxLength={200}
            className="h-12 text-lg font-semibold"
          />
        )}
      </Field>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-3">
        <Field label="Status">
          {({ id }) => (
            <Select id={id} value={draft.status} onChange={(e) => set('status', e.target.value as TaskStatus)}>
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
            <Select id={id} value={draft.priority} onChange={(e) => set('priority', e.target.value as TaskPriority)}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {PRIORITY_LABEL[p]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Assignee" error={fieldErrors.assigneeId}>
          {({ id }) => (
            <Select id={id} value={draft.assigneeId} onChange={(e) => set('assigneeId', e.target.value)}>
              <option value="">Unassigned</option>
              {(members.data ?? [{ userId: user.id, name: user.name }]).map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.userId === user.id ? `${m.name} (you)` : m.name}
                </option>
              ))}
              {draft.assigneeId && members.data && !members.data.some((m) => m.userId === draft.assigneeId) && (
                <option value={draft.assigneeId}>Former member</option>
              )}
            </Select>
          )}
        </Field>
        <Field label="Project" error={fieldErrors.projectId}>
          {({ id }) => (
            <Select id={id} value={draft.projectId} onChange={(e) => set('projectId', e.target.value)}>
              {(projects.data ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
              {!projects.data?.some((p) => p.id === draft.projectId) && <option value={draft.projectId}>Current project</option>}
            </Select>
          )}
        </Field>
        <Field label="Due date" error={fieldErrors.dueDate}>
          {({ id }) => <Input id={id} type="date" value={draft.dueDate} onChange={(e) => set('dueDate', e.target.value)} />}
        </Field>
        <Field label="Labels" hint="Separate with commas." error={fieldErrors.labels}>
          {({ id, describedBy }) => (
            <Input id={id} aria-describedby={describedBy} value={draft.labels} onChange={(e) => set('labels', e.target.value)} />
          )}
        </Field>
      </div>
      <Field label="Description" hint="Markdown is fine." error={fieldErrors.description}>
        {({ id, describedBy }) => (
          <Textarea
            id={id}
            aria-describedby={describedBy}
            value={draft.description}
            onChange={(e) => set('description', e.target.value)}
            rows={6}
            maxLength={10_000}
          />
        )}
      </Field>
      {save.error && !Object.keys(fieldErrors).length && (
        <div className="flex flex-col gap-2">
          <FormError error={save.error} />
          {stale && (
            <Button
              variant="secondary"
              size="sm"
              className="self-start"
              onClick={() => {
                setBase(task);
                setDraft(toDraft(task));
                save.reset();
              }}
            >
              Discard my changes and load the latest
            </Button>
          )}
        </div>
      )}
      <div className="flex flex-wrap items-center justify-between gap-3 border-t border-border pt-4">
        <Button variant="danger-ghost" onClick={() => setConfirmDelete(true)}>
          <TrashIcon className="size-4" /> Delete task
        </Button>
        <div className="flex items-center gap-2">
          {dirty && (
            <Button variant="ghost" onClick={() => setDraft(toDraft(base))}>
              Discard
            </Button>
          )}
          <Button type="submit" loading={save.isPending} disabled={!dirty || !draft.title.trim()}>
            Save changes
          </Button>
        </div>
      </div>
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title="Delete this task?"
        description={`“${task.title}” and its comments will be deleted. This cannot be undone.`}
        confirmLabel="Delete task"
        pending={remove.isPending}
        onConfirm={() => remove.mutate()}
      />
    </form>
  );
}

function TaskMeta({ task }: { task: Task }) {
  const { tenantId, can } = useWorkspace();
  const { map } = useMemberMap(tenantId, can('member:read'));
  const creator = task.createdBy ? map.get(task.createdBy) : undefined;
  return (
    <aside aria-label="Details" className="h-fit rounded-xl border border-border bg-surface p-4 text-sm lg:sticky lg:top-6">
      <dl className="flex flex-col gap-3">
        <div className="flex justify-between gap-3">
          <dt className="text-muted">Created</dt>
          <dd className="text-right">{formatDateTime(task.createdAt)}</dd>
        </div>
        {creator && (
          <div className="flex justify-between gap-3">
            <dt className="text-muted">By</dt>
            <dd className="text-right">{creator.name}</dd>
          </div>
        )}
        <div className="flex justify-between gap-3">
          <dt className="text-muted">Updated</dt>
          <dd className="text-right">{formatRelative(task.updatedAt)}</dd>
        </div>
        {task.completedAt && (
          <div className="flex justify-between gap-3">
            <dt className="text-muted">Completed</dt>
            <dd className="text-right">{formatDateTime(task.completedAt)}</dd>
          </div>
        )}
        <div className="flex justify-between gap-3">
          <dt className="text-muted">Version</dt>
          <dd className="font-mono text-xs">v{task.version}</dd>
        </div>
        <div className="flex justify-between gap-3">
          <dt className="text-muted">ID</dt>
          <dd className="truncate font-mono text-xs select-all">{task.id}</dd>
        </div>
      </dl>
    </aside>
  );
}

function Comments({ taskId, canComment }: { taskId: string; canComment: boolean }) {
  const { tenantId, user, can } = useWorkspace();
  const queryClient = useQueryClient();
  const comments = useComments(tenantId, taskId);
  const { map } = useMemberMap(tenantId, can('member:read'));
  const [body, setBody] = useState('');
  const [deleting, setDeleting] = useState<string | null>(null);

  const add = useMutation({
    mutationFn: async () =>
      (
        await call(
          api.POST('/api/v1/tenants/{tenantId}/tasks/{taskId}/comments', {
            params: { path: { tenantId, taskId } },
            body: { body: body.trim() },
          }),
        )
      ).data,
    onSuccess: () => {
      setBody('');
      queryClient.invalidateQueries({ queryKey: keys.comments(tenantId, taskId) });
    },
  });
  const remove = useMutation({
    mutationFn: async (commentId: string) =>
      call(
        api.DELETE('/api/v1/tenants/{tenantId}/tasks/{taskId}/comments/{commentId}', { params: { path: { tenantId, taskId, commentId } } }),
      ),
    onSuccess: () => {
      setDeleting(null);
      toast.success('Comment deleted');
      queryClient.invalidateQueries({ queryKey: keys.comments(tenantId, taskId) });
    },
    onError: (err) => toast.error('Could not delete the comment', err),
  });

  return (
    <section aria-labelledby="comments-h" className="flex flex-col gap-4">
      <h2 id="comments-h" className="flex items-center gap-2 text-base font-semibold">
        Comments {comments.data && <span className="text-sm font-normal text-muted">({comments.data.length})</span>}
      </h2>
      {comments.isPending ? (
        <Skeleton className="h-16 w-full" />
      ) : comments.error ? (
        <ErrorState title="Could not load comments" error={comments.error} onRetry={() => comments.refetch()} />
      ) : comments.data.length === 0 ? (
        <p className="flex items-center gap-2 rounded-xl border border-dashed border-border px-4 py-6 text-sm text-muted">
          <ChatIcon className="size-4" /> No comments yet.{canComment ? ' Start the conversation below.' : ''}
        </p>
      ) : (
        <ol className="flex flex-col gap-3">
          {comments.data.map((c) => {
            const author = c.authorId ? map.get(c.authorId) : undefined;
            const name = c.authorId === user.id ? user.name : (author?.name ?? 'Former member');
            const mayDelete = c.authorId === user.id || can('task:write:all');
            return (
              <li key={c.id} className="flex gap-3">
                <Avatar name={name} seed={c.authorId ?? 'x'} />
                <div className="min-w-0 flex-1 rounded-xl border border-border bg-surface px-4 py-3">
                  <div className="flex items-center justify-between gap-2">
                    <p className="text-sm">
                      <span className="font-semibold">{name}</span>{' '}
                      <time dateTime={c.createdAt} title={formatDateTime(c.createdAt)} className="text-xs text-muted">
                        {formatRelative(c.createdAt)}
                      </time>
                    </p>
                    {mayDelete && (
                      <Button
                        variant="ghost"
                        size="icon"
                        className="-my-1 size-7 text-muted"
                        aria-label="Delete comment"
                        onClick={() => setDeleting(c.id)}
                      >
                        <TrashIcon className="size-4" />
                      </Button>
                    )}
                  </div>
                  <p className="mt-1 text-sm leading-relaxed break-words whitespace-pre-wrap">{c.body}</p>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {canComment && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
          className="flex flex-col gap-2"
        >
          <FormError error={add.error} />
          <Field label="Add a comment">
            {({ id }) => (
              <Textarea
                id={id}
                value={body}
                onChange={(e) => setBody(e.target.value)}
                rows={3}
                maxLength={10_000}
                placeholder="Write a comment…"
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.metaKey || e.ctrlKey) && body.trim()) add.mutate();
                }}
              />
            )}
          </Field>
          <Button type="submit" className="self-end" loading={add.isPending} disabled={!body.trim()}>
            Comment
          </Button>
        </form>
      )}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title="Delete this comment?"
        description="This cannot be undone."
        confirmLabel="Delete comment"
        pending={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
    </section>
  );
}
