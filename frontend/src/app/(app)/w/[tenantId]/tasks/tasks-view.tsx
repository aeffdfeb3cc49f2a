'use client';

import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { PageBody, PageHeader } from '@/components/page-header';
import { CreateTaskDialog } from '@/components/task-form-dialog';
import { Avatar } from '@/components/ui/avatar';
import { Badge, PriorityBadge, StatusBadge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { Input, Label, Select } from '@/components/ui/field';
import { CalendarIcon, ListIcon, PlusIcon, SearchIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/states';
import { useWorkspace } from '@/components/workspace-context';
import type { Member, Project, Task, TaskPriority, TaskStatus } from '@/lib/api/client';
import { formatDay, isOverdue, PRIORITIES, PRIORITY_LABEL, STATUS_LABEL, STATUSES } from '@/lib/format';
import { type TaskFilters, useMemberMap, useProjects, useTaskList } from '@/lib/queries';

const FILTER_KEYS = ['projectId', 'status', 'priority', 'assigneeId', 'label', 'q', 'dueBefore', 'dueAfter'] as const;

export function TasksView() {
  const { tenantId, can, user } = useWorkspace();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const [creating, setCreating] = useState(false);

  const filters = useMemo(() => {
    const f: TaskFilters = {};
    for (const k of FILTER_KEYS) {
      const v = params.get(k);
      if (v) (f as Record<string, string>)[k] = v;
    }
    return f;
  }, [params]);

  function setFilter(name: (typeof FILTER_KEYS)[number], value: string) {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(name, value);
    else next.delete(name);
    const qs = next.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  }

  // Debounced search box.
  const [q, setQ] = useState(filters.q ?? '');
  useEffect(() => setQ(filters.q ?? ''), [filters.q]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the typed text changes
  useEffect(() => {
    const t = setTimeout(() => {
      if ((filters.q ?? '') !== q.trim()) setFilter('q', q.trim());
    }, 300);
    return () => clearTimeout(t);
  }, [q]);

  const tasks = useTaskList(tenantId, filters);
  const projects = useProjects(tenantId);
  const { members, map: memberMap } = useMemberMap(tenantId, can('member:read'));
  const projectMap = useMemo(() => new Map((projects.data ?? []).map((p) => [p.id, p])), [projects.data]);
  const rows = tasks.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Object.keys(filters).length > 0;

  return (
    <PageBody>
      <PageHeader
        title="Tasks"
        description="Everything your team is working on."
        actions={
          can('task:create') && (
            <Button onClick={() => setCreating(true)}>
              <PlusIcon className="size-4" /> New task
            </Button>
          )
        }
      />
      {can('task:create') && <CreateTaskDialog open={creating} onOpenChange={setCreating} defaults={{ projectId: filters.projectId }} />}

      <section aria-label="Filters" className="flex flex-col gap-3 rounded-xl border border-border bg-surface p-3 sm:p-4">
        <div className="relative">
          <Label htmlFor="task-search" className="sr-only">
            Search tasks
          </Label>
          <SearchIcon className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted" />
          <Input
            id="task-search"
            type="search"
            placeholder="Search titles and descriptions…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            className="pl-9"
          />
        </div>
        <div className="grid grid-cols-2 gap-2 md:grid-cols-4 2xl:grid-cols-7">
          <FilterSelect label="Status" value={filters.status ?? ''} onChange={(v) => setFilter('status', v)}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </FilterSelect>
          <FilterSelect label="Priority" value={filters.priority ?? ''} onChange={(v) => setFilter('priority', v)}>
            <option value="">Any priority</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_LABEL[p]}
              </option>
            ))}
          </FilterSelect>
          <FilterSelect label="Assignee" value={filters.assigneeId ?? ''} onChange={(v) => setFilter('assigneeId', v)}>
            <option value="">Anyone</option>
            <option value={user.id}>Me</option>
            {(members.data ?? [])
              .filter((m) => m.userId !== user.id)
              .map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name}
                </option>
              ))}
          </FilterSelect>
          <FilterSelect label="Project" value={filters.projectId ?? ''} onChange={(v) => setFilter('projectId', v)}>
            <option value="">All projects</option>
            {(projects.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </FilterSelect>
          <LabelFilter value={filters.label ?? ''} onChange={(v) => setFilter('label', v)} />
          <div className="flex flex-col gap-1">
            <Label htmlFor="due-after" className="text-xs text-muted">
              Due from
            </Label>
            <Input
              id="due-after"
              type="date"
              value={filters.dueAfter ?? ''}
              onChange={(e) => setFilter('dueAfter', e.target.value)}
              className="h-9"
            />
          </div>
          <div className="flex flex-col gap-1">
            <Label htmlFor="due-before" className="text-xs text-muted">
              Due until
            </Label>
            <Input
              id="due-before"
              type="date"
              value={filters.dueBefore ?? ''}
              onChange={(e) => setFilter('dueBefore', e.target.value)}
              className="h-9"
            />
          </div>
        </div>
        {filtered && (
          <div className="flex items-center justify-between gap-2 text-sm">
            <span className="text-muted" aria-live="polite">
              {tasks.isFetching ? 'Filtering…' : `${rows.length}${tasks.hasNextPage ? '+' : ''} matching`}
            </span>
            <Button variant="ghost" size="sm" onClick={() => router.replace(pathname, { scroll: false })}>
              Clear filters
            </Button>
          </div>
        )}
      </section>

      {tasks.isPending ? (
        <SkeletonRows label="Loading tasks" />
      ) : tasks.error && rows.length === 0 ? (
        <ErrorState title="Could not load tasks" error={tasks.error} onRetry={() => tasks.refetch()} />
      ) : rows.length === 0 ? (
        filtered ? (
          <EmptyState
            icon={<SearchIcon />}
            title="No tasks match"
            action={
              <Button variant="secondary" onClick={() => router.replace(pathname)}>
                Clear filters
              </Button>
            }
          >
            Try other filters or search words.
          </EmptyState>
        ) : (
          <EmptyState
            icon={<ListIcon />}
            title="No tasks yet"
            action={
              can('task:create') && (
                <Button onClick={() => setCreating(true)}>
                  <PlusIcon className="size-4" /> Create the first task
                </Button>
              )
            }
          >
            {can('task:create') ? 'Tasks you and your team create show up here.' : 'Tasks show up here once your team creates them.'}
          </EmptyState>
        )
      ) : (
        <>
          <ul
            aria-label="Tasks"
            className={cn(
              'divide-y divide-border overflow-hidden rounded-xl border border-border bg-surface',
              tasks.isFetching && !tasks.isFetchingNextPage && 'opacity-70',
            )}
          >
            {rows.map((t) => (
              <TaskRow
                key={t.id}
                task={t}
                tenantId={tenantId}
                project={projectMap.get(t.projectId)}
                assignee={t.assigneeId ? memberMap.get(t.assigneeId) : undefined}
                meId={user.id}
              />
            ))}
          </ul>
          {tasks.error && <ErrorState title="Could not load more tasks" error={tasks.error} onRetry={() => tasks.fetchNextPage()} />}
          {tasks.hasNextPage && (
            <div className="flex justify-center">
              <Button variant="secondary" loading={tasks.isFetchingNextPage} onClick={() => tasks.fetchNextPage()}>
                Load more
              </Button>
            </div>
          )}
        </>
      )}
    </PageBody>
  );
}

function FilterSelect({
  label,
  value,
  onChange,
  children,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  children: React.ReactNode;
}) {
  const id = `filter-${label.toLowerCase()}`;
  return (
    <div className="flex flex-col gap-1">
      <Label htmlFor={id} className="text-xs text-muted">
        {label}
      </Label>
      <Select id={id} value={value} onChange={(e) => onChange(e.target.value)} className="h-9">
        {children}
      </Select>
    </div>
  );
}

function LabelFilter({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <div className="flex flex-col gap-1">
      <Label htmlFor="filter-label" className="text-xs text-muted">
        Label
      </Label>
      <Input
        id="filter-label"
        className="h-9"
        value={text}
        placeholder="e.g. design"
        onChange={(e) => setText(e.target.value)}
        onBlur={() => text.trim() !== value && onChange(text.trim())}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onChange(text.trim());
        }}
      />
    </div>
  );
}

export function TaskRow({
  task,
  tenantId,
  project,
  assignee,
  meId,
}: {
  task: Task;
  tenantId: string;
  project?: Project;
  assignee?: Member;
  meId: string;
}) {
  const overdue = isOverdue(task.dueDate, task.status);
  return (
    <li className="group relative flex flex-col gap-2 px-4 py-3 hover:bg-surface-2 sm:flex-row sm:items-center sm:gap-4">
      <div className="min-w-0 flex-1">
        <Link
          href={`/w/${tenantId}/tasks/${task.id}`}
          className="font-medium outline-none after:absolute after:inset-0 focus-visible:underline"
        >
          <span className={cn(task.status === 'canceled' && 'text-muted line-through')}>{task.title}</span>
        </Link>
        <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted">
          {project && (
            <span className="inline-flex items-center gap-1.5">
              <span aria-hidden="true" className="size-2 rounded-full" style={{ background: project.color ?? 'var(--muted)' }} />
              {project.name}
            </span>
          )}
          {task.dueDate && (
            <span className={cn('inline-flex items-center gap-1', overdue && 'font-medium text-danger')}>
              <CalendarIcon className="size-3.5" />
              {overdue ? 'Overdue · ' : 'Due '}
              {formatDay(task.dueDate)}
            </span>
          )}
          {task.labels.map((l) => (
            <Badge key={l} className="px-1.5 py-0 text-[11px]">
              {l}
            </Badge>
          ))}
        </div>
      </div>
      <div className="flex shrink-0 items-center gap-2">
        <StatusBadge status={task.status as TaskStatus} />
        <PriorityBadge priority={task.priority as TaskPriority} />
        {task.assigneeId && (
          <Avatar
            size="sm"
            name={assignee?.name ?? (task.assigneeId === meId ? 'Me' : '?')}
            seed={task.assigneeId}
            label={`Assigned to ${assignee?.name ?? (task.assigneeId === meId ? 'you' : 'a member')}`}
          />
        )}
      </div>
    </li>
  );
}
