import { z } from 'zod';
import { envelope, errorResponses, ok, USER_AUTH } from '../../lib/envelope.ts';
import { platformAdminOf, requirePlatformAdmin } from '../../plugins/platform-admin.ts';
import type { AppInstance } from '../../types.ts';
import { listModels, updateModel } from './ai.admin.service.ts';
import { AiModel, ModelParams, ModelPatchBody } from './ai.schemas.ts';

const tag = ['admin'];

/** Platform administration of the AI model registry (mounted at /api/v1/admin). */
export async function aiAdminRoutes(app: AppInstance) {
  app.addHook('preValidation', requirePlatformAdmin);

  app.get(
    '/ai-models',
    {
      schema: {
        tags: tag,
        summary: 'The AI model registry: every model, its purpose, prices, limits and fallback priority (platform admins)',
        operationId: 'listAiModels',
        security: USER_AUTH,
        response: { 200: envelope(z.array(AiModel)), ...errorResponses(401, 403) },
      },
    },
    async (request) => ok(await listModels(app.database.db, app.config, platformAdminOf(request))),
  );

  app.patch(
    '/ai-models/:modelId',
    {
      schema: {
        tags: tag,
        summary:
          'Change a model’s prices, max output tokens, timeout, priority or enabled flag (platform admins); applies to the next call',
        description: 'Recorded as `ai.model_updated`. A model changed here is no longer overwritten by the configuration file at start-up.',
        operationId: 'updateAiModel',
        security: USER_AUTH,
        params: ModelParams,
        body: ModelPatchBody,
        response: { 200: envelope(AiModel), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ok(await updateModel(app.database.db, app.config, platformAdminOf(request), request.params.modelId, request.body)),
  );
}
