/**
 * Scenario 1: SIGKILL the API in the middle of task creates that carry Idempotency-Keys.
 *
 * A few concurrent clients create tasks (one key, one unique title each). Once a share of them was
 * acknowledged, the API process is killed with SIGKILL (no shutdown hook runs). A new process starts
 * on the same database; the clients then send every key again, as a client that lost its answer
 * would, and then once more. The database, read directly as its owner, is the judge:
 * - every create that got a 2xx exists exactly once;
 * - no title exists twice, however often its key was sent;
 * - the second replay creates nothing: each answer is the original one (`Idempotent-Replayed`) or
 *   409 for a claim whose response was never stored (ADR 0009: the process died between commit and
 *   `onSend`; such a key answers 409 for 24 h). Those are counted and reported, and their task exists
 *   exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiProcess, bootstrapWorkspace, CI_MODE, http, PrivatePostgres, taskTitles, type Workspace } from './harness.ts';
import { Scenario } from './report.ts';

const TOTAL = CI_MODE ? 150 : 500;
const CLIENTS = 4;
const KILL_AFTER = Math.floor(TOTAL * 0.4);

interface Attempt {
  key: string;
  title: string;
  /** Status of every send of this key, in order (0 = no answer). */
  statuses: number[];
  ids: (string | undefined)[];
  replayed: boolean[];
}

const report = new Scenario(1, 'SIGKILL the API during idempotent creates');
let pgdb: PrivatePostgres;
let api: ApiProcess;
let ws: Workspace;
const attempts: Attempt[] = [];

async function send(a: Attempt) {
  const r = await http(api.base, 'POST', `/api/v1/tenants/${ws.tenantId}/tasks`, {
    headers: { ...ws.headers, 'idempotency-key': a.key },
    body: { projectId: ws.projectId, title: a.title },
    timeoutMs: 10_000,
  });
  a.statuses.push(r.status);
  a.ids.push((r.body as { data?: { id?: string } } | null)?.data?.id);
  a.replayed.push(r.headers?.get('idempotent-replayed') === 'true');
  return r;
}

/** Runs `fn` over the attempts with a few concurrent clients. */
async function pool(items: Attempt[], fn: (a: Attempt) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < items.length) await fn(items[next++] as Attempt);
    }),
  );
}

beforeAll(async () => {
  pgdb = await PrivatePostgres.create();
  api = await ApiProcess.start({ DATABASE_URL: pgdb.url });
  ws = await bootstrapWorkspace(api.base, pgdb, 'kill');
  const run = Date.now().toString(36);
  for (let i = 0; i < TOTAL; i++)
    attempts.push({ key: `chaos-${run}-${i}`, title: `Chaos task ${run} #${i}`, statuses: [], ids: [], replayed: [] });
});

afterAll(async () => {
  report.save();
  await api?.kill();
  await pgdb?.destroy();
});

describe('SIGKILL during idempotent creates', () => {
  it('every acknowledged create exists exactly once, and replaying every key creates nothing new', async () => {
    // Phase 1: creates until the API is killed mid-flight.
    let acked = 0;
    let killedAt = -1;
    await pool(attempts, async (a) => {
      if (!api.alive) return; // the clients stop sending once the process is gone
      const r = await send(a);
      if (r.status >= 200 && r.status < 300) acked++;
      if (acked >= KILL_AFTER && killedAt < 0) {
        killedAt = acked;
        await api.kill('SIGKILL');
      }
    });
    const firstAcks = attempts.filter((a) => (a.statuses[0] ?? 0) >= 200 && (a.statuses[0] ?? 0) < 300);
    const lostAnswers = attempts.filter((a) => a.statuses[0] === 0).length;
    report.figure('creates', TOTAL);
    report.figure('acknowledged before kill', firstAcks.length);
    report.figure('answers lost to the kill', lostAnswers);

    await report.check(() => {
      expect(killedAt).toBeGreaterThan(0);
      expect(api.alive).toBe(false);
      // Nothing but 2xx or no answer at all before the kill.
      const other = attempts.flatMap((a) => a.statuses).filter((s) => s !== 0 && (s < 200 || s >= 300));
      expect(other, 'non-2xx answers before the kill').toEqual([]);
    });

    // The acknowledged creates survived the kill (the commit happened before the answer).
    const before = await taskTitles(pgdb, ws.tenantId);
    await report.check(() => {
      const missing = firstAcks.filter((a) => before.get(a.title) !== 1);
      expect(
        missing.map((a) => a.title),
        'acknowledged creates missing or doubled after the kill',
      ).toEqual([]);
    });

    // Phase 2: a new process on the same database; every key is sent again, then once more.
    await api.spawn();
    await pool(attempts, send);
    const afterFirst = await taskTitles(pgdb, ws.tenantId);
    await pool(attempts, send);
    const afterSecond = await taskTitles(pgdb, ws.tenantId);

    const acknowledged = attempts.filter((a) => a.statuses.some((s) => s >= 200 && s < 300));
    const orphaned = attempts.filter((a) => a.statuses.at(-1) === 409);
    const duplicates = [...afterSecond.values()].filter((n) => n > 1).length;
    const lost = acknowledged.filter((a) => afterSecond.get(a.title) !== 1).length;
    const totalRows = [...afterSecond.values()].reduce((x, y) => x + y, 0);
    report.figure('acknowledged writes', acknowledged.length);
    report.figure('lost', lost);
    report.figure('duplicates', duplicates);
    report.figure('orphaned claims (409 for 24 h, ADR 0009)', orphaned.length);

    await report.check(() => {
      expect(lost, 'acknowledged creates missing').toBe(0);
      expect(duplicates, 'titles created twice').toBe(0);
    });
    await report.check(() => {
      // The second replay changed nothing.
      expect(totalRows).toBe([...afterFirst.values()].reduce((x, y) => x + y, 0));
      for (const a of attempts) {
        const last = a.statuses.at(-1);
        expect([201, 409], `${a.key}: ${a.statuses.join(',')}`).toContain(last);
        if (last === 201) {
          expect(a.replayed.at(-1), `${a.key} second replay must be a replay`).toBe(true);
          // Every 2xx this key ever got names the same task.
          const ids = new Set(a.ids.filter((id, i) => id && (a.statuses[i] ?? 0) < 300));
          expect(ids.size, `${a.key} answered with different tasks`).toBe(1);
        }
      }
    });
    await report.check(() => {
      // An orphaned claim committed together with its task: the task is there exactly once.
      for (const a of orphaned) expect(afterSecond.get(a.title), `${a.key} orphaned claim without its task`).toBe(1);
      // No task exists without a key that created it (nothing created behind the clients' backs).
      const titles = new Set(attempts.map((a) => a.title));
      expect([...afterSecond.keys()].filter((t) => !titles.has(t))).toEqual([]);
      expect(totalRows).toBe(acknowledged.length + orphaned.filter((a) => !acknowledged.includes(a)).length);
    });
  });
});
