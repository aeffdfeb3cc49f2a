/**
 * The AI model registry, as configuration: the ONLY place in the code where model names appear.
 *
 * On every start the runtime upserts the `ai_models` table from this list (or from the file named by
 * AI_MODELS_FILE, which replaces it), and the gateway then reads the table on every call, so a platform
 * admin's change (`PATCH /api/v1/admin/ai-models/:id`) applies to the next call without a restart. A
 * row an admin has changed is no longer overwritten from here; a row dropped from here is disabled.
 *
 * For each purpose the gateway tries the enabled models whose provider is configured, lowest
 * `priority` first. Prices are integer micro-dollars per million tokens (1 USD = 1,000,000 micro-dollars;
 * $0.40 per million tokens = 400_000). Check them against the provider's price list.
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { AI_PROVIDERS, AI_PURPOSES } from '../../db/schema/index.ts';

export const ModelEntrySchema = z
  .object({
    provider: z.enum(AI_PROVIDERS),
    model: z.string().trim().min(1).max(200),
    purpose: z.enum(AI_PURPOSES),
    inputPricePerMTokMicros: z.number().int().min(0).max(1_000_000_000),
    outputPricePerMTokMicros: z.number().int().min(0).max(1_000_000_000),
    maxOutputTokens: z.number().int().min(16).max(200_000),
    timeoutMs: z.number().int().min(100).max(600_000),
    priority: z.number().int().min(0).max(10_000),
    enabled: z.boolean().default(true),
  })
  .strict();

export type ModelEntry = z.output<typeof ModelEntrySchema>;

export const ModelListSchema = z.array(ModelEntrySchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((m, i) => {
    const key = `${m.provider}/${m.model}/${m.purpose}`;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate entry ${key}` });
    seen.add(key);
  });
});

/** The default registry: a hosted model first, a second provider as fallback, a local server last. */
export const AI_MODELS: ModelEntry[] = [
  {
    provider: 'openai',
    model: 'gpt-4.1-mini',
    purpose: 'task_breakdown',
    inputPricePerMTokMicros: 400_000,
    outputPricePerMTokMicros: 1_600_000,
    maxOutputTokens: 1_200,
    timeoutMs: 30_000,
    priority: 10,
    enabled: true,
  },
  {
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    purpose: 'task_breakdown',
    inputPricePerMTokMicros: 1_000_000,
    outputPricePerMTokMicros: 5_000_000,
    maxOutputTokens: 1_200,
    timeoutMs: 30_000,
    priority: 20,
    enabled: true,
  },
  {
    provider: 'openai_compatible',
    model: 'llama3.1:8b',
    purpose: 'task_breakdown',
    inputPricePerMTokMicros: 0,
    outputPricePerMTokMicros: 0,
    maxOutputTokens: 1_200,
    timeoutMs: 120_000,
    priority: 30,
    enabled: true,
  },
  {
    provider: 'openai',
    model: 'gpt-4.1-mini',
    purpose: 'project_summary',
    inputPricePerMTokMicros: 400_000,
    outputPricePerMTokMicros: 1_600_000,
    maxOutputTokens: 800,
    timeoutMs: 45_000,
    priority: 10,
    enabled: true,
  },
  {
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    purpose: 'project_summary',
    inputPricePerMTokMicros: 1_000_000,
    outputPricePerMTokMicros: 5_000_000,
    maxOutputTokens: 800,
    timeoutMs: 45_000,
    priority: 20,
    enabled: true,
  },
  {
    provider: 'openai_compatible',
    model: 'llama3.1:8b',
    purpose: 'project_summary',
    inputPricePerMTokMicros: 0,
    outputPricePerMTokMicros: 0,
    maxOutputTokens: 800,
    timeoutMs: 120_000,
    priority: 30,
    enabled: true,
  },
];

export class ModelsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelsFileError';
  }
}

/**
 * The registry entries: AI_MODELS_FILE when set (a JSON array, or a module exporting `AI_MODELS` or a
 * default array), else the list above. A bad file stops the start with a message naming the problem.
 */
export async function loadModelEntries(modelsFile: string | undefined): Promise<ModelEntry[]> {
  if (!modelsFile) return ModelListSchema.parse(AI_MODELS);
  let raw: unknown;
  try {
    if (modelsFile.endsWith('.json')) {
      raw = JSON.parse(fs.readFileSync(modelsFile, 'utf8'));
    } else {
      const mod = (await import(pathToFileURL(modelsFile).href)) as { AI_MODELS?: unknown; default?: unknown };
      raw = mod.AI_MODELS ?? mod.default;
    }
  } catch (err) {
    throw new ModelsFileError(`AI_MODELS_FILE (${modelsFile}) cannot be read: ${(err as Error).message}`);
  }
  const parsed = ModelListSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; ');
    throw new ModelsFileError(`AI_MODELS_FILE (${modelsFile}) is not a valid model list: ${problems}`);
  }
  return parsed.data;
}
