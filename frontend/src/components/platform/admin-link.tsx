'use client';

import Link from 'next/link';
import { isPlatformAdmin } from '@/lib/admin-api';
import { useMe } from '@/lib/queries';
import { CrownIcon } from '../ui/icons';

/** "Platform admin" in the user menu, for platform admins only (the API enforces it anyway). */
export function PlatformAdminLink({ onNavigate }: { onNavigate?: () => void }) {
  const me = useMe();
  if (!isPlatformAdmin(me.data)) return null;
  return (
    <Link
      href="/admin"
      onClick={onNavigate}
      className="flex items-center gap-2.5 rounded-lg px-2.5 py-2 text-sm font-medium text-muted hover:bg-surface-2 hover:text-foreground"
    >
      <CrownIcon className="size-[18px]" />
      Platform admin
    </Link>
  );
}
