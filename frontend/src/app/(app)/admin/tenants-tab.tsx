'use client';

import { useState } from 'react';
import { ListCard, ListRow, Meta } from '@/components/list-card';
import { LoadMore } from '@/components/load-more';
import { SearchInput } from '@/components/search-input';
import { Badge } from '@/components/ui/badge';
import { FolderIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/states';
import { useAdminTenants } from '@/lib/admin-api';
import { formatRelative } from '@/lib/format';

export function TenantsTab() {
  const [q, setQ] = useState('');
  const tenants = useAdminTenants(q);
  return (
    <section aria-label="Workspaces" className="flex flex-col gap-4">
      <SearchInput label="Search workspaces by name or slug" placeholder="Search name or slug" onSearch={setQ} />
      {tenants.isPending ? (
        <SkeletonRows rows={4} label="Loading workspaces" />
      ) : tenants.error ? (
        <ErrorState title="Could not load workspaces" error={tenants.error} onRetry={() => tenants.refetch()} />
      ) : tenants.data.pages[0]?.data.length === 0 ? (
        <EmptyState icon={<FolderIcon />} title={q ? 'No workspace matches' : 'No workspaces yet'} />
      ) : (
        <ListCard label="Workspaces">
          {tenants.data.pages.flatMap((p) =>
            p.data.map((t) => (
              <ListRow key={t.id}>
                <div className="min-w-0 flex-1">
                  <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                    <span className="truncate">{t.name}</span>
                    <Badge tone={t.plan === 'free' ? 'neutral' : 'accent'}>{t.plan}</Badge>
                    {t.subscriptionStatus && <Badge>{t.subscriptionStatus}</Badge>}
                  </p>
                  <Meta
                    items={[
                      ['Slug', t.slug],
                      ['Members', String(t.memberCount)],
                      ['Created', formatRelative(t.createdAt)],
                      [
                        'ID',
                        <code key="id" className="font-mono">
                          {t.id}
                        </code>,
                      ],
                    ]}
                  />
                </div>
              </ListRow>
            )),
          )}
        </ListCard>
      )}
      {tenants.data && <LoadMore query={tenants} />}
    </section>
  );
}
