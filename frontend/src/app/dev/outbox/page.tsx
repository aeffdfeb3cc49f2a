import type { Metadata } from 'next';
import { Suspense } from 'react';
import { Loading } from '@/components/ui/states';
import { Outbox } from './outbox';

export const metadata: Metadata = { title: 'Dev outbox', robots: { index: false } };

export default function OutboxPage() {
  return (
    <Suspense fallback={<Loading />}>
      <Outbox />
    </Suspense>
  );
}
