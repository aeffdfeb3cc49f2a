-- The application role: what the API's queries run as. It is not a superuser, owns no table and
-- cannot bypass row-level security, so Postgres itself enforces tenant isolation even where a
-- repository forgot its WHERE clause. Roles are cluster-wide, hence the existence check.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atrium_app') THEN
    CREATE ROLE atrium_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
--> statement-breakpoint
-- The migrating role may switch to the app role (SET ROLE); a separate login role for the API
-- should be created with `CREATE ROLE atrium_api LOGIN PASSWORD '…' IN ROLE atrium_app`.
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT atrium_app TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO atrium_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, dev_outbox TO atrium_app;
--> statement-breakpoint
-- Audit rows are append-only for the application: insert and read, never rewrite.
GRANT SELECT, INSERT ON audit_logs TO atrium_app;
--> statement-breakpoint
ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON audit_logs
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
