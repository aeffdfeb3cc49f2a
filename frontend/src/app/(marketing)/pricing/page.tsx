import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import { connection } from 'next/server';
import { PlanCards, PlanComparison } from '@/components/pricing/plan-grid';
import { buttonClass } from '@/components/ui/button';
import { serverApi } from '@/lib/api/server';

export const metadata: Metadata = {
  title: 'Pricing',
  description: 'Atrium plans: start free, upgrade for AI, API keys, webhooks and more room.',
};

const SESSION_COOKIES = ['atrium.session_token', '__Secure-atrium.session_token'];

async function loadPlans() {
  try {
    const { data } = await serverApi().GET('/api/v1/plans', { signal: AbortSignal.timeout(5000) });
    return data?.data ?? null;
  } catch {
    return null;
  }
}

export default async function PricingPage() {
  await connection(); // plans come from the API at request time, never from the build
  const [plans, jar] = await Promise.all([loadPlans(), cookies()]);
  const signedIn = SESSION_COOKIES.some((n) => jar.has(n));
  const cta = signedIn
    ? { href: '/w', label: (p: { id: string; name: string }) => (p.id === 'free' ? 'Go to your workspace' : `Upgrade to ${p.name}`) }
    : {
        href: '/sign-up',
        label: (p: { id: string; trialDays: number }) =>
          p.id === 'free' ? 'Start for free' : p.trialDays ? `Start ${p.trialDays}-day trial` : 'Get started',
      };

  return (
    <div className="mx-auto max-w-5xl px-4 py-14 sm:px-6 sm:py-20">
      <section aria-labelledby="pricing-title" className="text-center">
        <p className="text-sm font-semibold tracking-wide text-accent uppercase">Pricing</p>
        <h1 id="pricing-title" className="mt-3 text-4xl font-bold tracking-tight sm:text-5xl">
          Plans for every team
        </h1>
        <p className="mx-auto mt-4 max-w-2xl text-lg text-muted">
          Start free. Upgrade a workspace when you need AI, the API, webhooks or more room — change or cancel any time.
        </p>
      </section>

      {plans ? (
        <>
          <section aria-label="Plans" className="mt-12">
            <PlanCards plans={plans} cta={cta} />
            {signedIn && <p className="mt-4 text-center text-sm text-muted">Upgrades happen per workspace, from its Billing page.</p>}
          </section>
          <section aria-labelledby="compare-title" className="mt-16">
            <h2 id="compare-title" className="text-2xl font-semibold tracking-tight">
              Compare plans
            </h2>
            <div className="mt-6">
              <PlanComparison plans={plans} />
            </div>
          </section>
        </>
      ) : (
        <div role="alert" className="mx-auto mt-12 max-w-lg rounded-xl border border-danger/40 bg-danger-soft px-5 py-4 text-sm">
          <p className="font-semibold text-danger">The plans could not be loaded</p>
          <p className="mt-1">The service did not answer. Reload the page in a moment.</p>
        </div>
      )}

      <section className="mt-16 rounded-2xl border border-border bg-surface p-8 text-center">
        <h2 className="text-xl font-semibold">Ready to plan work together?</h2>
        <div className="mt-5 flex flex-wrap justify-center gap-3">
          <Link href={signedIn ? '/w' : '/sign-up'} className={buttonClass({ className: 'h-11 px-5 text-base' })}>
            {signedIn ? 'Open your workspace' : 'Create your workspace'}
          </Link>
        </div>
      </section>
    </div>
  );
}
