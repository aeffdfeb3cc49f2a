/**
 * Bulk data for the benchmark, written with `generate_series` as the database owner (seconds for a
 * million rows, where going through the API would take hours). The rows satisfy the schema: tenants
 * with real `ten_` + 22-character ids (the format the API's checks expect), an owner membership,
 * one project per tenant, tasks spread over statuses and priorities, and the usage counters the plan
 * limits read. Only the big tenant is queried; its owner is a real user created through the API.
 */
import type pg from 'pg';

const STATUSES = `array['todo','in_progress','done','canceled']`;
const PRIORITIES = `array['low','medium','high','urgent']`;
const VERBS = `array['Design','Build','Review','Fix','Write','Plan','Test','Ship']`;

function taskSelect(tag: string) {
  return `'task_' || substr(md5('${tag}-' || t.tenant_id || '-' || g), 1, 22),
    t.tenant_id, t.project_id,
    (${VERBS})[1 + g % 8] || ' item ' || g || ' of the benchmark',
    'Seeded for the benchmark (' || g || ').',
    (${STATUSES})[1 + g % 4], (${PRIORITIES})[1 + (g / 4) % 4],
    case when g % 5 = 0 then current_date + (g % 60) end,
    case when g % 3 = 0 then t.user_id end,
    array['bench'], g * 1024.0, t.user_id,
    now() - make_interval(secs => g), now() - make_interval(secs => g)`;
}

const TASK_COLUMNS = `(id, tenant_id, project_id, title, description, status, priority, due_date, assignee_id, labels, position, created_by, created_at, updated_at)`;

async function syncUsage(db: pg.Client, tenantFilter: string, params: unknown[]) {
  await db.query(
    `insert into tenant_usage (tenant_id, metric, value)
     select tenant_id, 'tasks', count(*)::int from tasks where ${tenantFilter} group by tenant_id
     on conflict (tenant_id, metric) do update set value = excluded.value, updated_at = now()`,
    params,
  );
}

/** `count` tasks in the big tenant (created through the API, owned by the bench user). */
export async function seedBigTenant(db: pg.Client, b: { tenantId: string; projectId: string; userId: string }, count: number, tag = 'big') {
  await db.query(
    `insert into tasks ${TASK_COLUMNS}
     select ${taskSelect(tag)}
     from (select $1::text as tenant_id, $2::text as project_id, $3::text as user_id) t, generate_series(1, $4::int) g`,
    [b.tenantId, b.projectId, b.userId, count],
  );
  await syncUsage(db, 'tenant_id = $1', [b.tenantId]);
}

/** `tenants` more tenants (owned by a filler user who never signs in), each with one project and `perTenant` tasks. */
export async function seedTenants(db: pg.Client, tenants: number, perTenant: number) {
  await db.query(
    `insert into users (id, name, email, email_verified) values ('usr_benchfiller0000000000000', 'Bench filler', 'filler@bench.atrium.invalid', true)
     on conflict do nothing`,
  );
  await db.query(
    `insert into tenants (id, name, slug, plan)
     select 'ten_' || substr(md5('bench-ten-' || i), 1, 22), 'Bench tenant ' || i, 'bench-tenant-' || i, 'business' from generate_series(1, $1::int) i`,
    [tenants],
  );
  await db.query(
    `insert into memberships (id, tenant_id, user_id, role)
     select 'mem_' || substr(md5('bench-mem-' || i), 1, 22), 'ten_' || substr(md5('bench-ten-' || i), 1, 22), 'usr_benchfiller0000000000000', 'owner'
     from generate_series(1, $1::int) i`,
    [tenants],
  );
  await db.query(
    `insert into projects (id, tenant_id, name, created_by)
     select 'prj_' || substr(md5('bench-prj-' || i), 1, 22), 'ten_' || substr(md5('bench-ten-' || i), 1, 22), 'Bench project', 'usr_benchfiller0000000000000'
     from generate_series(1, $1::int) i`,
    [tenants],
  );
  await db.query(
    `insert into tenant_usage (tenant_id, metric, value)
     select 'ten_' || substr(md5('bench-ten-' || i), 1, 22), 'projects', 1 from generate_series(1, $1::int) i
     on conflict (tenant_id, metric) do update set value = excluded.value`,
    [tenants],
  );
  await addTenantTasks(db, tenants, 1, perTenant, 'fill');
}

/** Tasks number `from`…`to` in each of the first `tenants` filler tenants, in batches of 100 tenants. */
export async function addTenantTasks(
  db: pg.Client,
  tenants: number,
  from: number,
  to: number,
  tag: string,
  onBatch?: (done: number, total: number) => void,
) {
  for (let start = 1; start <= tenants; start += 100) {
    const end = Math.min(tenants, start + 99);
    await db.query(
      `insert into tasks ${TASK_COLUMNS}
       select ${taskSelect(tag)}
       from (select 'ten_' || substr(md5('bench-ten-' || i), 1, 22) as tenant_id, 'prj_' || substr(md5('bench-prj-' || i), 1, 22) as project_id,
                    'usr_benchfiller0000000000000'::text as user_id
             from generate_series($1::int, $2::int) i) t,
            generate_series($3::int, $4::int) g`,
      [start, end, from, to],
    );
    onBatch?.(end, tenants);
  }
  await syncUsage(db, `tenant_id like 'ten_%' and tenant_id in (select id from tenants where slug like 'bench-tenant-%')`, []);
}

export async function countTasks(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from tasks');
  return rows[0]?.n ?? 0;
}
