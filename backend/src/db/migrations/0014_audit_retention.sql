-- Audit retention per plan: the housekeeping role may delete audit rows, but never one younger than
-- the shortest retention any plan has (7 days), whatever a bug in the job might ask for.
GRANT SELECT, DELETE ON audit_logs TO atrium_maintenance;
--> statement-breakpoint
CREATE POLICY maintenance_retention ON audit_logs FOR ALL TO atrium_maintenance
  USING (created_at < now() - interval '7 days');
--> statement-breakpoint
GRANT SELECT ON tenants TO atrium_maintenance;
--> statement-breakpoint
CREATE POLICY maintenance_read ON tenants FOR SELECT TO atrium_maintenance USING (true);
