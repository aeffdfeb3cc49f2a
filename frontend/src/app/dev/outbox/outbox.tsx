'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { Logo } from '@/components/logo';
import { ThemeToggle } from '@/components/theme-toggle';
import { Button } from '@/components/ui/button';
import { Input, Label } from '@/components/ui/field';
import { MailIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/states';
import { ApiError, api, call } from '@/lib/api/client';
import { formatDateTime, formatRelative } from '@/lib/format';

/** Renders a mail body with its http(s) links clickable (same-origin links open here). */
function MailText({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"]+)/g);
  return (
    <p className="text-sm leading-relaxed break-words whitespace-pre-wrap">
      {parts.map((part, i) =>
        /^https?:\/\//.test(part) ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: static split of one string
          <a key={i} href={part} className="font-medium break-all text-accent underline underline-offset-2">
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </p>
  );
}

export function Outbox() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const to = params.get('to') ?? '';
  const [filter, setFilter] = useState(to);
  const mails = useQuery({
    queryKey: ['dev-outbox', to],
    queryFn: async () => (await call(api.GET('/api/v1/dev/outbox', { params: { query: { limit: 50, ...(to ? { to } : {}) } } }))).data,
    refetchInterval: 3000,
    retry: false,
  });
  const unavailable = mails.error instanceof ApiError && mails.error.status === 404;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const v = filter.trim();
    router.replace(v ? `${pathname}?to=${encodeURIComponent(v)}` : pathname);
  }

  return (
    <div className="flex min-h-dvh flex-1 flex-col">
      <header className="flex items-center justify-between gap-3 border-b border-border px-4 py-3 sm:px-6">
        <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight">
          <Logo />
          <span>Atrium</span>
          <span className="rounded-md bg-warning-soft px-1.5 py-0.5 text-xs font-semibold text-warning">dev</span>
        </Link>
        <ThemeToggle />
      </header>
      <main id="main" tabIndex={-1} className="mx-auto flex w-full max-w-3xl flex-1 flex-col gap-6 px-4 py-8 outline-none sm:px-6">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Dev outbox</h1>
          <p className="mt-1 text-sm text-muted">
            Without SMTP, the local API keeps outgoing mail here instead of sending it. Newest first; refreshes every few seconds.
          </p>
        </div>
        {unavailable ? (
          <EmptyState icon={<MailIcon />} title="The dev outbox is not available">
            This server sends real email (production profile), so there is nothing to show here.
          </EmptyState>
        ) : (
          <>
            <form onSubmit={onSubmit} className="flex items-end gap-2">
              <div className="flex flex-1 flex-col gap-1.5">
                <Label htmlFor="outbox-to">Recipient</Label>
                <Input id="outbox-to" type="email" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Any recipient" />
              </div>
              <Button type="submit" variant="secondary">
                Filter
              </Button>
            </form>
            {mails.isPending ? (
              <SkeletonRows rows={3} label="Loading mail" />
            ) : mails.error ? (
              <ErrorState title="Could not load the outbox" error={mails.error} onRetry={() => mails.refetch()} />
            ) : mails.data.length === 0 ? (
              <EmptyState icon={<MailIcon />} title="No mail yet">
                Mail appears here when Atrium sends one: sign-up confirmations, password resets, invitations.
              </EmptyState>
            ) : (
              <ol className="flex flex-col gap-3" aria-label="Mails">
                {mails.data.map((m) => (
                  <li key={m.id} className="rounded-xl border border-border bg-surface p-4 shadow-xs">
                    <article aria-label={m.subject}>
                      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
                        <h2 className="font-semibold">{m.subject}</h2>
                        <time dateTime={m.createdAt} title={formatDateTime(m.createdAt)} className="text-xs text-muted">
                          {formatRelative(m.createdAt)}
                        </time>
                      </div>
                      <p className="mt-0.5 text-xs text-muted">To {m.to}</p>
                      <div className="mt-3 border-t border-border pt-3">
                        <MailText text={m.text} />
                      </div>
                    </article>
                  </li>
                ))}
              </ol>
            )}
          </>
        )}
      </main>
    </div>
  );
}
