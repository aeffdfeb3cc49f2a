-- Platform administration. The platform audit log is append-only for the application role, like the
-- tenant audit log: it may insert and read, never change or delete.
GRANT SELECT, INSERT ON platform_audit_logs TO atrium_app;
--> statement-breakpoint
-- The read-only platform role also counts memberships (members per workspace, workspaces per user,
-- the workspaces an impersonated user belongs to). It still changes nothing.
GRANT SELECT ON memberships, platform_audit_logs TO atrium_metrics;
--> statement-breakpoint
CREATE POLICY metrics_read ON memberships FOR SELECT TO atrium_metrics USING (true);
--> statement-breakpoint
-- Top queries for platform admins: pg_stat_statements shows other roles' query text only to members of
-- pg_read_all_stats. Granted where the migrating role may (a superuser, or a managed service's admin
-- role); elsewhere the admin endpoint reports the text as hidden. Never fails the migration.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pg_read_all_stats') THEN
    BEGIN
      GRANT pg_read_all_stats TO atrium_metrics;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pg_read_all_stats not granted to atrium_metrics: insufficient privilege';
    END;
  END IF;
END
$$;
