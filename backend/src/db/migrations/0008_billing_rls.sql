-- Billing. The plan catalogue is global (no tenant_id): the application reads it; it is written only
-- when the runtime seeds it at start-up, as the owner role. Subscriptions and the webhook ledger are
-- tenant data: RLS enabled and forced, one isolation policy each.
GRANT SELECT ON plans TO atrium_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON subscriptions TO atrium_app;
--> statement-breakpoint
-- The ledger is append-and-mark: rows are inserted once and later marked processed, never deleted.
GRANT SELECT, INSERT, UPDATE ON billing_events TO atrium_app;
--> statement-breakpoint
ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE subscriptions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON subscriptions
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
ALTER TABLE billing_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE billing_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON billing_events
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
-- Work that starts without a tenant reads subscriptions across tenants as the maintenance role, and
-- nothing more: which tenant a provider customer/subscription belongs to (webhooks), and which
-- subscriptions are due for lifecycle work or reconciliation (scheduled jobs). Every change is then
-- made inside that tenant's own scope.
GRANT SELECT ON plans TO atrium_maintenance;
--> statement-breakpoint
GRANT SELECT ON subscriptions TO atrium_maintenance;
--> statement-breakpoint
CREATE POLICY maintenance_read ON subscriptions FOR SELECT TO atrium_maintenance
  USING (true);
