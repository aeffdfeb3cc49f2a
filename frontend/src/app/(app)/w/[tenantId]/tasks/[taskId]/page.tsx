import type { Metadata } from 'next';
import { TaskDetail } from './task-detail';

export const metadata: Metadata = { title: 'Task' };

export default async function TaskPage({ params }: PageProps<'/w/[tenantId]/tasks/[taskId]'>) {
  const { taskId } = await params;
  return <TaskDetail taskId={taskId} />;
}
