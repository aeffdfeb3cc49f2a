import type { AppDb } from '../../db/client.ts';
import { withMaintenance } from '../../db/tenant.ts';
import type { JobDefinition } from '../../jobs/queue.ts';
import { pruneAi } from './ai.repository.ts';
import type { AiDeps } from './ai.runtime.ts';
import { AI_PRUNE_JOB, AI_RUN_JOB, runAiJob } from './ai.service.ts';

/**
 * AI's jobs. `ai` is absent only where queues are created without running anything (the test
 * snapshot, the migrate command); a run handler without it fails loudly.
 */
export function aiJobDefinitions(deps: { db: AppDb; ai?: AiDeps }): JobDefinition<never>[] {
  // A background AI request (?async=true). The gateway already retries and falls back between models,
  // so the queue retries only a run whose worker died (the job row says whether it finished).
  const run: JobDefinition<{ tenantId: string; jobId: string }> = {
    name: AI_RUN_JOB,
    retryLimit: 2,
    retryDelaySeconds: 30,
    expireInSeconds: 15 * 60,
    handler: async (data, { log }) => {
      if (!deps.ai) throw new Error('ai jobs need the AI runtime');
      await runAiJob(deps.ai, data, log);
    },
  };
  // Expired cache entries and finished jobs older than 7 days, as the maintenance role.
  const prune: JobDefinition<Record<string, never>> = {
    name: AI_PRUNE_JOB,
    schedule: '41 * * * *',
    retryLimit: 2,
    handler: async (_data, { log }) => {
      const removed = await withMaintenance(deps.db, (tx) => pruneAi(tx));
      if (removed.cache + removed.jobs > 0) log.info(removed, 'pruned AI cache entries and jobs');
    },
  };
  return [run, prune] as JobDefinition<never>[];
}
