import type { Metadata } from 'next';
import { ProjectDetail } from './project-detail';

export const metadata: Metadata = { title: 'Project' };

export default async function ProjectPage({ params }: PageProps<'/w/[tenantId]/projects/[projectId]'>) {
  const { projectId } = await params;
  return <ProjectDetail projectId={projectId} />;
}
