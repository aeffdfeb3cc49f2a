-- AI. The model registry is global (no tenant_id): the application reads it and platform admins change
-- prices, limits, priority and the enabled flag through it (UPDATE); rows are created only when the
-- runtime seeds the registry at start-up, as the owner role. Its change log is append-only.
GRANT SELECT, UPDATE ON ai_models TO atrium_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON ai_model_changes TO atrium_app;
--> statement-breakpoint
-- The usage ledger is append-only for the application: insert and read, never rewrite.
GRANT SELECT, INSERT ON ai_usage TO atrium_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ai_cache TO atrium_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON ai_suggestions, ai_jobs TO atrium_app;
--> statement-breakpoint
ALTER TABLE ai_usage ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE ai_usage FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON ai_usage
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
ALTER TABLE ai_cache ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE ai_cache FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON ai_cache
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
ALTER TABLE ai_suggestions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE ai_suggestions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON ai_suggestions
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
ALTER TABLE ai_jobs ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE ai_jobs FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON ai_jobs
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
-- Housekeeping across tenants (the `ai.prune` job, as atrium_maintenance): expired cache entries and
-- finished AI jobs older than 7 days, and nothing else.
GRANT SELECT, DELETE ON ai_cache, ai_jobs TO atrium_maintenance;
--> statement-breakpoint
CREATE POLICY maintenance_prune ON ai_cache FOR ALL TO atrium_maintenance
  USING (expires_at < now());
--> statement-breakpoint
CREATE POLICY maintenance_prune ON ai_jobs FOR ALL TO atrium_maintenance
  USING (finished_at IS NOT NULL AND finished_at < now() - interval '7 days');
