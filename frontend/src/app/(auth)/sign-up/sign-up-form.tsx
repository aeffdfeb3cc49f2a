'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { AuthCard, linkClass } from '@/components/auth-card';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { authClient, authErrorMessage } from '@/lib/auth-client';
import { safeNext, withNext } from '@/lib/navigation';

const MIN_PASSWORD = 10;

export function SignUpForm() {
  const params = useSearchParams();
  const next = params.get('next');
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [passwordError, setPasswordError] = useState<string | undefined>();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (password.length < MIN_PASSWORD) {
      setPasswordError(`Use at least ${MIN_PASSWORD} characters.`);
      return;
    }
    setPasswordError(undefined);
    setPending(true);
    const destination = safeNext(next, '/onboarding');
    const { error } = await authClient.signUp.email({
      name: name.trim(),
      email: email.trim(),
      password,
      // Where the confirmation link lands (then on to `destination`).
      callbackURL: withNext('/verify-email', destination),
    });
    setPending(false);
    if (error) {
      setError(authErrorMessage(error));
      return;
    }
    queryClient.clear();
    router.push(`/verify-email?email=${encodeURIComponent(email.trim())}&next=${encodeURIComponent(destination)}`);
  }

  return (
    <AuthCard
      title="Create your account"
      description="Start planning with your team. It takes a minute."
      footer={
        <>
          Already have an account?{' '}
          <Link href={withNext('/sign-in', next)} className={linkClass}>
            Sign in
          </Link>
        </>
      }
    >
      <form onSubmit={onSubmit} className="flex flex-col gap-4">
        <FormError error={error} />
        <Field label="Your name">
          {({ id }) => (
            <Input id={id} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
          )}
        </Field>
        <Field label="Work email">
          {({ id }) => (
            <Input id={id} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          )}
        </Field>
        <Field label="Password" hint={`At least ${MIN_PASSWORD} characters.`} error={passwordError}>
          {({ id, describedBy, invalid }) => (
            <Input
              id={id}
              type="password"
              autoComplete="new-password"
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              minLength={MIN_PASSWORD}
              maxLength={128}
            />
          )}
        </Field>
        <Button type="submit" loading={pending}>
          Create account
        </Button>
        <p className="text-xs text-muted">We will send you an email to confirm your address.</p>
      </form>
    </AuthCard>
  );
}
