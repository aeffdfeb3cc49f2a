'use client';

import { Button } from './ui/button';

/** "Load more" for cursor-paginated lists (TanStack infinite queries). */
export function LoadMore({ query }: { query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown } }) {
  if (!query.hasNextPage) return null;
  return (
    <Button variant="secondary" size="sm" className="self-start" loading={query.isFetchingNextPage} onClick={() => query.fetchNextPage()}>
      Load more
    </Button>
  );
}
