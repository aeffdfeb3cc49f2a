'use client';

import { useQuery } from '@tanstack/react-query';

/** Whether the API exposes the dev outbox (local and test profiles; 404 in production). */
export function useDevOutboxAvailable() {
  const q = useQuery({
    queryKey: ['dev-outbox-available'],
    queryFn: async () => {
      const res = await fetch('/api/v1/dev/outbox?limit=1', { credentials: 'include' });
      return res.ok;
    },
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  return q.data === true;
}
