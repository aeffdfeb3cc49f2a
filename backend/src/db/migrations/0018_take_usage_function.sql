-- Takes one unit of a plan-limited resource (tasks, projects) for a tenant, inside the caller's
-- transaction, or raises SQLSTATE AT402 when the plan's limit is reached (a negative limit is
-- unlimited). The row lock of the upsert serializes concurrent takers, so two creates at the limit
-- cannot both pass. Raising, rather than returning no row, aborts the transaction: the API sends its
-- COMMIT right behind this statement without waiting for the answer (db/tenant.ts, sendWithCommit),
-- and a refused take turns that COMMIT into a rollback. Runs as the caller (RLS applies).
CREATE OR REPLACE FUNCTION atrium_take_usage(p_tenant_id text, p_metric text, p_limit integer) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  taken integer;
BEGIN
  IF p_limit = 0 THEN
    RAISE EXCEPTION 'plan limit reached for %', p_metric USING ERRCODE = 'AT402';
  END IF;
  INSERT INTO tenant_usage AS u (tenant_id, metric, value) VALUES (p_tenant_id, p_metric, 1)
  ON CONFLICT (tenant_id, metric) DO UPDATE SET value = u.value + 1, updated_at = now()
    WHERE p_limit < 0 OR u.value < p_limit
  RETURNING u.value INTO taken;
  IF taken IS NULL THEN
    RAISE EXCEPTION 'plan limit reached for %', p_metric USING ERRCODE = 'AT402';
  END IF;
  RETURN taken;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION atrium_take_usage(text, text, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION atrium_take_usage(text, text, integer) TO atrium_app;
