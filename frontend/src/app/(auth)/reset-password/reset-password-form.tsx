'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { AuthCard, linkClass } from '@/components/auth-card';
import { Button, buttonClass } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { authClient, authErrorMessage } from '@/lib/auth-client';

export function ResetPasswordForm() {
  const params = useSearchParams();
  const token = params.get('token');
  const linkError = params.get('error');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  if (!token || linkError) {
    return (
      <AuthCard
        title="This link does not work"
        description={<span role="alert">The reset link is invalid or has expired. Links work once, for one hour.</span>}
      >
        <Link href="/forgot-password" className={buttonClass()}>
          Request a new link
        </Link>
      </AuthCard>
    );
  }

  if (done) {
    return (
      <AuthCard
        title="Password changed"
        description={<span role="status">Your password is changed and you were signed out everywhere.</span>}
      >
        <Link href="/sign-in" className={buttonClass()}>
          Sign in
        </Link>
      </AuthCard>
    );
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (password.length < 10) return setError('Use at least 10 characters.');
    if (password !== confirm) return setError('The two passwords do not match.');
    setPending(true);
    const { error } = await authClient.resetPassword({ newPassword: password, token: token ?? '' });
    setPending(false);
    if (error) setError(authErrorMessage(error));
    else setDone(true);
  }

  return (
    <AuthCard
      title="Choose a new password"
      footer={
        <Link href="/sign-in" className={linkClass}>
          Back to sign in
        </Link>
      }
    >
      <form onSubmit={onSubmit} className="flex flex-col gap-4">
        <FormError error={error} />
        <Field label="New password" hint="At least 10 characters.">
          {({ id, describedBy }) => (
            <Input
              id={id}
              aria-describedby={describedBy}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              minLength={10}
              maxLength={128}
            />
          )}
        </Field>
        <Field label="Repeat the new password">
          {({ id }) => (
            <Input
              id={id}
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              required
            />
          )}
        </Field>
        <Button type="submit" loading={pending}>
          Change password
        </Button>
      </form>
    </AuthCard>
  );
}
