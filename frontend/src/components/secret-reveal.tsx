'use client';

import { CopyButton } from './copy-button';
import { Button } from './ui/button';
import { DialogContent, DialogRoot } from './ui/dialog';

/**
 * A secret the API returns exactly once (API key, webhook signing secret): shown with a copy button
 * and a warning; once the dialog closes, the page only has its prefix or nothing at all.
 */
export function SecretRevealDialog({
  secret,
  title,
  label,
  usage,
  onDone,
}: {
  secret: string | null;
  title: string;
  label: string;
  usage?: string;
  onDone: () => void;
}) {
  return (
    <DialogRoot open={secret !== null} onOpenChange={(open) => !open && onDone()}>
      <DialogContent title={title} description="Copy it now: it is shown only once and cannot be shown again.">
        <div className="flex flex-col gap-4">
          <div role="note" className="rounded-lg border border-warning/50 bg-warning-soft px-3 py-2 text-sm text-foreground">
            <strong className="font-semibold">This is the only time you will see it.</strong> Store it somewhere safe (a password manager or
            your deployment’s secret store). If you lose it, create a new one.
          </div>
          <div className="flex flex-col gap-1.5">
            <span className="text-sm font-medium">{label}</span>
            <div className="flex items-center gap-2">
              <code
                data-testid="revealed-secret"
                className="min-w-0 flex-1 overflow-x-auto rounded-lg border border-border bg-surface-2 px-3 py-2 font-mono text-sm whitespace-nowrap select-all"
              >
                {secret}
              </code>
              {secret && <CopyButton value={secret} />}
            </div>
            {usage && <p className="text-xs text-muted">{usage}</p>}
          </div>
          <div className="flex justify-end">
            <Button onClick={onDone}>I have copied it</Button>
          </div>
        </div>
      </DialogContent>
    </DialogRoot>
  );
}
