'use client';

import * as Tabs from '@radix-ui/react-tabs';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { PageBody, PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { Button, buttonClass } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { DialogClose, DialogContent, DialogRoot } from '@/components/ui/dialog';
import { Field, Input, Textarea } from '@/components/ui/field';
import { ArchiveIcon, FolderIcon, PlusIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, FormError, SkeletonRows } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { useWorkspace } from '@/components/workspace-context';
import { ApiError, api, call, type Project } from '@/lib/api/client';
import { formatDate } from '@/lib/format';
import { useProjects } from '@/lib/queries';

const COLORS = ['#4f46e5', '#0891b2', '#059669', '#d97706', '#dc2626', '#db2777', '#7c3aed', '#475569'];

export function ProjectsView() {
  const { tenantId, can } = useWorkspace();
  const [tab, setTab] = useState<'active' | 'archived'>('active');
  const [creating, setCreating] = useState(false);
  const canWrite = can('project:write');

  return (
    <PageBody>
      <PageHeader
        title="Projects"
        description="Group tasks by goal, team or client."
        actions={
          canWrite && (
            <Button onClick={() => setCreating(true)}>
              <PlusIcon className="size-4" /> New project
            </Button>
          )
        }
      />
      {canWrite && <CreateProjectDialog open={creating} onOpenChange={setCreating} />}
      <Tabs.Root value={tab} onValueChange={(v) => setTab(v as typeof tab)}>
        <Tabs.List aria-label="Project state" className="inline-flex rounded-lg border border-border bg-surface p-0.5 text-sm">
          {(['active', 'archived'] as const).map((v) => (
            <Tabs.Trigger
              key={v}
              value={v}
              className="rounded-md px-3 py-1.5 font-medium text-muted data-[state=active]:bg-surface-2 data-[state=active]:text-foreground"
            >
              {v === 'active' ? 'Active' : 'Archived'}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value="active" className="mt-4 outline-none">
          <ProjectList archived={false} tenantId={tenantId} canWrite={canWrite} onCreate={() => setCreating(true)} />
        </Tabs.Content>
        <Tabs.Content value="archived" className="mt-4 outline-none">
          <ProjectList archived tenantId={tenantId} canWrite={canWrite} />
        </Tabs.Content>
      </Tabs.Root>
    </PageBody>
  );
}

function ProjectList({
  archived,
  tenantId,
  canWrite,
  onCreate,
}: {
  archived: boolean;
  tenantId: string;
  canWrite: boolean;
  onCreate?: () => void;
}) {
  // The API lists active projects, or active and archived ones together.
  const projects = useProjects(tenantId, archived);
  const list = (projects.data ?? []).filter((p) => p.archived === archived);
  if (projects.isPending) return <SkeletonRows rows={3} label="Loading projects" />;
  if (projects.error) return <ErrorState title="Could not load projects" error={projects.error} onRetry={() => projects.refetch()} />;
  if (list.length === 0) {
    return archived ? (
      <EmptyState icon={<ArchiveIcon />} title="No archived projects">
        Archived projects are read-only and can be restored at any time.
      </EmptyState>
    ) : (
      <EmptyState
        icon={<FolderIcon />}
        title="No projects yet"
        action={
          canWrite &&
          onCreate && (
            <Button onClick={onCreate}>
              <PlusIcon className="size-4" /> Create the first project
            </Button>
          )
        }
      >
        {canWrite ? 'Projects hold your tasks. Create one to get started.' : 'An editor or admin can create the first project.'}
      </EmptyState>
    );
  }
  return (
    <ul className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
      {list.map((p) => (
        <ProjectCard key={p.id} project={p} tenantId={tenantId} canWrite={canWrite} />
      ))}
    </ul>
  );
}

function ProjectCard({ project, tenantId, canWrite }: { project: Project; tenantId: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: async () =>
      project.archived
        ? call(
            api.PATCH('/api/v1/tenants/{tenantId}/projects/{projectId}', {
              params: { path: { tenantId, projectId: project.id } },
              body: { archived: false },
            }),
          )
        : call(api.DELETE('/api/v1/tenants/{tenantId}/projects/{projectId}', { params: { path: { tenantId, projectId: project.id } } })),
    onSuccess: () => {
      toast.success(project.archived ? 'Project restored' : 'Project archived', project.name);
      queryClient.invalidateQueries({ queryKey: ['tenant', tenantId, 'projects'] });
    },
    onError: (err) => toast.error(project.archived ? 'Could not restore the project' : 'Could not archive the project', err),
  });
  return (
    <li className={cn('flex flex-col rounded-xl border border-border bg-surface p-4 shadow-xs', project.archived && 'opacity-90')}>
      <div className="flex items-start gap-3">
        <span aria-hidden="true" className="mt-1 size-3 shrink-0 rounded-full" style={{ background: project.color ?? 'var(--muted)' }} />
        <div className="min-w-0 flex-1">
          <h2 className="font-semibold break-words">
            {project.archived ? (
              project.name
            ) : (
              <Link href={`/w/${tenantId}/tasks?projectId=${project.id}`} className="hover:underline">
                {project.name}
              </Link>
            )}
          </h2>
          {project.description && <p className="mt-1 line-clamp-3 text-sm text-muted">{project.description}</p>}
        </div>
        {project.archived && <Badge>Archived</Badge>}
      </div>
      <div className="mt-4 flex items-center justify-between gap-2 text-xs text-muted">
        <span>
          {project.archived && project.archivedAt
            ? `Archived ${formatDate(project.archivedAt)}`
            : `Created ${formatDate(project.createdAt)}`}
        </span>
        <div className="flex items-center gap-1">
          <Link
            href={`/w/${tenantId}/projects/${project.id}`}
            className={buttonClass({ variant: 'ghost', size: 'sm' })}
            aria-label={`Overview of ${project.name}`}
          >
            Overview
          </Link>
          {!project.archived && (
            <Link href={`/w/${tenantId}/board?projectId=${project.id}`} className={buttonClass({ variant: 'ghost', size: 'sm' })}>
              Board
            </Link>
          )}
          {canWrite && (
            <Button
              variant="ghost"
              size="sm"
              loading={toggle.isPending}
              onClick={() => toggle.mutate()}
              aria-label={`${project.archived ? 'Restore' : 'Archive'} ${project.name}`}
            >
              {project.archived ? 'Restore' : 'Archive'}
            </Button>
          )}
        </div>
      </div>
    </li>
  );
}

function CreateProjectDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const { tenantId } = useWorkspace();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [color, setColor] = useState(COLORS[0] as string);
  const create = useMutation({
    mutationFn: async () =>
      (
        await call(
          api.POST('/api/v1/tenants/{tenantId}/projects', {
            params: { path: { tenantId } },
            body: { name: name.trim(), description: description.trim() || null, color },
          }),
        )
      ).data,
    onSuccess: (p) => {
      toast.success('Project created', p.name);
      queryClient.invalidateQueries({ queryKey: ['tenant', tenantId, 'projects'] });
      setName('');
      setDescription('');
      onOpenChange(false);
    },
  });
  const fieldErrors = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <DialogRoot open={open} onOpenChange={onOpenChange}>
      <DialogContent title="New project">
        <form onSubmit={onSubmit} className="flex flex-col gap-4">
          <FormError error={create.error && !Object.keys(fieldErrors).length ? create.error : null} />
          <Field label="Name" error={fieldErrors.name}>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={name}
                onChange={(e) => setName(e.target.value)}
                required
                maxLength={100}
                autoFocus
              />
            )}
          </Field>
          <Field label="Description" error={fieldErrors.description}>
            {({ id }) => (
              <Textarea id={id} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} rows={3} />
            )}
          </Field>
          <fieldset>
            <legend className="text-sm font-medium">Color</legend>
            <div className="mt-2 flex flex-wrap gap-2">
              {COLORS.map((c) => (
                <label key={c} className="relative cursor-pointer">
                  <input type="radio" name="color" value={c} checked={color === c} onChange={() => setColor(c)} className="peer sr-only" />
                  <span
                    className="block size-7 rounded-full ring-offset-2 ring-offset-surface peer-checked:ring-2 peer-checked:ring-foreground peer-focus-visible:outline-2 peer-focus-visible:outline-focus"
                    style={{ background: c }}
                  />
                  <span className="sr-only">{c}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <div className="mt-2 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <DialogClose asChild>
              <Button variant="secondary">Cancel</Button>
            </DialogClose>
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              Create project
            </Button>
          </div>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}
