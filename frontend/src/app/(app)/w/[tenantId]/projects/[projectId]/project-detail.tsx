'use client';

import Link from 'next/link';
import { ProjectSummary } from '@/components/ai/project-summary';
import { PageBody, PageHeader } from '@/components/page-header';
import { buttonClass } from '@/components/ui/button';
import { ArrowLeftIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/states';
import { useWorkspace } from '@/components/workspace-context';
import { useProjects } from '@/lib/queries';

export function ProjectDetail({ projectId }: { projectId: string }) {
  const { tenantId, can } = useWorkspace();
  const active = useProjects(tenantId);
  const archived = useProjects(tenantId, true);
  const project = active.data?.find((p) => p.id === projectId) ?? archived.data?.find((p) => p.id === projectId);
  const pending = active.isPending || archived.isPending;
  const error = active.error ?? archived.error;

  return (
    <PageBody>
      <Link
        href={`/w/${tenantId}/projects`}
        className="inline-flex items-center gap-1.5 self-start text-sm font-medium text-muted hover:text-foreground"
      >
        <ArrowLeftIcon className="size-4" /> All projects
      </Link>
      {pending && !project ? (
        <SkeletonRows rows={2} label="Loading project" />
      ) : error && !project ? (
        <ErrorState title="Could not load the project" error={error} onRetry={() => active.refetch()} />
      ) : !project ? (
        <EmptyState title="Project not found">It was deleted, or you cannot see it.</EmptyState>
      ) : (
        <>
          <PageHeader
            title={project.name}
            description={project.description || undefined}
            actions={
              <>
                <Link href={`/w/${tenantId}/tasks?projectId=${project.id}`} className={buttonClass({ variant: 'secondary', size: 'sm' })}>
                  Tasks
                </Link>
                <Link href={`/w/${tenantId}/board?projectId=${project.id}`} className={buttonClass({ variant: 'secondary', size: 'sm' })}>
                  Board
                </Link>
              </>
            }
          />
          {can('ai:use') ? (
            <ProjectSummary projectId={project.id} />
          ) : (
            <p className="text-sm text-muted">Your role cannot use AI features in this workspace.</p>
          )}
        </>
      )}
    </PageBody>
  );
}
