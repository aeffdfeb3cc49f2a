import { z } from 'zod';
import { envelope, errorResponses, ok, USER_AUTH } from '../../lib/envelope.ts';
import { requireUser } from '../../plugins/auth.ts';
import { actorOf, loadTenantContext, requirePermission, tenantOf } from '../../plugins/tenant-context.ts';
import type { AppInstance } from '../../types.ts';
import {
  CreateInvitationBody,
  CreateTenantBody,
  Id,
  Invitation,
  InvitationParams,
  Member,
  MemberParams,
  Tenant,
  TenantParams,
  UpdateMemberBody,
  UpdateTenantBody,
} from './tenants.schemas.ts';
import * as tenants from './tenants.service.ts';

const auth = USER_AUTH;
const tag = ['tenants'];

export async function tenantRoutes(app: AppInstance) {
  app.addHook('preValidation', async (request) => {
    requireUser(request);
  });
  const deps = () => ({ db: app.database.db, jobs: app.jobs, webUrl: app.config.webUrl });

  app.post(
    '/',
    {
      schema: {
        tags: tag,
        summary: 'Create a workspace; the caller becomes its owner',
        operationId: 'createTenant',
        security: auth,
        body: CreateTenantBody,
        response: { 201: envelope(Tenant), ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(ok(await tenants.createTenant(deps(), actorOf(request), request.body))),
  );

  app.get(
    '/',
    {
      schema: {
        tags: tag,
        summary: 'Workspaces the caller belongs to',
        operationId: 'listTenants',
        security: auth,
        response: { 200: envelope(z.array(Tenant)), ...errorResponses(401) },
      },
    },
    async (request) => ok(await tenants.listTenantsOfUser(app.database.db, actorOf(request).id)),
  );

  // Everything below acts inside one tenant, as a member of it.
  app.register(async (scoped) => {
    const s = scoped as AppInstance;
    s.addHook('preValidation', loadTenantContext);

    s.get(
      '/:tenantId',
      {
        schema: {
          tags: tag,
          summary: 'A workspace',
          operationId: 'getTenant',
          security: auth,
          params: TenantParams,
          response: { 200: envelope(Tenant), ...errorResponses(400, 401, 404) },
        },
      },
      async (request) => ok(await tenants.getTenant(app.database.db, tenantOf(request))),
    );

    s.patch(
      '/:tenantId',
      {
        preValidation: requirePermission('tenant:update'),
        schema: {
          tags: tag,
          summary: 'Rename a workspace or change its slug or settings',
          operationId: 'updateTenant',
          security: auth,
          params: TenantParams,
          body: UpdateTenantBody,
          response: { 200: envelope(Tenant), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ok(await tenants.updateTenant(app.database.db, tenantOf(request), request.body)),
    );

    s.delete(
      '/:tenantId',
      {
        preValidation: requirePermission('tenant:delete'),
        schema: {
          tags: tag,
          summary: 'Delete a workspace (owners); its data is purged by a background job',
          operationId: 'deleteTenant',
          security: auth,
          params: TenantParams,
          response: { 200: envelope(z.object({ id: z.string(), deletedAt: z.iso.datetime() })), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => ok(await tenants.deleteTenant(deps(), tenantOf(request))),
    );

    s.get(
      '/:tenantId/members',
      {
        preValidation: requirePermission('member:read'),
        schema: {
          tags: tag,
          summary: 'Members of a workspace',
          operationId: 'listMembers',
          security: auth,
          params: TenantParams,
          response: { 200: envelope(z.array(Member)), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => ok(await tenants.listMembers(app.database.db, tenantOf(request))),
    );

    s.patch(
      '/:tenantId/members/:memberId',
      {
        preValidation: requirePermission('member:manage'),
        schema: {
          tags: tag,
          summary: 'Change a member’s role (never above your own; the last owner stays owner)',
          operationId: 'updateMember',
          security: auth,
          params: MemberParams,
          body: UpdateMemberBody,
          response: { 200: envelope(Member), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ok(await tenants.changeMemberRole(app.database.db, tenantOf(request), request.params.memberId, request.body.role)),
    );

    s.delete(
      '/:tenantId/members/:memberId',
      {
        // Anyone may leave (remove themselves); removing others needs member:manage (checked in the service).
        schema: {
          tags: tag,
          summary: 'Remove a member, or leave the workspace (your own membership id)',
          operationId: 'removeMember',
          security: auth,
          params: MemberParams,
          response: { 200: envelope(z.object({ id: z.string(), removed: z.literal(true) })), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ok(await tenants.removeMember(app.database.db, tenantOf(request), request.params.memberId)),
    );

    s.post(
      '/:tenantId/invitations',
      {
        preValidation: requirePermission('member:invite'),
        schema: {
          tags: tag,
          summary: 'Invite someone by email (a mail with the accept link is sent)',
          operationId: 'createInvitation',
          security: auth,
          params: TenantParams,
          body: CreateInvitationBody,
          response: { 201: envelope(Invitation), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => reply.code(201).send(ok(await tenants.createInvitation(deps(), tenantOf(request), request.body))),
    );

    s.get(
      '/:tenantId/invitations',
      {
        preValidation: requirePermission('member:invite'),
        schema: {
          tags: tag,
          summary: 'Pending invitations',
          operationId: 'listInvitations',
          security: auth,
          params: TenantParams,
          response: { 200: envelope(z.array(Invitation)), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => ok(await tenants.listInvitations(app.database.db, tenantOf(request))),
    );

    s.delete(
      '/:tenantId/invitations/:invitationId',
      {
        preValidation: requirePermission('member:invite'),
        schema: {
          tags: tag,
          summary: 'Revoke a pending invitation',
          operationId: 'revokeInvitation',
          security: auth,
          params: InvitationParams,
          response: { 200: envelope(Invitation), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ok(await tenants.revokeInvitation(app.database.db, tenantOf(request), request.params.invitationId)),
    );
  });
}

export async function invitationRoutes(app: AppInstance) {
  app.addHook('preValidation', async (request) => {
    requireUser(request);
  });
  app.post(
    '/:invitationId/accept',
    {
      schema: {
        tags: tag,
        summary: 'Accept an invitation (signed in, with the invited and verified email)',
        operationId: 'acceptInvitation',
        security: auth,
        params: z.object({ invitationId: Id }),
        response: {
          200: envelope(z.object({ tenant: Tenant, membershipId: z.string() })),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => ok(await tenants.acceptInvitation(app.database.db, actorOf(request), request.params.invitationId)),
  );
}
