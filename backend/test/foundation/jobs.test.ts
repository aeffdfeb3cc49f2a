import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogs, tenants } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { deadLetterName, type JobDefinition } from '../../src/jobs/queue.ts';
import { newId } from '../../src/lib/ids.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../helpers/wait.ts';

const ran: string[] = [];
const attempts = new Map<string, number>();

const recordJob: JobDefinition<{ marker: string }> = {
  name: 'test.record',
  handler: async ({ marker }) => {
    ran.push(marker);
  },
};
const alwaysFails: JobDefinition<{ marker: string }> = {
  name: 'test.fails',
  retryLimit: 2,
  retryDelaySeconds: 1,
  handler: async ({ marker }) => {
    attempts.set(marker, (attempts.get(marker) ?? 0) + 1);
    throw new Error('handler failure');
  },
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ work: true, extraJobs: [recordJob, alwaysFails] as JobDefinition<never>[] });
});
afterAll(async () => {
  await t?.close();
});

describe('job queue', () => {
  it('runs a job enqueued in a committed transaction, never one from a rolled-back transaction', async () => {
    const tenantId = newId('ten');
    await withTenant(t.database.db, { tenantId }, (tx) =>
      tx.insert(tenants).values({ id: tenantId, name: 'Jobs', slug: `jobs-${tenantId.slice(-8).toLowerCase()}` }),
    );

    await expect(
      withTenant(t.database.db, { tenantId }, async (tx) => {
        await tx.insert(auditLogs).values({ id: newId('aud'), tenantId, actorType: 'system', action: 'rolled.back' });
        await t.jobs.send('test.record', { marker: 'rolled-back' }, { tx });
        throw new Error('abort the change');
      }),
    ).rejects.toThrow('abort the change');

    await withTenant(t.database.db, { tenantId }, async (tx) => {
      await t.jobs.send('test.record', { marker: 'committed' }, { tx });
    });

    await waitFor(async () => ran.includes('committed'));
    // Give the worker time to pick up anything else that might (wrongly) be queued.
    await new Promise((r) => setTimeout(r, 1500));
    expect(ran).toEqual(['committed']);
    const queued = (await t.database.db.execute(
      sql`select count(*)::int as n from pgboss.job where name = 'test.record' and data->>'marker' = 'rolled-back'`,
    )) as unknown as { rows: { n: number }[] };
    expect(queued.rows[0]?.n).toBe(0);
  });

  it('retries a failing job with backoff, then moves it to the dead-letter queue', async () => {
    const jobId = await t.jobs.send('test.fails', { marker: 'doomed' });
    expect(jobId).toBeTruthy();
    const dead = await waitFor(
      async () => {
        const r = (await t.database.db.execute(
          sql`select id, data, state from pgboss.job where name = ${deadLetterName('test.fails')}`,
        )) as unknown as { rows: { id: string; data: { marker: string } }[] };
        return r.rows.find((row) => row.data.marker === 'doomed');
      },
      { timeoutMs: 25_000 },
    );
    expect(dead).toBeTruthy();
    expect(attempts.get('doomed')).toBe(3); // first attempt + 2 retries
    const original = (await t.database.db.execute(sql`select state, retry_count from pgboss.job where id = ${jobId}`)) as unknown as {
      rows: { state: string; retry_count: number }[];
    };
    expect(original.rows[0]).toEqual({ state: 'failed', retry_count: 2 });
  }, 40_000);

  it('delivers queued mail to the dev outbox', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/dev/mail',
      payload: { to: 'Someone@Example.com', subject: 'Hello', text: 'Open https://atrium.test/accept?token=abc to continue.' },
    });
    expect(res.statusCode).toBe(202);
    const mail = await waitFor(async () => {
      const out = await t.app.inject({ url: '/api/v1/dev/outbox?to=someone@example.com' });
      return out.json().data[0];
    });
    expect(mail).toMatchObject({ to: 'someone@example.com', subject: 'Hello', links: ['https://atrium.test/accept?token=abc'] });
  });
});
