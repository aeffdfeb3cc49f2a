GRANT SELECT, INSERT, UPDATE, DELETE ON api_keys, webhooks, webhook_deliveries TO atrium_app;
--> statement-breakpoint
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A key is found by the hash of the secret the caller presents (before any tenant is known): the
-- hash is the capability, exactly like the secret itself.
CREATE POLICY tenant_isolation ON api_keys
  USING (
    tenant_id = (SELECT current_setting('app.tenant_id', true))
    OR secret_hash = (SELECT current_setting('app.api_key_hash', true))
  )
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
ALTER TABLE webhooks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE webhooks FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON webhooks
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON webhook_deliveries
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
