-- The "capability" clauses (a user's own memberships, the invitation whose id the invitee presents,
-- the key whose secret hash the caller presents, the workspaces a user belongs to) exist so those rows
-- can be READ before a tenant is known. They must never allow changes: writes happen inside the
-- tenant's own scope only. Each policy is split into a tenant policy for everything and a read-only
-- capability policy.
DROP POLICY tenant_isolation ON tenants;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenants
  USING (id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
CREATE POLICY member_read ON tenants FOR SELECT
  USING (id IN (SELECT m.tenant_id FROM memberships m WHERE m.user_id = (SELECT current_setting('app.user_id', true))));
--> statement-breakpoint
DROP POLICY tenant_isolation ON memberships;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON memberships
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
CREATE POLICY own_read ON memberships FOR SELECT
  USING (user_id = (SELECT current_setting('app.user_id', true)));
--> statement-breakpoint
DROP POLICY tenant_isolation ON invitations;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON invitations
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
CREATE POLICY invitee_read ON invitations FOR SELECT
  USING (id = (SELECT current_setting('app.invitation_id', true)));
--> statement-breakpoint
DROP POLICY tenant_isolation ON api_keys;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON api_keys
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
CREATE POLICY key_holder_read ON api_keys FOR SELECT
  USING (secret_hash = (SELECT current_setting('app.api_key_hash', true)));
