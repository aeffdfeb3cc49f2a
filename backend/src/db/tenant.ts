/**
 * withTenant: the only way tenant data is read or written.
 *
 * Runs `fn` in one transaction whose first statement sets, transaction-locally, the role to the
 * application role and `app.tenant_id` / `app.user_id` for the row-level security policies. Because
 * the settings are local (`set_config(…, true)`), they vanish at COMMIT/ROLLBACK and can never leak
 * to the next request that borrows the pooled connection — also behind a transaction-mode pooler.
 * Audit rows and jobs for the change are written through the same `tx`, so they commit or roll back
 * together with it.
 */
import { sql } from 'drizzle-orm';
import { APP_ROLE, type AppDb, type Tx } from './client.ts';

export interface TenantScope {
  tenantId: string;
  userId?: string | null;
}

export async function withTenant<T>(db: AppDb, scope: TenantScope, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${scope.tenantId}, true), set_config('app.user_id', ${scope.userId ?? ''}, true)`,
    );
    return fn(tx as Tx);
  });
}
