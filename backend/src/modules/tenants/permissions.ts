/**
 * Role-based access control as data: one table of role → permissions. Routes declare what they need
 * (`requirePermission('member:invite')`); nothing else in the code branches on role names, except
 * the rank used for "nobody grants a role above their own".
 *
 * "own" permissions (task:read:own, task:write:own) mean: created by or assigned to the actor.
 */
import type { Role } from '../../db/schema/index.ts';

export const PERMISSIONS = [
  'tenant:read',
  'tenant:update',
  'tenant:delete',
  'tenant:export',
  'member:read',
  'member:invite',
  'member:manage',
  'admin:manage',
  'audit:read',
  'apikey:manage',
  'webhook:manage',
  'billing:manage',
  'project:read',
  'project:write',
  'task:read:own',
  'task:read:all',
  'task:write:own',
  'task:write:all',
  'task:create',
  'comment:write',
  'ai:use',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

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
const owner: Permission[] = [...admin, 'tenant:delete', 'tenant:export', 'admin:manage'];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  guest: new Set(guest),
  viewer: new Set(viewer),
  member: new Set(member),
  editor: new Set(editor),
  admin: new Set(admin),
  owner: new Set(owner),
};

export const ROLE_RANK: Record<Role, number> = { guest: 1, viewer: 2, member: 3, editor: 4, admin: 5, owner: 6 };

/** Does a tenant context (a member's role, or an API key's scopes) grant `permission`? */
export function allowed(ctx: { permissions: ReadonlySet<Permission> }, permission: Permission): boolean {
  return ctx.permissions.has(permission);
}

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** May `actor` give someone the role `target` (or change/remove someone who holds `target`)? */
export function canAssignRole(actor: Role, target: Role): boolean {
  if (ROLE_RANK[target] > ROLE_RANK[actor]) return false;
  // Admin and owner seats are managed by owners only.
  if (target === 'admin' || target === 'owner') return can(actor, 'admin:manage');
  return can(actor, 'member:manage');
}
