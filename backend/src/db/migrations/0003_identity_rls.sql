-- Identity tables: plain grants (no tenant data in them).
GRANT SELECT, INSERT, UPDATE, DELETE ON users, sessions, accounts, verifications, jwks, two_factors, rate_limits TO atrium_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships, invitations TO atrium_app;
--> statement-breakpoint
-- Tenants: visible inside the tenant's own scope, or to a user who is a member of it.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenants
  USING (
    id = (SELECT current_setting('app.tenant_id', true))
    OR id IN (SELECT m.tenant_id FROM memberships m WHERE m.user_id = (SELECT current_setting('app.user_id', true)))
  )
  WITH CHECK (id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
-- Memberships: the tenant's own rows, plus a user's own memberships (for "my workspaces").
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON memberships
  USING (
    tenant_id = (SELECT current_setting('app.tenant_id', true))
    OR user_id = (SELECT current_setting('app.user_id', true))
  )
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
-- Invitations: the tenant's own rows, plus the one invitation whose (unguessable) id the accepting
-- user presents, so the invitee can find which tenant invited them before becoming a member.
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON invitations
  USING (
    tenant_id = (SELECT current_setting('app.tenant_id', true))
    OR id = (SELECT current_setting('app.invitation_id', true))
  )
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
