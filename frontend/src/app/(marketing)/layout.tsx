import Link from 'next/link';
import type { ReactNode } from 'react';
import { Logo } from '@/components/logo';
import { ThemeToggle } from '@/components/theme-toggle';
import { buttonClass } from '@/components/ui/button';

export default function MarketingLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="border-b border-border">
        <div className="mx-auto flex max-w-5xl items-center justify-between gap-4 px-4 py-3 sm:px-6">
          <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight">
            <Logo />
            <span>Atrium</span>
          </Link>
          <nav aria-label="Main" className="flex items-center gap-2 text-sm font-medium sm:gap-3">
            <Link href="/pricing" className="px-2 text-muted motion-safe:transition-colors hover:text-foreground">
              Pricing
            </Link>
            <a href="/docs" className="hidden px-2 text-muted motion-safe:transition-colors hover:text-foreground sm:inline">
              API reference
            </a>
            <Link href="/sign-in" className={buttonClass({ variant: 'ghost', size: 'sm' })}>
              Sign in
            </Link>
            <Link href="/sign-up" className={buttonClass({ size: 'sm' })}>
              Get started
            </Link>
          </nav>
        </div>
      </header>

      <main id="main" tabIndex={-1} className="flex-1 outline-none">
        {children}
      </main>

      <footer className="border-t border-border">
        <div className="mx-auto flex max-w-5xl flex-col gap-3 px-4 py-6 text-sm text-muted sm:flex-row sm:items-center sm:justify-between sm:px-6">
          <p>Atrium — team workspaces on a self-hostable SaaS core.</p>
          <div className="flex items-center gap-4">
            <a href="/api/v1/openapi.json" className="hover:text-foreground">
              OpenAPI
            </a>
            <ThemeToggle />
          </div>
        </div>
      </footer>
    </>
  );
}
