'use client';

import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { type DragEvent, useMemo, useRef, useState } from 'react';
import { PageBody, PageHeader } from '@/components/page-header';
import { CreateTaskDialog } from '@/components/task-form-dialog';
import { Avatar } from '@/components/ui/avatar';
import { PriorityBadge, StatusDot } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { Label, Select } from '@/components/ui/field';
import { ArrowDownIcon, ArrowUpIcon, BoardIcon, CalendarIcon, GripIcon, PlusIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, Skeleton } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { useWorkspace } from '@/components/workspace-context';
import { api, call, etagOf, type Task, type TaskStatus } from '@/lib/api/client';
import { formatDay, isOverdue, STATUS_LABEL, STATUSES } from '@/lib/format';
import { canWriteTask } from '@/lib/permissions';
import { keys, useBoardTasks, useMemberMap, useProjects } from '@/lib/queries';

const STEP = 1024;

/** A position that sorts between `before` and `after` (either may be missing). */
function positionBetween(before: Task | undefined, after: Task | undefined): number {
  if (before && after) return (before.position + after.position) / 2;
  if (before) return before.position + STEP;
  if (after) return after.position - STEP;
  return STEP;
}

/** Where the drop line goes: before card `index`, or after the last card (indexes exclude the dragged card). */
function dropMarkerFor(list: Task[], index: number, dragging: string | null, dropIndex: number | null): 'before' | 'after' | null {
  const task = list[index];
  if (dropIndex === null || !task || task.id === dragging) return null;
  const others = list.filter((t) => t.id !== dragging);
  const i = others.indexOf(task);
  if (i === dropIndex) return 'before';
  if (dropIndex === others.length && i === others.length - 1) return 'after';
  return null;
}

interface Move {
  task: Task;
  status: TaskStatus;
  position: number;
}

export function BoardView() {
  const { tenantId, user, can } = useWorkspace();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const projectId = params.get('projectId') ?? undefined;
  const queryClient = useQueryClient();
  const board = useBoardTasks(tenantId, projectId);
  const projects = useProjects(tenantId);
  const { map: members } = useMemberMap(tenantId, can('member:read'));
  const [creating, setCreating] = useState<TaskStatus | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const [dropTarget, setDropTarget] = useState<{ status: TaskStatus; index: number } | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const key = keys.board(tenantId, projectId);

  const columns = useMemo(() => {
    const byStatus = new Map<TaskStatus, Task[]>(STATUSES.map((s) => [s, []]));
    for (const t of board.data ?? []) byStatus.get(t.status)?.push(t);
    for (const list of byStatus.values()) list.sort((a, b) => a.position - b.position || a.createdAt.localeCompare(b.createdAt));
    return byStatus;
  }, [board.data]);

  const move = useMutation({
    mutationFn: async ({ task, status, position }: Move) => {
      const body: { status?: TaskStatus; position: number } = { position };
      if (status !== task.status) body.status = status;
      return (
        await call(
          api.PATCH('/api/v1/tenants/{tenantId}/tasks/{taskId}', {
            params: { path: { tenantId, taskId: task.id }, header: { 'if-match': etagOf(task) } },
            body,
          }),
        )
      ).data;
    },
    onMutate: async ({ task, status, position }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<Task[]>(key);
      queryClient.setQueryData<Task[]>(key, (old) => old?.map((t) => (t.id === task.id ? { ...t, status, position } : t)));
      return { previous };
    },
    onError: (err, { task }, context) => {
      if (context?.previous) queryClient.setQueryData(key, context.previous);
      toast.error(`Could not move “${task.title}”`, err);
      setAnnouncement(`Moving ${task.title} failed; it is back where it was.`);
      queryClient.invalidateQueries({ queryKey: key });
    },
    onSuccess: (updated) => {
      queryClient.setQueryData<Task[]>(key, (old) => old?.map((t) => (t.id === updated.id ? updated : t)));
      queryClient.setQueryData(keys.task(tenantId, updated.id), updated);
      queryClient.invalidateQueries({ queryKey: keys.tasks(tenantId), refetchType: 'none' });
    },
  });

  function moveTo(task: Task, status: TaskStatus, index: number) {
    const list = (columns.get(status) ?? []).filter((t) => t.id !== task.id);
    const clamped = Math.max(0, Math.min(index, list.length));
    const position = positionBetween(list[clamped - 1], list[clamped]);
    if (status === task.status) {
      const current = columns.get(status)?.findIndex((t) => t.id === task.id) ?? -1;
      if (current === clamped) return; // dropped where it was
    }
    setAnnouncement(`${task.title} moved to ${STATUS_LABEL[status]}, position ${clamped + 1}.`);
    move.mutate({ task, status, position });
  }

  function changeProject(value: string) {
    const next = new URLSearchParams(params.toString());
    if (value) next.set('projectId', value);
    else next.delete('projectId');
    router.replace(next.size ? `${pathname}?${next}` : pathname, { scroll: false });
  }

  const total = board.data?.length ?? 0;

  return (
    <PageBody wide>
      <PageHeader
        title="Board"
        description={can('task:write:own') ? 'Drag cards between columns, or use a card’s Move menu.' : 'Tasks by status.'}
        actions={
          <>
            <div className="flex items-center gap-2">
              <Label htmlFor="board-project" className="text-sm text-muted">
                Project
              </Label>
              <Select id="board-project" value={projectId ?? ''} onChange={(e) => changeProject(e.target.value)} className="h-9 w-44">
                <option value="">All projects</option>
                {(projects.data ?? []).map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </Select>
            </div>
            {can('task:create') && (
              <Button onClick={() => setCreating('todo')}>
                <PlusIcon className="size-4" /> New task
              </Button>
            )}
          </>
        }
      />
      {can('task:create') && (
        <CreateTaskDialog
          open={creating !== null}
          onOpenChange={(o) => !o && setCreating(null)}
          defaults={{ status: creating ?? 'todo', projectId }}
        />
      )}
      <p aria-live="polite" className="sr-only">
        {announcement}
      </p>

      {board.isPending ? (
        <div role="status" aria-label="Loading board" className="grid gap-4 md:grid-cols-2 xl:grid-cols-4">
          {STATUSES.map((s) => (
            <Skeleton key={s} className="h-64" />
          ))}
        </div>
      ) : board.error ? (
        <ErrorState title="Could not load the board" error={board.error} onRetry={() => board.refetch()} />
      ) : total === 0 ? (
        <EmptyState
          icon={<BoardIcon />}
          title={projectId ? 'No tasks in this project' : 'The board is empty'}
          action={
            can('task:create') && (
              <Button onClick={() => setCreating('todo')}>
                <PlusIcon className="size-4" /> Create a task
              </Button>
            )
          }
        >
          Tasks appear here in a column for each status.
        </EmptyState>
      ) : (
        <div className="-mx-4 flex scroll-px-4 snap-x snap-mandatory gap-4 overflow-x-auto px-4 pb-4 sm:mx-0 sm:px-0 md:grid md:grid-cols-2 md:overflow-visible xl:grid-cols-4">
          {STATUSES.map((status) => {
            const list = columns.get(status) ?? [];
            return (
              <Column
                key={status}
                status={status}
                tasks={list}
                dropIndex={dropTarget?.status === status ? dropTarget.index : null}
                onDragOverIndex={(index) => setDropTarget({ status, index })}
                onDrop={(index) => {
                  const task = (board.data ?? []).find((t) => t.id === dragging);
                  setDropTarget(null);
                  setDragging(null);
                  if (task) moveTo(task, status, index);
                }}
                onDragLeave={() => setDropTarget((d) => (d?.status === status ? null : d))}
                onAdd={can('task:create') ? () => setCreating(status) : undefined}
              >
                {list.map((task, index) => (
                  <Card
                    key={task.id}
                    dropMarker={dropMarkerFor(list, index, dragging, dropTarget?.status === status ? dropTarget.index : null)}
                    task={task}
                    tenantId={tenantId}
                    assigneeName={
                      task.assigneeId
                        ? (members.get(task.assigneeId)?.name ?? (task.assigneeId === user.id ? user.name : undefined))
                        : undefined
                    }
                    editable={canWriteTask(can, user.id, task)}
                    dragging={dragging === task.id}
                    onDragStart={() => setDragging(task.id)}
                    onDragEnd={() => {
                      setDragging(null);
                      setDropTarget(null);
                    }}
                    isFirst={index === 0}
                    isLast={index === list.length - 1}
                    onMove={(to, i) => moveTo(task, to, i)}
                    index={index}
                  />
                ))}
              </Column>
            );
          })}
        </div>
      )}
    </PageBody>
  );
}

function Column({
  status,
  tasks,
  children,
  dropIndex,
  onDragOverIndex,
  onDrop,
  onDragLeave,
  onAdd,
}: {
  status: TaskStatus;
  tasks: Task[];
  children: React.ReactNode;
  dropIndex: number | null;
  onDragOverIndex: (index: number) => void;
  onDrop: (index: number) => void;
  onDragLeave: () => void;
  onAdd?: () => void;
}) {
  const listRef = useRef<HTMLOListElement>(null);

  function indexAt(e: DragEvent) {
    // Indexes count the other cards only (the dragged one is taken out of the column).
    const cards = Array.from(listRef.current?.querySelectorAll<HTMLElement>('[data-card]:not([data-dragging])') ?? []);
    for (let i = 0; i < cards.length; i++) {
      const r = cards[i]?.getBoundingClientRect();
      if (r && e.clientY < r.top + r.height / 2) return i;
    }
    return cards.length;
  }

  return (
    <section
      aria-labelledby={`col-${status}`}
      data-column={status}
      className={cn(
        'flex w-[82vw] max-w-xs shrink-0 snap-start flex-col rounded-xl border border-border bg-surface-2/60 md:w-auto md:max-w-none',
        dropIndex !== null && 'border-accent ring-2 ring-accent/30',
      )}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        onDragOverIndex(indexAt(e));
      }}
      onDragLeave={(e) => {
        // relatedTarget is unreliable during drags: leave only when the pointer is outside the column.
        const r = e.currentTarget.getBoundingClientRect();
        if (e.clientX <= r.left || e.clientX >= r.right || e.clientY <= r.top || e.clientY >= r.bottom) onDragLeave();
      }}
      onDrop={(e) => {
        e.preventDefault();
        onDrop(indexAt(e));
      }}
    >
      <header className="flex items-center justify-between gap-2 px-3 pt-3 pb-2">
        <h2 id={`col-${status}`} className="flex items-center gap-2 text-sm font-semibold">
          <StatusDot status={status} />
          {STATUS_LABEL[status]}
          <span className="rounded-full bg-surface px-1.5 text-xs font-medium text-muted">{tasks.length}</span>
        </h2>
        {onAdd && (
          <Button variant="ghost" size="icon" className="size-7" aria-label={`Add a task to ${STATUS_LABEL[status]}`} onClick={onAdd}>
            <PlusIcon className="size-4" />
          </Button>
        )}
      </header>
      <ol ref={listRef} className="flex min-h-24 flex-1 flex-col gap-2 px-2 pb-2" aria-label={`${STATUS_LABEL[status]} tasks`}>
        {children}
        {/* Nothing under the pointer is added or removed while dragging: that would cancel the drop. */}
        {tasks.length === 0 && (
          <li
            className={cn(
              'flex flex-1 items-center justify-center rounded-lg border border-dashed px-3 py-6 text-center text-xs text-muted',
              dropIndex !== null ? 'border-accent bg-accent-soft/50' : 'border-border',
            )}
          >
            {dropIndex !== null ? 'Drop here' : 'Nothing here'}
          </li>
        )}
      </ol>
    </section>
  );
}

function Card({
  dropMarker,
  task,
  tenantId,
  assigneeName,
  editable,
  dragging,
  onDragStart,
  onDragEnd,
  onMove,
  isFirst,
  isLast,
  index,
}: {
  dropMarker: 'before' | 'after' | null;
  task: Task;
  tenantId: string;
  assigneeName: string | undefined;
  editable: boolean;
  dragging: boolean;
  onDragStart: () => void;
  onDragEnd: () => void;
  onMove: (status: TaskStatus, index: number) => void;
  isFirst: boolean;
  isLast: boolean;
  index: number;
}) {
  const overdue = isOverdue(task.dueDate, task.status);
  return (
    <li
      data-card={task.id}
      data-dragging={dragging || undefined}
      draggable={editable}
      onDragStart={(e) => {
        e.dataTransfer.effectAllowed = 'move';
        e.dataTransfer.setData('text/plain', task.id);
        onDragStart();
      }}
      onDragEnd={onDragEnd}
      className={cn(
        'group relative rounded-lg border border-border bg-surface p-3 shadow-xs motion-safe:transition-shadow hover:shadow-md',
        editable && 'cursor-grab active:cursor-grabbing',
        dragging && 'opacity-40',
      )}
    >
      {dropMarker && (
        <span
          aria-hidden="true"
          className={cn(
            'pointer-events-none absolute inset-x-0 h-1 rounded-full bg-accent',
            dropMarker === 'before' ? '-top-1.5' : '-bottom-1.5',
          )}
        />
      )}
      <div className="flex items-start gap-2">
        {editable && <GripIcon className="mt-0.5 -ml-1 size-4 text-subtle" />}
        <Link
          href={`/w/${tenantId}/tasks/${task.id}`}
          className="min-w-0 flex-1 text-sm font-medium break-words outline-none hover:underline focus-visible:underline"
        >
          {task.title}
        </Link>
        {editable && <MoveMenu task={task} onMove={onMove} isFirst={isFirst} isLast={isLast} index={index} />}
      </div>
      <div className="mt-2 flex flex-wrap items-center gap-2 text-xs text-muted">
        <PriorityBadge priority={task.priority} />
        {task.dueDate && (
          <span className={cn('inline-flex items-center gap-1', overdue && 'font-medium text-danger')}>
            <CalendarIcon className="size-3.5" />
            {formatDay(task.dueDate)}
          </span>
        )}
        {task.assigneeId && (
          <span className="ml-auto">
            <Avatar size="sm" name={assigneeName ?? '?'} seed={task.assigneeId} label={`Assigned to ${assigneeName ?? 'a member'}`} />
          </span>
        )}
      </div>
    </li>
  );
}

function MoveMenu({
  task,
  onMove,
  isFirst,
  isLast,
  index,
}: {
  task: Task;
  onMove: (status: TaskStatus, index: number) => void;
  isFirst: boolean;
  isLast: boolean;
  index: number;
}) {
  const item = 'flex items-center gap-2 rounded-md px-2 py-1.5 outline-none data-[disabled]:opacity-50 data-[highlighted]:bg-surface-2';
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger
        aria-label={`Move “${task.title}”`}
        className="-mt-1 -mr-1 rounded-md px-1.5 py-0.5 text-xs font-medium text-muted hover:bg-surface-2 hover:text-foreground"
      >
        Move
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="end"
          sideOffset={4}
          className="z-50 min-w-44 rounded-xl border border-border bg-surface p-1.5 text-sm shadow-xl"
        >
          <DropdownMenu.Item className={item} disabled={isFirst} onSelect={() => onMove(task.status, index - 1)}>
            <ArrowUpIcon className="size-4" /> Move up
          </DropdownMenu.Item>
          <DropdownMenu.Item className={item} disabled={isLast} onSelect={() => onMove(task.status, index + 1)}>
            <ArrowDownIcon className="size-4" /> Move down
          </DropdownMenu.Item>
          <DropdownMenu.Separator className="my-1 h-px bg-border" />
          <DropdownMenu.Label className="px-2 py-1 text-xs font-semibold text-muted">Move to</DropdownMenu.Label>
          {STATUSES.filter((s) => s !== task.status).map((s) => (
            <DropdownMenu.Item key={s} className={item} onSelect={() => onMove(s, Number.MAX_SAFE_INTEGER)}>
              <StatusDot status={s} /> {STATUS_LABEL[s]}
            </DropdownMenu.Item>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
