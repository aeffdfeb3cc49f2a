import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: {
    default: 'Atrium',
    template: '%s · Atrium',
  },
  description: 'Plan work together. Projects, tasks and AI help for teams — on a SaaS core you can run yourself.',
  applicationName: 'Atrium',
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f8fafc' },
    { media: '(prefers-color-scheme: dark)', color: '#0b1120' },
  ],
};

function Logo() {
  return (
    <svg
      aria-hidden="true"
      focusable="false"
      viewBox="0 0 24 24"
      className="size-7 text-accent"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.75"
      strokeLinejoin="round"
    >
      <path d="M3 10.5 12 4l9 6.5" />
      <path d="M5 10v9.5h14V10" />
      <path d="M9.5 19.5v-5h5v5" />
    </svg>
  );
}

export default function RootLayout({ children }: Readonly<{ children: ReactNode }>) {
  return (
    <html lang="en">
      <body className="flex min-h-dvh flex-col bg-background text-foreground">
        <a
          href="#main"
          className="sr-only rounded-md bg-accent px-4 py-2 font-medium text-accent-foreground focus:not-sr-only focus:absolute focus:top-3 focus:left-3 focus:z-50"
        >
          Skip to content
        </a>

        <header className="border-b border-border">
          <div className="mx-auto flex max-w-5xl items-center justify-between gap-4 px-6 py-4">
            <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight">
              <Logo />
              <span>Atrium</span>
            </Link>
            <nav aria-label="Developer resources">
              <ul className="flex items-center gap-5 text-sm font-medium">
                <li>
                  <a href="/docs" className="text-muted motion-safe:transition-colors hover:text-foreground">
                    API reference
                  </a>
                </li>
                <li>
                  <a href="/api/v1/openapi.json" className="text-muted motion-safe:transition-colors hover:text-foreground">
                    OpenAPI
                  </a>
                </li>
              </ul>
            </nav>
          </div>
        </header>

        <main id="main" tabIndex={-1} className="flex-1 outline-none">
          {children}
        </main>

        <footer className="border-t border-border">
          <div className="mx-auto flex max-w-5xl flex-col gap-2 px-6 py-6 text-sm text-muted sm:flex-row sm:items-center sm:justify-between">
            <p>Atrium — team workspaces on a self-hostable SaaS core.</p>
            <p>© {new Date().getFullYear()} Atrium</p>
          </div>
        </footer>
      </body>
    </html>
  );
}
