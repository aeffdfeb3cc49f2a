'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { AuthCard, linkClass } from '@/components/auth-card';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { authClient, authErrorMessage } from '@/lib/auth-client';
import { safeNext, withNext } from '@/lib/navigation';

type Step = 'password' | 'totp' | 'backup';

export function SignInForm() {
  const params = useSearchParams();
  const next = params.get('next');
  const router = useRouter();
  const queryClient = useQueryClient();
  const session = authClient.useSession();

  const [step, setStep] = useState<Step>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [trustDevice, setTrustDevice] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [unverified, setUnverified] = useState(false);

  function finish() {
    queryClient.clear();
    router.replace(safeNext(next));
    router.refresh();
  }

  async function onPassword(e: FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    setUnverified(false);
    const { data, error } = await authClient.signIn.email({ email, password });
    setPending(false);
    if (error) {
      setError(authErrorMessage(error));
      if (error.code === 'EMAIL_NOT_VERIFIED' || error.status === 403) setUnverified(true);
      return;
    }
    if (data && 'twoFactorRedirect' in data && data.twoFactorRedirect) {
      setStep('totp');
      setCode('');
      return;
    }
    finish();
  }

  async function onCode(e: FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    const trimmed = code.trim();
    const { error } =
      step === 'totp'
        ? await authClient.twoFactor.verifyTotp({ code: trimmed.replace(/\s+/g, ''), trustDevice })
        : await authClient.twoFactor.verifyBackupCode({ code: trimmed, trustDevice });
    setPending(false);
    if (error) {
      setError(authErrorMessage(error));
      return;
    }
    finish();
  }

  async function resendVerification() {
    const { error } = await authClient.sendVerificationEmail({
      email,
      callbackURL: withNext('/verify-email', next),
    });
    if (error) toast.error('Could not send the email', authErrorMessage(error));
    else router.push(`/verify-email?email=${encodeURIComponent(email)}${next ? `&next=${encodeURIComponent(next)}` : ''}`);
  }

  if (step !== 'password') {
    return (
      <AuthCard
        title="Two-factor authentication"
        description={
          step === 'totp'
            ? 'Enter the 6-digit code from your authenticator app.'
            : 'Enter one of the backup codes you saved when you turned on two-factor authentication. Each code works once.'
        }
        footer={
          <button type="button" className={linkClass} onClick={() => setStep('password')}>
            Back to sign in
          </button>
        }
      >
        <form onSubmit={onCode} className="flex flex-col gap-4" noValidate>
          <FormError error={error} />
          <Field label={step === 'totp' ? 'Authentication code' : 'Backup code'}>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                autoComplete="one-time-code"
                inputMode={step === 'totp' ? 'numeric' : 'text'}
                pattern={step === 'totp' ? '[0-9 ]*' : undefined}
                maxLength={step === 'totp' ? 7 : 32}
                placeholder={step === 'totp' ? '123456' : 'XXXXX-XXXXX'}
                className="font-mono tracking-widest"
                required
                autoFocus
              />
            )}
          </Field>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={trustDevice}
              onChange={(e) => setTrustDevice(e.target.checked)}
              className="size-4 accent-[var(--accent)]"
            />
            Trust this device for 30 days
          </label>
          <Button type="submit" loading={pending} disabled={!code.trim()}>
            Verify
          </Button>
          <button
            type="button"
            className={`${linkClass} text-sm`}
            onClick={() => {
              setStep(step === 'totp' ? 'backup' : 'totp');
              setCode('');
              setError(null);
            }}
          >
            {step === 'totp' ? 'Use a backup code instead' : 'Use your authenticator app instead'}
          </button>
        </form>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Sign in to Atrium"
      description="Welcome back. Sign in to get to your workspaces."
      footer={
        <>
          New to Atrium?{' '}
          <Link href={withNext('/sign-up', next)} className={linkClass}>
            Create an account
          </Link>
        </>
      }
    >
      {session.data && (
        <div className="mb-5 rounded-lg border border-border bg-surface-2 px-3 py-2 text-sm">
          You are signed in as <strong>{session.data.user.email}</strong>.{' '}
          <Link href={safeNext(next)} className={linkClass}>
            Continue
          </Link>{' '}
          or sign in with another account below.
        </div>
      )}
      <form onSubmit={onPassword} className="flex flex-col gap-4">
        <FormError error={error} />
        {unverified && (
          <p className="text-sm">
            <button type="button" className={linkClass} onClick={resendVerification}>
              Send the confirmation email again
            </button>
          </p>
        )}
        <Field label="Email">
          {({ id, describedBy }) => (
            <Input
              id={id}
              aria-describedby={describedBy}
              type="email"
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label="Password">
          {({ id, describedBy }) => (
            <Input
              id={id}
              aria-describedby={describedBy}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          )}
        </Field>
        <div className="-mt-1 text-right text-sm">
          <Link href="/forgot-password" className={linkClass}>
            Forgot your password?
          </Link>
        </div>
        <Button type="submit" loading={pending}>
          Sign in
        </Button>
      </form>
    </AuthCard>
  );
}
