/**
 * The model registry for platform admins: list it, and change a model's prices, limits, priority or
 * enabled flag. A change applies to the next call (the gateway reads the registry on every call) and
 * is recorded in `ai_model_changes` as `ai.model_updated`, with who, from where and what changed.
 */
import type { AppConfig } from '../../config.ts';
import type { AppDb } from '../../db/client.ts';
import { withScope } from '../../db/tenant.ts';
import { notFound } from '../../lib/errors.ts';
import * as repo from './ai.repository.ts';
import { isProviderConfigured } from './providers.ts';

export function toModel(row: repo.AiModelRow, config: AppConfig) {
  return {
    id: row.id,
    provider: row.provider,
    model: row.model,
    purpose: row.purpose,
    inputPricePerMTokMicros: row.inputPricePerMTokMicros,
    outputPricePerMTokMicros: row.outputPricePerMTokMicros,
    maxOutputTokens: row.maxOutputTokens,
    timeoutMs: row.timeoutMs,
    priority: row.priority,
    enabled: row.enabled,
    inConfig: row.inConfig,
    providerConfigured: isProviderConfigured(config.ai, row.provider),
    adminEditedAt: row.adminEditedAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface PlatformAdminActor {
  userId: string;
  email: string;
  ip: string | null;
  requestId: string | null;
}

export async function listModels(db: AppDb, config: AppConfig, admin: PlatformAdminActor) {
  return withScope(db, { userId: admin.userId }, async (tx) => (await repo.findModels(tx)).map((m) => toModel(m, config)));
}

export async function updateModel(db: AppDb, config: AppConfig, admin: PlatformAdminActor, modelId: string, patch: repo.ModelPatch) {
  return withScope(db, { userId: admin.userId }, async (tx) => {
    const before = await repo.findModel(tx, modelId);
    if (!before) throw notFound('Model');
    const after = (await repo.updateModelRow(tx, modelId, patch)) as repo.AiModelRow;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of Object.keys(patch) as (keyof repo.ModelPatch)[]) {
      if (before[key] !== after[key]) changes[key] = { from: before[key], to: after[key] };
    }
    await repo.insertModelChange(tx, {
      modelId,
      action: 'ai.model_updated',
      actorId: admin.userId,
      actorEmail: admin.email,
      changes,
      ip: admin.ip,
      requestId: admin.requestId,
    });
    return toModel(after, config);
  });
}
