/**
 * Provider adapters: turns a registry row into an AI SDK language model, with one provider instance per
 * process and provider. The model name always comes from the registry row, never from code.
 *
 * The provider packages are loaded on the first call to a model of theirs: a process that never calls
 * one (most API instances, most of the time) does not hold them in memory.
 */
import type { createAnthropic } from '@ai-sdk/anthropic';
import type { createOpenAI } from '@ai-sdk/openai';
import type { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { AiConfig } from '../../config.ts';
import type { AiProvider } from '../../db/schema/index.ts';

export const PROVIDER_ENV: Record<AiProvider, string> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  openai_compatible: 'AI_COMPATIBLE_BASE_URL',
};

/**
 * The providers' HTTP calls never follow a redirect: a provider URL that answers 3xx (a misconfigured
 * proxy, or a hostile server pointing at an internal address) is an error, not a hop to another host
 * with our API key and the tenant's text. Classified by the gateway like any other failed call.
 */
export const noRedirectFetch: typeof fetch = (input, init) => fetch(input, { ...init, redirect: 'error' });

export function isProviderConfigured(config: AiConfig, provider: AiProvider): boolean {
  if (provider === 'openai') return config.openai !== undefined;
  if (provider === 'anthropic') return config.anthropic !== undefined;
  return config.compatible !== undefined;
}

export function anyProviderConfigured(config: AiConfig): boolean {
  return config.openai !== undefined || config.anthropic !== undefined || config.compatible !== undefined;
}

export class ProviderModels {
  private readonly config: AiConfig;
  private openai: ReturnType<typeof createOpenAI> | undefined;
  private anthropic: ReturnType<typeof createAnthropic> | undefined;
  private compatible: ReturnType<typeof createOpenAICompatible> | undefined;

  constructor(config: AiConfig) {
    this.config = config;
  }

  /** The language model for `provider`/`model`; rejects if the provider is not configured. */
  async model(provider: AiProvider, model: string): Promise<LanguageModel> {
    if (provider === 'openai') {
      const c = this.config.openai;
      if (!c) throw new Error('OpenAI is not configured');
      const { createOpenAI } = await import('@ai-sdk/openai');
      this.openai ??= createOpenAI({ apiKey: c.apiKey, ...(c.baseUrl ? { baseURL: c.baseUrl } : {}), fetch: noRedirectFetch });
      // Chat Completions: also what OpenAI-style proxies behind OPENAI_BASE_URL implement.
      return this.openai.chat(model);
    }
    if (provider === 'anthropic') {
      const c = this.config.anthropic;
      if (!c) throw new Error('Anthropic is not configured');
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      this.anthropic ??= createAnthropic({ apiKey: c.apiKey, ...(c.baseUrl ? { baseURL: c.baseUrl } : {}), fetch: noRedirectFetch });
      return this.anthropic(model);
    }
    const c = this.config.compatible;
    if (!c) throw new Error('No OpenAI-compatible server is configured');
    const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
    this.compatible ??= createOpenAICompatible({
      name: 'openai_compatible',
      baseURL: c.baseUrl,
      ...(c.apiKey ? { apiKey: c.apiKey } : {}),
      // Usage in streamed answers (stream_options.include_usage), and JSON-schema response formats.
      includeUsage: true,
      supportsStructuredOutputs: true,
      fetch: noRedirectFetch,
    });
    return this.compatible.chatModel(model);
  }
}
