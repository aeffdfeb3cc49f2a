'use client';

import { createContext, useContext } from 'react';
import type { Me, Role } from '@/lib/api/client';
import { can, type Permission } from '@/lib/permissions';

export interface WorkspaceContextValue {
  tenantId: string;
  tenantName: string;
  role: Role;
  user: Me['user'];
  can: (permission: Permission) => boolean;
}

const Ctx = createContext<WorkspaceContextValue | null>(null);

export const WorkspaceProvider = Ctx.Provider;

export function useWorkspace(): WorkspaceContextValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useWorkspace outside a workspace');
  return v;
}

export function makeWorkspaceValue(tenantId: string, tenantName: string, role: Role, user: Me['user']): WorkspaceContextValue {
  return { tenantId, tenantName, role, user, can: (p) => can(role, p) };
}
