CREATE TABLE "tenant_usage_deltas" (
	"tenant_id" text NOT NULL,
	"metric" text NOT NULL,
	"delta" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tenant_usage_deltas" ADD CONSTRAINT "tenant_usage_deltas_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tenant_usage_deltas_tenant_metric_idx" ON "tenant_usage_deltas" USING btree ("tenant_id","metric");--> statement-breakpoint
-- Plan counters without one hot row per workspace (docs/decisions/0019-usage-deltas.md). On a plan
-- without a limit for the metric, a create or delete appends its +1/-1 here instead of updating the
-- workspace's counter row, whose lock every create of the workspace queued on until its commit was
-- flushed. A counter's value is its tenant_usage row plus its deltas; atrium_fold_usage moves the
-- deltas into the row under the row's lock, so each delta is counted exactly once.
GRANT SELECT, INSERT, DELETE ON tenant_usage_deltas TO atrium_app;
--> statement-breakpoint
ALTER TABLE tenant_usage_deltas ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tenant_usage_deltas FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenant_usage_deltas
  USING (tenant_id = (SELECT current_setting('app.tenant_id', true)))
  WITH CHECK (tenant_id = (SELECT current_setting('app.tenant_id', true)));
--> statement-breakpoint
-- Platform-wide figures (metrics) count the deltas with the rows.
GRANT SELECT ON tenant_usage_deltas TO atrium_metrics;
--> statement-breakpoint
CREATE POLICY metrics_read ON tenant_usage_deltas FOR SELECT TO atrium_metrics USING (true);
--> statement-breakpoint
-- The fold job finds the workspaces with deltas as the maintenance role, then folds each one in that
-- workspace's own scope (as atrium_app): reading which workspaces have some is all it may do here.
GRANT SELECT ON tenant_usage_deltas TO atrium_maintenance;
--> statement-breakpoint
CREATE POLICY maintenance_read ON tenant_usage_deltas FOR SELECT TO atrium_maintenance USING (true);
--> statement-breakpoint
-- Folds the deltas of one counter into its row and returns the counter's value. The row is locked
-- first (created at 0 if missing), so concurrent folds and takes of the counter run one after the
-- other, and the DELETE of the one that waited sees what the first removed: no delta is counted twice.
-- Runs as the caller (RLS applies).
CREATE OR REPLACE FUNCTION atrium_fold_usage(p_tenant_id text, p_metric text) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  counted integer;
  pending integer;
BEGIN
  SELECT value INTO counted FROM tenant_usage WHERE tenant_id = p_tenant_id AND metric = p_metric FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO tenant_usage (tenant_id, metric, value) VALUES (p_tenant_id, p_metric, 0) ON CONFLICT (tenant_id, metric) DO NOTHING;
    SELECT value INTO counted FROM tenant_usage WHERE tenant_id = p_tenant_id AND metric = p_metric FOR UPDATE;
  END IF;
  WITH folded AS (
    DELETE FROM tenant_usage_deltas WHERE tenant_id = p_tenant_id AND metric = p_metric RETURNING delta
  )
  SELECT coalesce(sum(delta), 0) INTO pending FROM folded;
  IF pending <> 0 THEN
    counted := greatest(counted + pending, 0);
    UPDATE tenant_usage SET value = counted, updated_at = now() WHERE tenant_id = p_tenant_id AND metric = p_metric;
  END IF;
  RETURN counted;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION atrium_fold_usage(text, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION atrium_fold_usage(text, text) TO atrium_app;
--> statement-breakpoint
-- The exact take (migration 0018), now folding the counter's deltas first: a workspace that moves
-- from a plan without a limit to one with a limit is counted exactly from its first create there.
-- Without a limit (negative), it appends a delta and returns NULL (the API appends the delta itself,
-- without calling this function).
CREATE OR REPLACE FUNCTION atrium_take_usage(p_tenant_id text, p_metric text, p_limit integer) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  counted integer;
BEGIN
  IF p_limit = 0 THEN
    RAISE EXCEPTION 'plan limit reached for %', p_metric USING ERRCODE = 'AT402';
  END IF;
  IF p_limit < 0 THEN
    INSERT INTO tenant_usage_deltas (tenant_id, metric, delta) VALUES (p_tenant_id, p_metric, 1);
    RETURN NULL;
  END IF;
  counted := atrium_fold_usage(p_tenant_id, p_metric);
  IF counted >= p_limit THEN
    RAISE EXCEPTION 'plan limit reached for %', p_metric USING ERRCODE = 'AT402';
  END IF;
  UPDATE tenant_usage SET value = counted + 1, updated_at = now() WHERE tenant_id = p_tenant_id AND metric = p_metric;
  RETURN counted + 1;
END
$$;
