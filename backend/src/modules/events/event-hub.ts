/**
 * Live updates: one hub per API process. It LISTENs on the database's `atrium_events` channel
 * (PostgreSQL LISTEN/NOTIFY, or PGlite's in-process equivalent), so an event committed through any
 * API process reaches the streams held by every process. For each notified tenant it reads the new
 * events from the tenant event log once, and hands each stream only what that reader may see.
 */
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { AppConfig } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import type { Role } from '../../db/schema/index.ts';
import { withTenant } from '../../db/tenant.ts';
import { type Permission, ROLE_PERMISSIONS } from '../tenants/permissions.ts';
import { EVENTS_CHANNEL, findEventsAfter, latestEventId, oldestEventId, type TenantEventRow } from './events.repository.ts';

export interface Subscriber {
  tenantId: string;
  userId: string | null;
  permissions: ReadonlySet<Permission>;
  lastId: number;
  send(event: TenantEventRow): void;
  close(reason: string): void;
}

/** May this reader see this event? Task and comment events of others' tasks are hidden from "own"-only roles. */
export function visibleTo(sub: Pick<Subscriber, 'userId' | 'permissions'>, event: Pick<TenantEventRow, 'type' | 'ownerIds'>): boolean {
  if (event.type.startsWith('task.') || event.type.startsWith('comment.')) {
    return sub.permissions.has('task:read:all') || (sub.userId !== null && event.ownerIds.includes(sub.userId));
  }
  return true;
}

export class EventHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private readonly pending = new Set<string>();
  private flushing: Promise<void> | undefined;
  private listener: { close(): Promise<void> } | undefined;
  private stopped = false;
  private readonly database: Database;
  private readonly config: AppConfig;
  private readonly log: FastifyBaseLogger;

  constructor(database: Database, config: AppConfig, log: FastifyBaseLogger) {
    this.database = database;
    this.config = config;
    this.log = log;
  }

  async start(): Promise<void> {
    if (this.database.kind === 'pglite' && this.database.pglite) {
      const unsubscribe = await this.database.pglite.listen(EVENTS_CHANNEL, (payload) => this.onNotify(payload));
      this.listener = { close: unsubscribe };
    } else {
      await this.connectPostgres();
    }
  }

  /** A dedicated connection for LISTEN, reconnecting with backoff if the database goes away. */
  private async connectPostgres(attempt = 0): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.config.database.url, application_name: 'atrium-events' });
    const retry = () => {
      if (this.stopped) return;
      const delay = Math.min(30_000, 500 * 2 ** attempt);
      setTimeout(() => void this.connectPostgres(attempt + 1).catch(() => {}), delay).unref();
    };
    client.on('error', (err) => {
      this.log.warn({ err }, 'live-update listener lost its connection; reconnecting');
      client.end().catch(() => {});
      retry();
    });
    client.on('notification', (msg) => {
      if (msg.payload) this.onNotify(msg.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (err) {
      this.log.warn({ err }, 'live-update listener could not connect; retrying');
      client.end().catch(() => {});
      retry();
      return;
    }
    this.listener = { close: () => client.end() };
    // Events committed while we were disconnected: deliver them now.
    for (const tenantId of this.subscribers.keys()) this.pending.add(tenantId);
    this.scheduleFlush();
  }

  private onNotify(payload: string) {
    const tenantId = payload.split(':')[0];
    if (!tenantId || !this.subscribers.has(tenantId)) return;
    this.pending.add(tenantId);
    this.scheduleFlush();
  }

  private scheduleFlush() {
    if (this.flushing) return;
    this.flushing = (async () => {
      while (this.pending.size > 0 && !this.stopped) {
        const tenants = [...this.pending];
        this.pending.clear();
        for (const tenantId of tenants)
          await this.deliver(tenantId).catch((err) => this.log.error({ err, tenantId }, 'live-update delivery failed'));
      }
    })().finally(() => {
      this.flushing = undefined;
      if (this.pending.size > 0) this.scheduleFlush();
    });
  }

  private async deliver(tenantId: string) {
    const subs = this.subscribers.get(tenantId);
    if (!subs || subs.size === 0) return;
    const from = Math.min(...[...subs].map((s) => s.lastId));
    const events = await withTenant(this.database.db, { tenantId }, (tx) => findEventsAfter(tx, tenantId, from));
    for (const event of events) {
      for (const sub of subs) {
        if (event.id <= sub.lastId) continue;
        sub.lastId = event.id;
        this.applyMembershipChange(sub, event);
        if (!subs.has(sub)) continue;
        if (visibleTo(sub, event)) sub.send(event);
      }
    }
    if (events.length === 500) this.pending.add(tenantId);
  }

  /** A stream follows its reader's membership: removed → closed, role changed → new filter. */
  private applyMembershipChange(sub: Subscriber, event: TenantEventRow) {
    const data = event.data as { userId?: string; role?: Role; to?: Role };
    if (data.userId !== sub.userId) return;
    if (event.type === 'member.removed') {
      this.unsubscribe(sub);
      sub.close('membership ended');
    } else if (event.type === 'member.role_changed' && data.to) {
      sub.permissions = ROLE_PERMISSIONS[data.to];
    }
  }

  /**
   * Registers a stream. With `lastEventId`, first replays what it missed; returns false when that id
   * is older than the kept history (the client must reload instead).
   */
  async subscribe(sub: Subscriber, lastEventId?: number): Promise<{ resumed: boolean }> {
    const { latest, oldest } = await withTenant(this.database.db, { tenantId: sub.tenantId }, async (tx) => ({
      latest: await latestEventId(tx, sub.tenantId),
      oldest: await oldestEventId(tx, sub.tenantId),
    }));
    let resumed = false;
    if (lastEventId !== undefined && lastEventId <= latest) {
      resumed = oldest === undefined || lastEventId >= oldest - 1;
      sub.lastId = resumed ? lastEventId : latest;
    } else {
      sub.lastId = latest;
    }
    let set = this.subscribers.get(sub.tenantId);
    if (!set) {
      set = new Set();
      this.subscribers.set(sub.tenantId, set);
    }
    set.add(sub);
    if (sub.lastId < latest) {
      this.pending.add(sub.tenantId);
      this.scheduleFlush();
    }
    return { resumed: lastEventId === undefined || resumed };
  }

  unsubscribe(sub: Subscriber) {
    const set = this.subscribers.get(sub.tenantId);
    set?.delete(sub);
    if (set && set.size === 0) this.subscribers.delete(sub.tenantId);
  }

  get streams(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  /** Ends every stream (shutdown) and stops listening. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const set of this.subscribers.values()) for (const sub of set) sub.close('server shutting down');
    this.subscribers.clear();
    await this.listener?.close().catch(() => {});
  }
}
