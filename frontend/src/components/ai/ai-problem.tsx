'use client';

import { isAiNotConfigured } from '@/lib/ai';
import { SparkIcon } from '../ui/icons';
import { FormError } from '../ui/states';

/**
 * How an AI call's failure is shown: `ai_not_configured` is not the user's fault and not an outage, so
 * it is a calm note with the server's own instructions (which say how to configure a provider); any
 * other error shows the API's message and request id.
 */
export function AiProblem({ error }: { error: unknown }) {
  if (!error) return null;
  if (isAiNotConfigured(error)) {
    return (
      <div
        role="status"
        data-testid="ai-not-configured"
        className="flex gap-3 rounded-xl border border-border bg-surface-2 px-4 py-3 text-sm"
      >
        <SparkIcon className="mt-0.5 size-4 text-accent" />
        <div className="min-w-0">
          <p className="font-semibold">AI is not set up on this server</p>
          <p className="mt-1 break-words text-muted">{error.message}</p>
        </div>
      </div>
    );
  }
  return <FormError error={error} />;
}
