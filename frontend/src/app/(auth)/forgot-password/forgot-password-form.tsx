'use client';

import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { AuthCard, linkClass } from '@/components/auth-card';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { authClient, authErrorMessage } from '@/lib/auth-client';
import { useDevOutboxAvailable } from '@/lib/dev';

export function ForgotPasswordForm() {
  const [email, setEmail] = useState('');
  const [pending, setPending] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const outbox = useDevOutboxAvailable();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    const { error } = await authClient.requestPasswordReset({ email: email.trim(), redirectTo: '/reset-password' });
    setPending(false);
    if (error) setError(authErrorMessage(error));
    else setSent(true);
  }

  return (
    <AuthCard
      title="Reset your password"
      description={
        sent ? (
          <span role="status">
            If an account exists for <strong className="text-foreground">{email}</strong>, we sent it a link to choose a new password. The
            link works for one hour.
          </span>
        ) : (
          'Enter the email of your account and we will send you a link to choose a new password.'
        )
      }
      footer={
        <Link href="/sign-in" className={linkClass}>
          Back to sign in
        </Link>
      }
    >
      {sent ? (
        <div className="flex flex-col gap-3 text-sm">
          {outbox && (
            <p className="rounded-lg border border-border bg-surface-2 px-3 py-2">
              Running locally? Read the mail in the{' '}
              <Link href="/dev/outbox" className={linkClass}>
                dev outbox
              </Link>
              .
            </p>
          )}
          <Button variant="secondary" onClick={() => setSent(false)}>
            Use another email
          </Button>
        </div>
      ) : (
        <form onSubmit={onSubmit} className="flex flex-col gap-4">
          <FormError error={error} />
          <Field label="Email">
            {({ id }) => (
              <Input id={id} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
            )}
          </Field>
          <Button type="submit" loading={pending}>
            Send reset link
          </Button>
        </form>
      )}
    </AuthCard>
  );
}
