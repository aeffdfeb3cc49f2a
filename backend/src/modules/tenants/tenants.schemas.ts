import { z } from 'zod';
import { ROLES } from '../../db/schema/index.ts';

/** An id in a path, body or query string. PostgreSQL text cannot hold NUL: refused here (400), not as a 500. */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');
export const RoleSchema = z.enum(ROLES).describe('owner > admin > editor > member > viewer > guest');

export const TenantParams = z.object({ tenantId: Id.describe('Tenant id (ten_…)') });
export const MemberParams = TenantParams.extend({ memberId: Id.describe('Membership id (mem_…)') });
export const InvitationParams = TenantParams.extend({ invitationId: Id.describe('Invitation id (inv_…)') });

export const Tenant = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    plan: z.string(),
    settings: z.record(z.string(), z.unknown()),
    role: RoleSchema.optional().describe('The caller’s role in this tenant'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Tenant' });

const Slug = z
  .string()
  .max(48)
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])$/, 'lowercase letters, digits and dashes; 2–48 characters; no leading or trailing dash');

export const CreateTenantBody = z.object({
  name: z.string().trim().min(1).max(100).describe('Workspace name'),
  slug: Slug.optional().describe('URL name; derived from the name when omitted'),
});

export const UpdateTenantBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    slug: Slug.optional(),
    settings: z
      .record(z.string().max(64), z.unknown())
      .refine((v) => JSON.stringify(v).length <= 16_384, 'settings must be at most 16 KiB of JSON')
      .optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');

export const Member = z
  .object({
    id: z.string(),
    userId: z.string(),
    email: z.string(),
    name: z.string(),
    role: RoleSchema,
    joinedAt: z.iso.datetime(),
  })
  .meta({ id: 'Member' });

export const UpdateMemberBody = z.object({ role: RoleSchema });

export const Invitation = z
  .object({
    id: z.string(),
    email: z.string(),
    role: RoleSchema,
    status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
    invitedBy: z.string().nullable(),
    expiresAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Invitation' });

export const CreateInvitationBody = z.object({ email: z.email().max(254), role: RoleSchema });
