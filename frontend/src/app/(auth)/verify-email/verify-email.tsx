'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { AuthCard, linkClass } from '@/components/auth-card';
import { Button, buttonClass } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { CheckIcon, MailIcon } from '@/components/ui/icons';
import { Loading } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api/client';
import { authClient, authErrorMessage } from '@/lib/auth-client';
import { useDevOutboxAvailable } from '@/lib/dev';
import { safeNext, withNext } from '@/lib/navigation';

const ERRORS: Record<string, string> = {
  TOKEN_EXPIRED: 'This confirmation link has expired.',
  INVALID_TOKEN: 'This confirmation link is not valid (it may have been used already).',
  USER_NOT_FOUND: 'We could not find the account for this link.',
};

export function VerifyEmail() {
  const params = useSearchParams();
  const next = safeNext(params.get('next'), '/w');
  const linkError = params.get('error');
  const outbox = useDevOutboxAvailable();
  const me = useQuery({
    queryKey: ['me', 'verify'],
    queryFn: async () => {
      const res = await api.GET('/api/v1/me');
      return res.data?.data ?? null;
    },
    retry: false,
    refetchOnWindowFocus: true,
  });
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [pending, setPending] = useState(false);

  async function resend(e: FormEvent) {
    e.preventDefault();
    const to = me.data?.user.email ?? email;
    if (!to) return;
    setPending(true);
    const { error } = await authClient.sendVerificationEmail({ email: to, callbackURL: withNext('/verify-email', next) });
    setPending(false);
    if (error) toast.error('Could not send the email', authErrorMessage(error));
    else toast.success('Email sent', `We sent a new confirmation link to ${to}.`);
  }

  if (me.isPending) return <Loading />;

  if (me.data?.user.emailVerified && !linkError) {
    return (
      <AuthCard
        title="Email confirmed"
        description={
          <>
            Thanks, {me.data.user.name}. Your address {me.data.user.email} is confirmed.
          </>
        }
      >
        <div className="flex flex-col items-start gap-4">
          <span className="flex size-11 items-center justify-center rounded-full bg-success-soft text-success">
            <CheckIcon />
          </span>
          <Link href={next} className={buttonClass()}>
            Continue
          </Link>
        </div>
      </AuthCard>
    );
  }

  const address = me.data?.user.email ?? email;
  return (
    <AuthCard
      title={linkError ? 'That link did not work' : 'Check your inbox'}
      description={
        linkError ? (
          <span role="alert">{ERRORS[linkError] ?? 'The confirmation link could not be used.'} Send yourself a new one below.</span>
        ) : (
          <>
            We sent a confirmation link to {address ? <strong className="text-foreground">{address}</strong> : 'your email address'}. Open
            it to confirm your address; you will come right back here.
          </>
        )
      }
      footer={
        me.data ? (
          <Link href={next} className={linkClass}>
            Skip for now
          </Link>
        ) : (
          <Link href={withNext('/sign-in', next)} className={linkClass}>
            Back to sign in
          </Link>
        )
      }
    >
      <div className="flex flex-col gap-5">
        <span className="flex size-11 items-center justify-center rounded-full bg-accent-soft text-accent">
          <MailIcon />
        </span>
        {outbox && (
          <p className="rounded-lg border border-border bg-surface-2 px-3 py-2 text-sm">
            Running locally? Mail is not sent; read it in the{' '}
            <Link href="/dev/outbox" className={linkClass}>
              dev outbox
            </Link>
            .
          </p>
        )}
        <form onSubmit={resend} className="flex flex-col gap-3">
          {!me.data && (
            <Field label="Email">
              {({ id }) => (
                <Input id={id} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
              )}
            </Field>
          )}
          <Button type="submit" variant="secondary" loading={pending}>
            Send the link again
          </Button>
        </form>
      </div>
    </AuthCard>
  );
}
