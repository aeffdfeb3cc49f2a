-- Workspace tables are tenant data: RLS enabled and forced, one isolation policy each.
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON projects, tasks, comments, tenant_usage TO atrium_app;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON tenant_events TO atrium_app;
--> statement-breakpoint
GRANT USAGE, SELECT ON SEQUENCE tenant_events_id_seq TO atrium_app;
--> statement-breakpoint
-- Idempotency records are keyed by the caller (user or API key), not by tenant.
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO atrium_app;
--> statement-breakpoint
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE projects FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON projects
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tasks FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tasks
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
ALTER TABLE comments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE comments FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON comments
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
ALTER TABLE tenant_usage ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tenant_usage FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenant_usage
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
ALTER TABLE tenant_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tenant_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenant_events
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
