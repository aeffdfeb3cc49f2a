-- A narrow role for housekeeping across tenants. It can do exactly what its policies allow (delete
-- expired live-update events, expired idempotency records) and nothing else; the migrating role may
-- switch to it for the length of one transaction.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atrium_maintenance') THEN
    CREATE ROLE atrium_maintenance NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT atrium_maintenance TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO atrium_maintenance;
--> statement-breakpoint
GRANT SELECT, DELETE ON tenant_events TO atrium_maintenance;
--> statement-breakpoint
GRANT SELECT, DELETE ON idempotency_keys TO atrium_maintenance;
--> statement-breakpoint
CREATE POLICY maintenance_prune ON tenant_events FOR ALL TO atrium_maintenance
  USING (created_at < now() - interval '10 minutes');
