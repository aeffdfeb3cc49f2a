'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { Logo } from '@/components/logo';
import { ThemeToggle } from '@/components/theme-toggle';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { ArrowRightIcon } from '@/components/ui/icons';
import { FormError } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { ApiError, api, call } from '@/lib/api/client';
import { keys, useMe } from '@/lib/queries';
import { useSignOut } from '@/lib/use-sign-out';

const slugify = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);

export function Onboarding() {
  const me = useMe();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { signOut, pending: signingOut } = useSignOut();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');

  const create = useMutation({
    mutationFn: async () =>
      (await call(api.POST('/api/v1/tenants', { body: { name: name.trim(), ...(slug.trim() ? { slug: slug.trim() } : {}) } }))).data,
    onSuccess: async (tenant) => {
      await queryClient.invalidateQueries({ queryKey: keys.me });
      toast.success(`${tenant.name} is ready`);
      router.push(`/w/${tenant.id}/tasks`);
    },
  });
  const fieldErrors = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const slugConflict = create.error instanceof ApiError && create.error.code === 'conflict';

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }

  const memberships = me.data?.memberships ?? [];

  return (
    <div className="flex min-h-dvh flex-1 flex-col">
      <header className="flex items-center justify-between gap-3 px-4 py-4 sm:px-6">
        <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight">
          <Logo />
          <span>Atrium</span>
        </Link>
        <div className="flex items-center gap-2">
          <ThemeToggle />
          <Button variant="ghost" size="sm" onClick={signOut} loading={signingOut}>
            Sign out
          </Button>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="flex flex-1 flex-col items-center px-4 pt-6 pb-16 outline-none sm:pt-12">
        <div className="w-full max-w-md">
          <div className="rounded-2xl border border-border bg-surface p-6 shadow-sm sm:p-8">
            <p className="text-sm font-medium text-accent">Welcome{me.data ? `, ${me.data.user.name}` : ''}</p>
            <h1 className="mt-1 text-2xl font-semibold tracking-tight">Create a workspace</h1>
            <p className="mt-2 text-sm text-muted">A workspace holds your team’s projects and tasks. You can invite people next.</p>
            {me.data && !me.data.user.emailVerified && (
              <p className="mt-4 rounded-lg border border-border bg-warning-soft px-3 py-2 text-sm">
                Confirm your email address (see your inbox) to accept invitations from other workspaces.
              </p>
            )}
            <form onSubmit={onSubmit} className="mt-6 flex flex-col gap-4">
              <FormError error={create.error && !fieldErrors.name && !fieldErrors.slug && !slugConflict ? create.error : null} />
              <Field label="Workspace name" error={fieldErrors.name}>
                {({ id, describedBy, invalid }) => (
                  <Input
                    id={id}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    value={name}
                    onChange={(e) => setName(e.target.value)}
                    placeholder="Acme Inc."
                    required
                    maxLength={100}
                  />
                )}
              </Field>
              <Field
                label={
                  <>
                    URL name <span className="font-normal text-muted">(optional)</span>
                  </>
                }
                hint="Lowercase letters, digits and dashes. Leave empty to derive it from the name."
                error={fieldErrors.slug ?? (slugConflict ? create.error?.message : undefined)}
              >
                {({ id, describedBy, invalid }) => (
                  <Input
                    id={id}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    value={slug}
                    onChange={(e) => setSlug(e.target.value.toLowerCase())}
                    placeholder={slugify(name) || 'acme'}
                    pattern="[a-z0-9][a-z0-9-]{0,46}[a-z0-9]"
                    maxLength={48}
                  />
                )}
              </Field>
              <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
                Create workspace
              </Button>
            </form>
          </div>
          {memberships.length > 0 && (
            <section aria-labelledby="existing" className="mt-8">
              <h2 id="existing" className="text-sm font-semibold text-muted">
                Or open one of your workspaces
              </h2>
              <ul className="mt-3 flex flex-col gap-2">
                {memberships.map((m) => (
                  <li key={m.tenantId}>
                    <Link
                      href={`/w/${m.tenantId}/tasks`}
                      className="flex items-center justify-between rounded-lg border border-border bg-surface px-4 py-3 text-sm font-medium hover:border-accent"
                    >
                      {m.name}
                      <ArrowRightIcon className="size-4 text-muted" />
                    </Link>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
      </main>
    </div>
  );
}
