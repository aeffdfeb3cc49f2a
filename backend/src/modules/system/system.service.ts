import type { Database } from '../../db/client.ts';
import { migrationStatus } from '../../db/migrate.ts';

export async function checkReadiness(database: Database) {
  let databaseOk = false;
  let migrations: 'current' | 'pending' | 'unknown' = 'unknown';
  try {
    await withTimeout(database.ping(), 2_000);
    databaseOk = true;
    migrations = (await withTimeout(migrationStatus(database), 2_000)).current ? 'current' : 'pending';
  } catch {
    // reported below as not ready
  }
  return {
    status: databaseOk && migrations === 'current' ? ('ready' as const) : ('not_ready' as const),
    checks: { database: databaseOk ? ('ok' as const) : ('unreachable' as const), migrations },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
