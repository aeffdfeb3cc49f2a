/**
 * The floor: the fastest thing Atrium's own stack can do. Plain `node:http` + a `pg` Pool of the same
 * size as the API's, running the same data SQL as Atrium's list / get / create (copied from
 * backend/src/modules/tasks/tasks.repository.ts: same columns, same filters, same order, limit 20 + 1)
 * and answering with the same JSON envelope. Its statements are named (prepared once per connection), as
 * Atrium's hot queries are (backend/src/db/compiled.ts), so that neither side pays the planner on every
 * request and the ratio shows the cost of what Atrium adds, not of planning. No authentication, no RLS (it connects as the database
 * owner and never switches role), no validation, no rate limit, no logging, no metrics.
 *
 * Create runs the task's data SQL only: the INSERT … RETURNING with the next position computed in the
 * same statement. Atrium's create also checks the project, takes the plan limit, writes the audit row
 * and the live event in one transaction; that is the cost the ratio shows.
 *
 *   BASELINE_DATABASE_URL=postgres://… BASELINE_PORT=4101 node bench/baseline.ts
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function newId(prefix: string): string {
  let out = '';
  while (out.length < 22) {
    for (const b of randomBytes(44)) if (b < 248 && out.length < 22) out += ALPHABET[b % 62];
  }
  return `${prefix}_${out}`;
}

const COLUMNS = `"id", "tenant_id", "project_id", "title", "description", "status", "priority", "due_date", "assignee_id", "labels", "position", "version", "created_by", "completed_at", "created_at", "updated_at"`;
const STATUSES = new Set(['todo', 'in_progress', 'done', 'canceled']);

interface Row {
  id: string;
  project_id: string;
  title: string;
  description: string;
  status: string;
  priority: string;
  due_date: string | null;
  assignee_id: string | null;
  labels: string[];
  position: number;
  version: number;
  created_by: string | null;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  sort_key?: string;
}

const toTask = (t: Row) => ({
  id: t.id,
  projectId: t.project_id,
  title: t.title,
  description: t.description,
  status: t.status,
  priority: t.priority,
  dueDate: t.due_date,
  assigneeId: t.assignee_id,
  labels: t.labels,
  position: t.position,
  version: t.version,
  createdBy: t.created_by,
  createdAt: t.created_at.toISOString(),
  updatedAt: t.updated_at.toISOString(),
  completedAt: t.completed_at?.toISOString() ?? null,
});

export function startBaseline(databaseUrl: string, port: number, poolMax = 10) {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolMax,
    application_name: 'atrium-bench-baseline',
    // Dates as strings, as the API's Drizzle schema reads them (mode: 'string').
    types: {
      getTypeParser: (oid: number, format?: string) => (oid === 1082 ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text')),
    },
  } as pg.PoolConfig);
  pool.on('error', () => {});

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  async function list(tenantId: string, query: URLSearchParams) {
    const limit = Number(query.get('limit') ?? 20);
    const status = query.get('status');
    const params: unknown[] = [tenantId];
    let where = `"tasks"."tenant_id" = $1`;
    if (status && STATUSES.has(status)) {
      params.push(status);
      where += ` and "tasks"."status" = $${params.length}`;
    }
    params.push(limit + 1);
    const { rows } = await pool.query<Row>({
      name: params.length === 3 ? 'floor_list_status' : 'floor_list',
      text: `select ${COLUMNS}, ("tasks"."created_at")::text as "sort_key" from "tasks" where (${where}) order by "tasks"."created_at" desc nulls last, "tasks"."id" desc nulls last limit $${params.length}`,
      values: params,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? Buffer.from(JSON.stringify([last.sort_key, last.id])).toString('base64url') : null;
    return { success: true, data: page.map(toTask), meta: { nextCursor } };
  }

  async function get(tenantId: string, taskId: string) {
    const { rows } = await pool.query<Row>({
      name: 'floor_get',
      text: `select ${COLUMNS} from "tasks" where ("tasks"."tenant_id" = $1 and "tasks"."id" = $2)`,
      values: [tenantId, taskId],
    });
    return rows[0];
  }

  async function create(tenantId: string, body: { projectId: string; title: string; status?: string; priority?: string }) {
    const status = body.status ?? 'todo';
    const { rows } = await pool.query<Row>({
      name: 'floor_create',
      text: `insert into "tasks" ("id", "tenant_id", "project_id", "title", "description", "status", "priority", "due_date", "assignee_id", "labels", "position", "created_by", "completed_at")
       values ($1, $2, $3, $4, '', $5, $6, null, null, '{}', coalesce((select max("position") from "tasks" where "tenant_id" = $2 and "project_id" = $3 and "status" = $5), 0) + 1024, null, null)
       returning ${COLUMNS}`,
      values: [newId('task'), tenantId, body.projectId, body.title, status, body.priority ?? 'medium'],
    });
    return rows[0] as Row;
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/v1\/tenants\/([^/]+)\/tasks(?:\/([^/]+))?$/.exec(url.pathname);
    const fail = (err: unknown) =>
      send(res, 500, { success: false, error: { code: 'internal_error', message: (err as Error).message, requestId: '' } });
    if (!m) return send(res, 404, { success: false, error: { code: 'not_found', message: 'Not found', requestId: '' } });
    const [, tenantId, taskId] = m as unknown as [string, string, string | undefined];
    if (req.method === 'GET' && !taskId) {
      list(tenantId, url.searchParams).then((b) => send(res, 200, b), fail);
    } else if (req.method === 'GET' && taskId) {
      get(tenantId, taskId).then(
        (row) =>
          row
            ? send(res, 200, { success: true, data: toTask(row) })
            : send(res, 404, { success: false, error: { code: 'not_found', message: 'Task not found', requestId: '' } }),
        fail,
      );
    } else if (req.method === 'POST' && !taskId) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        create(tenantId, JSON.parse(Buffer.concat(chunks).toString('utf8'))).then((row) => {
          res.setHeader('etag', `"${row.id}.${row.version}"`);
          send(res, 201, { success: true, data: toTask(row) });
        }, fail);
      });
    } else send(res, 405, { success: false, error: { code: 'method_not_allowed', message: 'Method not allowed', requestId: '' } });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise<{ close: () => Promise<void> }>((resolve) => {
    server.listen(port, '127.0.0.1', () =>
      resolve({
        close: async () => {
          server.closeAllConnections();
          await new Promise((r) => server.close(r));
          await pool.end();
        },
      }),
    );
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.BASELINE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const port = Number(process.env.BASELINE_PORT ?? 4101);
  const poolMax = Number(process.env.BASELINE_POOL_MAX ?? 10);
  const server = await startBaseline(url, port, poolMax);
  process.stdout.write(`baseline listening on http://127.0.0.1:${port}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
