import Link from 'next/link';
import type { ReactNode } from 'react';
import { ApiStatusWidget } from '@/components/api-status';
import { buttonClass } from '@/components/ui/button';

type Feature = {
  title: string;
  description: string;
  icon: ReactNode;
};

/** Decorative 24×24 outline icon; hidden from assistive technology. */
function Icon({ children }: { children: ReactNode }) {
  return (
    <svg
      aria-hidden="true"
      focusable="false"
      viewBox="0 0 24 24"
      className="size-5"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.75"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {children}
    </svg>
  );
}

const features: Feature[] = [
  {
    title: 'Workspaces & roles',
    description: 'Every team works in its own isolated workspace, with members and roles that decide who can do what.',
    icon: (
      <Icon>
        <circle cx="9" cy="8" r="3.25" />
        <path d="M3 19c.6-3.2 3-5 6-5s5.4 1.8 6 5" />
        <path d="M16 5.2a3 3 0 0 1 0 5.6M18 14.4c1.6.7 2.7 2.3 3 4.6" />
      </Icon>
    ),
  },
  {
    title: 'Tasks & projects',
    description: 'Organise work into projects, assign tasks and follow progress from the first idea to done.',
    icon: (
      <Icon>
        <rect x="4" y="4" width="16" height="16" rx="2.5" />
        <path d="m8 12 2.5 2.5L16 9" />
      </Icon>
    ),
  },
  {
    title: 'Metered AI',
    description: 'AI help for drafting and breaking down work, with usage metered per workspace so costs stay visible.',
    icon: (
      <Icon>
        <path d="M10 3.5 11.9 8.6 17 10.5 11.9 12.4 10 17.5 8.1 12.4 3 10.5 8.1 8.6Z" />
        <path d="M18 14.5 18.8 16.7 21 17.5 18.8 18.3 18 20.5 17.2 18.3 15 17.5 17.2 16.7Z" />
      </Icon>
    ),
  },
];

export default function HomePage() {
  return (
    <div className="mx-auto max-w-5xl px-4 sm:px-6">
      <section aria-labelledby="hero-title" className="pt-14 pb-14 sm:pt-24 sm:pb-16">
        <p className="text-sm font-semibold tracking-wide text-accent uppercase">Team task workspace</p>
        <h1 id="hero-title" className="mt-3 text-5xl font-bold tracking-tight sm:text-6xl">
          Atrium
        </h1>
        <p className="mt-5 max-w-2xl text-lg leading-relaxed text-muted sm:text-xl">
          Plan work together. Projects, tasks and AI help for teams — on a SaaS core you can run yourself.
        </p>

        <div className="mt-8 flex flex-wrap items-center gap-3">
          <Link href="/sign-up" className={buttonClass({ className: 'h-11 px-5 text-base' })}>
            Create your workspace
          </Link>
          <Link href="/sign-in" className={buttonClass({ variant: 'secondary', className: 'h-11 px-5 text-base' })}>
            Sign in
          </Link>
        </div>

        <p className="mt-4 text-sm text-muted">
          Building on Atrium? Read the{' '}
          <a href="/docs" className="font-medium text-accent underline-offset-4 hover:underline">
            API reference
          </a>{' '}
          or the{' '}
          <a href="/api/v1/openapi.json" className="font-medium text-accent underline-offset-4 hover:underline">
            OpenAPI document
          </a>
          .
        </p>

        <div className="mt-10 max-w-md">
          <h2 className="sr-only">Service status</h2>
          <ApiStatusWidget />
        </div>
      </section>

      <section aria-labelledby="features-title" className="border-t border-border py-16">
        <h2 id="features-title" className="text-2xl font-semibold tracking-tight">
          What you get
        </h2>
        <ul className="mt-8 grid gap-6 sm:grid-cols-3">
          {features.map((feature) => (
            <li key={feature.title} className="rounded-xl border border-border bg-surface p-6 shadow-sm">
              <span className="inline-flex size-10 items-center justify-center rounded-lg bg-accent-soft text-accent">{feature.icon}</span>
              <h3 className="mt-4 text-lg font-semibold">{feature.title}</h3>
              <p className="mt-2 leading-relaxed text-muted">{feature.description}</p>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="pricing-teaser-title" className="border-t border-border py-16">
        <div className="flex flex-col gap-4 rounded-2xl border border-border bg-surface p-8 shadow-sm sm:flex-row sm:items-center sm:justify-between">
          <div>
            <h2 id="pricing-teaser-title" className="text-2xl font-semibold tracking-tight">
              Start free, upgrade when you grow
            </h2>
            <p className="mt-2 text-muted">Free for small teams. Pro and Business add AI, the API, webhooks and more room.</p>
          </div>
          <Link href="/pricing" className={buttonClass({ variant: 'secondary', className: 'h-11 px-5 text-base' })}>
            See pricing
          </Link>
        </div>
      </section>
    </div>
  );
}
