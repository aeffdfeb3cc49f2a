-- A read-only role for platform-wide figures (metrics, platform admin): it may read the few tables
-- those figures come from, across tenants, and nothing else; it can change nothing.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atrium_metrics') THEN
    CREATE ROLE atrium_metrics NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT atrium_metrics TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO atrium_metrics;
--> statement-breakpoint
GRANT SELECT ON users, sessions, tenants, tenant_usage, plans, subscriptions, ai_usage TO atrium_metrics;
--> statement-breakpoint
CREATE POLICY metrics_read ON tenants FOR SELECT TO atrium_metrics USING (true);
--> statement-breakpoint
CREATE POLICY metrics_read ON tenant_usage FOR SELECT TO atrium_metrics USING (true);
--> statement-breakpoint
CREATE POLICY metrics_read ON subscriptions FOR SELECT TO atrium_metrics USING (true);
--> statement-breakpoint
CREATE POLICY metrics_read ON ai_usage FOR SELECT TO atrium_metrics USING (true);
