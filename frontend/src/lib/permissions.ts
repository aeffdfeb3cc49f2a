/**
 * The role → permission table, mirrored from backend/src/modules/tenants/permissions.ts so pages show
 * only what a role can do. Convenience only: the API enforces every rule.
 */
import type { Role } from './api/client';

export type Permission =
  | 'tenant:read'
  | 'tenant:update'
  | 'tenant:delete'
  | 'member:read'
  | 'member:invite'
  | 'member:manage'
  | 'admin:manage'
  | 'audit:read'
  | 'apikey:manage'
  | 'webhook:manage'
  | 'billing:manage'
  | 'project:read'
  | 'project:write'
  | 'task:read:own'
  | 'task:read:all'
  | 'task:write:own'
  | 'task:write:all'
  | 'task:create'
  | 'comment:write'
  | 'ai:use';

const guest: Permission[] = ['tenant:read', 'project:read', 'task:read:own', 'task:write:own', 'comment:write'];
const viewer: Permission[] = ['tenant:read', 'member:read', 'project:read', 'task:read:all'];
const member: Permission[] = [...viewer, 'task:write:own', 'task:create', 'comment:write', 'ai:use'];
const editor: Permission[] = [...member, 'task:write:all', 'project:write'];
const admin: Permission[] = [
  ...editor,
  'member:invite',
  'member:manage',
  'audit:read',
  'apikey:manage',
  'webhook:manage',
  'billing:manage',
  'tenant:update',
];
const owner: Permission[] = [...admin, 'tenant:delete', 'admin:manage'];

const TABLE: Record<Role, ReadonlySet<Permission>> = {
  guest: new Set(guest),
  viewer: new Set(viewer),
  member: new Set(member),
  editor: new Set(editor),
  admin: new Set(admin),
  owner: new Set(owner),
};

export const ROLES: Role[] = ['owner', 'admin', 'editor', 'member', 'viewer', 'guest'];
export const ROLE_RANK: Record<Role, number> = { guest: 1, viewer: 2, member: 3, editor: 4, admin: 5, owner: 6 };

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: 'Everything, including deleting the workspace',
  admin: 'Manage members, invitations, settings and the audit log',
  editor: 'Change every task and project',
  member: 'Create tasks and change their own',
  viewer: 'Read everything, change nothing',
  guest: 'Only the tasks assigned to them',
};

export function can(role: Role | undefined, permission: Permission): boolean {
  return role ? TABLE[role].has(permission) : false;
}

/** May `actor` give someone `target` (or change/remove someone who holds it)? */
export function canAssignRole(actor: Role | undefined, target: Role): boolean {
  if (!actor) return false;
  if (ROLE_RANK[target] > ROLE_RANK[actor]) return false;
  if (target === 'admin' || target === 'owner') return can(actor, 'admin:manage');
  return can(actor, 'member:manage');
}

/** Own = created by or assigned to the user. */
export function canWriteTask(
  role: Role | undefined,
  userId: string | undefined,
  task: { createdBy: string | null; assigneeId: string | null },
) {
  if (can(role, 'task:write:all')) return true;
  return can(role, 'task:write:own') && !!userId && (task.createdBy === userId || task.assigneeId === userId);
}
