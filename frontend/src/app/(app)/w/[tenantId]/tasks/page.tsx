import type { Metadata } from 'next';
import { Suspense } from 'react';
import { Loading } from '@/components/ui/states';
import { TasksView } from './tasks-view';

export const metadata: Metadata = { title: 'Tasks' };

export default function TasksPage() {
  return (
    <Suspense fallback={<Loading />}>
      <TasksView />
    </Suspense>
  );
}
