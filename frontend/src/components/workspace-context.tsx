'use client';

import { createContext, useContext } from 'react';
import type { Me, Role } from '@/lib/api/client';
import { type Can, permissionCheck } from '@/lib/permissions';

export interface WorkspaceContextValue {
  tenantId: string;
  tenantName: string;
  role: Role;
  user: Me['user'];
  can: Can;
}

const Ctx = createContext<WorkspaceContextValue | null>(null);

export const WorkspaceProvider = Ctx.Provider;

export function useWorkspace(): WorkspaceContextValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useWorkspace outside a workspace');
  return v;
}

export function makeWorkspaceValue(
  membership: { tenantId: string; name: string; role: Role; permissions: string[] },
  user: Me['user'],
): WorkspaceContextValue {
  const { tenantId, name: tenantName, role, permissions } = membership;
  return { tenantId, tenantName, role, user, can: permissionCheck(permissions) };
}
