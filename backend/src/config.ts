/**
 * Configuration: the one place that reads environment variables.
 *
 * Every variable is validated with Zod at start-up. A bad value stops the process with one readable
 * list of everything that is wrong (see `formatConfigErrors`), never a stack trace halfway through boot.
 * `.env.example` at the repository root documents each variable.
 */
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Repository root (…/backend/src/config.ts → …). Relative paths such as DATA_DIR resolve from here. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const DEV_AUTH_SECRET = 'atrium-local-development-secret-do-not-use-in-production';

const port = z.coerce.number().int().min(0).max(65535);

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'postgres:' || u.protocol === 'postgresql:';
    } catch {
      return false;
    }
  }, 'must be a postgres:// or postgresql:// URL, e.g. postgres://user:password@host:5432/atrium');

const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const EnvSchema = z.object({
  APP_ENV: z.enum(['local', 'test', 'production']).default('local'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(4000),
  WEB_PORT: port.default(3000),
  /** Public origin of the web app; used for links in mails and as the default CORS origin. */
  WEB_URL: z.url().optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  DATABASE_URL: postgresUrl.optional(),
  /** Optional owner/admin connection for migrations and the job queue schema; defaults to DATABASE_URL. */
  MIGRATION_DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  /** Queries slower than this are logged at warn with their request id (0 = off). */
  SLOW_QUERY_MS: z.coerce.number().int().min(0).default(200),
  /** OTLP/HTTP endpoint of a trace collector (e.g. http://otel-collector:4318): turns tracing on. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  CORS_ORIGINS: csv.optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  TRUST_PROXY: z.string().optional(),
  AUTH_SECRET: z.string().optional(),
  /** Sign-in needs a verified email. Default: true in production, false otherwise. */
  AUTH_REQUIRE_EMAIL_VERIFICATION: z.enum(['true', 'false']).optional(),
  GITHUB_CLIENT_ID: z.string().optional(),
  GITHUB_CLIENT_SECRET: z.string().optional(),
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  /** `iss` and `aud` of the API's JWTs. Defaults: WEB_URL and "atrium-api". */
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).default('atrium-api'),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().min(3).default('Atrium <no-reply@atrium.local>'),
  WORKER_MODE: z.enum(['inprocess', 'off']).default('inprocess'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(4),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  REDIS_URL: z.string().url().optional(),
  /** Bearer token for GET /metrics; required in production. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Let webhooks call loopback/private addresses (local development only; refused in production). */
  ALLOW_PRIVATE_WEBHOOK_URLS: z.enum(['true', 'false']).default('false'),
  /** Retries of a failing webhook delivery (exponential backoff from WEBHOOK_RETRY_DELAY_SECONDS). */
  WEBHOOK_RETRIES: z.coerce.number().int().min(0).max(20).default(6),
  WEBHOOK_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  /** A delivery attempt still running after this long is presumed lost (worker crashed) and retried. */
  WEBHOOK_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** How often the job queue looks for expired jobs (a crashed worker's jobs) to retry them. */
  JOBS_SUPERVISE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Requests per minute for callers without credentials (per IP), and for /api/auth/* (per IP). */
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().min(1).optional(),
  RATE_LIMIT_AUTH_PER_MINUTE: z.coerce.number().int().min(1).optional(),
  /** Default for signed-in users outside a tenant route. */
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(1).optional(),
  /** Rate limits on /api/v1 (default on; off under APP_ENV=test, where one client plays many users). */
  RATE_LIMITS: z.enum(['on', 'off']).optional(),
  // Billing (see .env.example). Default provider: stripe when STRIPE_SECRET_KEY is set, else offline.
  BILLING_PROVIDER: z.enum(['stripe', 'offline']).optional(),
  BILLING_GRACE_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Where the Stripe SDK sends its calls (tests: a local fake), e.g. http://127.0.0.1:12111. */
  STRIPE_API_BASE: z.url().optional(),
  /** Time limit of one Stripe API call (the SDK retries a failed call twice), in milliseconds. */
  STRIPE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  STRIPE_PRICE_PRO_MONTHLY: z.string().min(1).optional(),
  STRIPE_PRICE_PRO_YEARLY: z.string().min(1).optional(),
  STRIPE_PRICE_BUSINESS_MONTHLY: z.string().min(1).optional(),
  STRIPE_PRICE_BUSINESS_YEARLY: z.string().min(1).optional(),
  // AI (see .env.example). A provider is configured when its key (or, for OpenAI-compatible servers, its URL) is set.
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
  /** Any OpenAI-compatible server (Ollama, vLLM, llama.cpp), e.g. http://127.0.0.1:11434/v1 */
  AI_COMPATIBLE_BASE_URL: z.url().optional(),
  AI_COMPATIBLE_API_KEY: z.string().min(1).optional(),
  /** A JSON (or .ts/.js module) model registry replacing backend/src/modules/ai/models.config.ts. */
  AI_MODELS_FILE: z.string().min(1).optional(),
  AI_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  AI_CACHE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 3600)
    .default(3600),
  /** Emails of platform administrators (comma-separated): they manage the AI model registry. */
  PLATFORM_ADMIN_EMAILS: csv.optional(),
});

export type Env = z.input<typeof EnvSchema>;

export interface AppConfig {
  appEnv: 'local' | 'test' | 'production';
  isProduction: boolean;
  version: string;
  logLevel: string;
  api: { host: string; port: number };
  webUrl: string;
  dataDir: string;
  database: {
    /** undefined → embedded PGlite under dataDir */
    url: string | undefined;
    migrationUrl: string | undefined;
    poolMax: number;
    statementTimeoutMs: number;
    slowQueryMs: number;
  };
  /** OpenTelemetry tracing (src/tracing.ts); undefined = off. */
  tracing: { endpoint: string; serviceName: string } | undefined;
  http: { corsOrigins: string[]; bodyLimit: number; trustProxy: boolean | string | ((address: string, hop: number) => boolean) };
  auth: {
    secret: string;
    requireEmailVerification: boolean;
    jwtIssuer: string;
    jwtAudience: string;
    github: { clientId: string; clientSecret: string } | undefined;
    google: { clientId: string; clientSecret: string } | undefined;
  };
  mail: { smtpUrl: string | undefined; from: string };
  worker: { mode: 'inprocess' | 'off'; concurrency: number; superviseIntervalSeconds: number };
  shutdownTimeoutMs: number;
  redisUrl: string | undefined;
  metricsToken: string | undefined;
  webhooks: { allowPrivateUrls: boolean; retries: number; retryDelaySeconds: number; jobExpireSeconds: number };
  rateLimits: { enabled: boolean; anonymousPerMinute: number; authPerMinute: number; userPerMinute: number };
  billing: BillingConfig;
  ai: AiConfig;
  /** Lower-cased emails of platform administrators (PLATFORM_ADMIN_EMAILS). */
  platformAdminEmails: string[];
}

export interface AiConfig {
  openai: { apiKey: string; baseUrl: string | undefined } | undefined;
  anthropic: { apiKey: string; baseUrl: string | undefined } | undefined;
  compatible: { baseUrl: string; apiKey: string | undefined } | undefined;
  /** Absolute path of a registry file replacing models.config.ts, if set. */
  modelsFile: string | undefined;
  requestsPerMinute: number;
  /** 0 disables the response cache. */
  cacheTtlSeconds: number;
}

export interface BillingConfig {
  provider: 'stripe' | 'offline';
  /** Days a past_due subscription keeps its paid features. */
  graceDays: number;
  /**
   * Secret the webhook signatures are checked with: STRIPE_WEBHOOK_SECRET for Stripe; for the offline
   * provider a secret derived from AUTH_SECRET (it signs its own simulated events with it).
   */
  webhookSecret: string | undefined;
  /** The offline provider sells plans without payment: off in production unless chosen explicitly. */
  offlineCheckoutEnabled: boolean;
  stripe: { secretKey: string; api: { protocol: 'http' | 'https'; host: string; port: number } | undefined; timeoutMs: number } | undefined;
  /** Stripe price ids per plan and interval. */
  prices: Record<'pro' | 'business', { monthly: string | undefined; yearly: string | undefined }>;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(formatConfigErrors(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatConfigErrors(problems: string[]): string {
  return [
    'Atrium cannot start: the configuration is invalid.',
    ...problems.map((p) => `  - ${p}`),
    'See .env.example for every variable and its meaning.',
  ].join('\n');
}

/**
 * TRUST_PROXY: unset/false (ignore X-Forwarded-*), true (trust every hop), a number (trust that many
 * hops nearest to us), or comma-separated addresses/CIDRs of trusted proxies.
 */
function parseTrustProxy(raw: string | undefined): boolean | string | ((address: string, hop: number) => boolean) {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    return (_address, hop) => hop < hops;
  }
  return raw;
}

/** Reads and validates configuration. Throws ConfigError listing every problem at once. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings mean "unset" (a common .env habit: `SMTP_URL=`).
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = i.path.join('.') || '(env)';
        const shown = key in env && !/SECRET|PASSWORD|URL/.test(key) ? ` (got "${env[key]}")` : '';
        return `${key}: ${i.message}${shown}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  const isProduction = e.APP_ENV === 'production';

  if (isProduction) {
    if (!e.AUTH_SECRET || e.AUTH_SECRET.length < 32 || e.AUTH_SECRET === DEV_AUTH_SECRET) {
      problems.push('AUTH_SECRET: production needs a random secret of at least 32 characters (e.g. `openssl rand -base64 48`)');
    }
    if (!e.DATABASE_URL) {
      problems.push('DATABASE_URL: production needs a PostgreSQL server; the embedded database is for local use only');
    }
    if (e.ALLOW_PRIVATE_WEBHOOK_URLS === 'true')
      problems.push('ALLOW_PRIVATE_WEBHOOK_URLS: must not be true in production (it opens the server to SSRF)');
    if (e.RATE_LIMITS === 'off') problems.push('RATE_LIMITS: rate limits cannot be switched off in production');
    if (!e.METRICS_TOKEN) problems.push('METRICS_TOKEN: production needs a token (16+ characters) to protect GET /metrics');
    if (!e.SMTP_URL) {
      problems.push('SMTP_URL: production needs an SMTP server to send mail (the dev outbox does not exist in production)');
    }
    if (!e.WEB_URL) {
      problems.push('WEB_URL: production needs the public https:// origin of the web app');
    } else if (!e.WEB_URL.startsWith('https://')) {
      problems.push('WEB_URL: production must be served over https://');
    }
  }
  for (const [id, secret] of [
    ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'],
    ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
  ] as const) {
    if (Boolean(e[id]) !== Boolean(e[secret])) problems.push(`${id}/${secret}: set both or neither`);
  }
  const billingProvider = e.BILLING_PROVIDER ?? (e.STRIPE_SECRET_KEY ? 'stripe' : 'offline');
  if (billingProvider === 'stripe' && !e.STRIPE_SECRET_KEY)
    problems.push('STRIPE_SECRET_KEY: BILLING_PROVIDER=stripe needs the Stripe secret key');
  if (billingProvider === 'stripe' && isProduction && !e.STRIPE_WEBHOOK_SECRET) {
    problems.push('STRIPE_WEBHOOK_SECRET: production with Stripe needs the webhook signing secret (whsec_…) of the endpoint');
  }
  if (e.AI_COMPATIBLE_API_KEY && !e.AI_COMPATIBLE_BASE_URL) {
    problems.push(
      'AI_COMPATIBLE_API_KEY: set AI_COMPATIBLE_BASE_URL too (the URL of the OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1)',
    );
  }
  if (!isProduction && e.AUTH_SECRET !== undefined && e.AUTH_SECRET.length < 32) {
    problems.push('AUTH_SECRET: must be at least 32 characters');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const webUrl = (e.WEB_URL ?? `http://localhost:${e.WEB_PORT}`).replace(/\/+$/, '');
  const authSecret = e.AUTH_SECRET ?? DEV_AUTH_SECRET;
  return {
    appEnv: e.APP_ENV,
    isProduction,
    version: process.env.npm_package_version ?? '0.1.0',
    logLevel: e.LOG_LEVEL ?? (e.APP_ENV === 'test' ? 'silent' : 'info'),
    api: { host: e.API_HOST, port: e.API_PORT },
    webUrl,
    dataDir: path.resolve(repoRoot, e.DATA_DIR),
    database: {
      url: e.DATABASE_URL,
      migrationUrl: e.MIGRATION_DATABASE_URL ?? e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      slowQueryMs: e.SLOW_QUERY_MS,
    },
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME ?? 'atrium-api' }
      : undefined,
    http: {
      corsOrigins: e.CORS_ORIGINS ?? [webUrl],
      bodyLimit: e.BODY_LIMIT_BYTES,
      trustProxy: parseTrustProxy(e.TRUST_PROXY),
    },
    auth: {
      secret: authSecret,
      requireEmailVerification: e.AUTH_REQUIRE_EMAIL_VERIFICATION ? e.AUTH_REQUIRE_EMAIL_VERIFICATION === 'true' : isProduction,
      jwtIssuer: e.JWT_ISSUER ?? webUrl,
      jwtAudience: e.JWT_AUDIENCE,
      github:
        e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET ? { clientId: e.GITHUB_CLIENT_ID, clientSecret: e.GITHUB_CLIENT_SECRET } : undefined,
      google:
        e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET ? { clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET } : undefined,
    },
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM },
    worker: { mode: e.WORKER_MODE, concurrency: e.WORKER_CONCURRENCY, superviseIntervalSeconds: e.JOBS_SUPERVISE_INTERVAL_SECONDS },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    redisUrl: e.REDIS_URL,
    metricsToken: e.METRICS_TOKEN,
    webhooks: {
      allowPrivateUrls: e.ALLOW_PRIVATE_WEBHOOK_URLS === 'true',
      retries: e.WEBHOOK_RETRIES,
      retryDelaySeconds: e.WEBHOOK_RETRY_DELAY_SECONDS,
      jobExpireSeconds: e.WEBHOOK_JOB_EXPIRE_SECONDS,
    },
    // Strict in production; roomier on a developer's machine and in tests, where one IP does everything.
    rateLimits: {
      enabled: (e.RATE_LIMITS ?? (e.APP_ENV === 'test' ? 'off' : 'on')) === 'on',
      anonymousPerMinute: e.RATE_LIMIT_ANONYMOUS_PER_MINUTE ?? (isProduction ? 120 : 1200),
      authPerMinute: e.RATE_LIMIT_AUTH_PER_MINUTE ?? (isProduction ? 30 : 600),
      userPerMinute: e.RATE_LIMIT_USER_PER_MINUTE ?? 600,
    },
    billing: {
      provider: billingProvider,
      graceDays: e.BILLING_GRACE_DAYS,
      webhookSecret:
        billingProvider === 'stripe'
          ? e.STRIPE_WEBHOOK_SECRET
          : `whsec_offline_${createHmac('sha256', authSecret).update('atrium-offline-billing-webhook').digest('base64url')}`,
      offlineCheckoutEnabled: billingProvider === 'offline' && (!isProduction || e.BILLING_PROVIDER === 'offline'),
      stripe: e.STRIPE_SECRET_KEY
        ? { secretKey: e.STRIPE_SECRET_KEY, api: parseStripeApiBase(e.STRIPE_API_BASE), timeoutMs: e.STRIPE_TIMEOUT_MS }
        : undefined,
      prices: {
        pro: { monthly: e.STRIPE_PRICE_PRO_MONTHLY, yearly: e.STRIPE_PRICE_PRO_YEARLY },
        business: { monthly: e.STRIPE_PRICE_BUSINESS_MONTHLY, yearly: e.STRIPE_PRICE_BUSINESS_YEARLY },
      },
    },
    ai: {
      openai: e.OPENAI_API_KEY ? { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL } : undefined,
      anthropic: e.ANTHROPIC_API_KEY ? { apiKey: e.ANTHROPIC_API_KEY, baseUrl: e.ANTHROPIC_BASE_URL } : undefined,
      compatible: e.AI_COMPATIBLE_BASE_URL ? { baseUrl: e.AI_COMPATIBLE_BASE_URL, apiKey: e.AI_COMPATIBLE_API_KEY } : undefined,
      modelsFile: e.AI_MODELS_FILE ? path.resolve(repoRoot, e.AI_MODELS_FILE) : undefined,
      requestsPerMinute: e.AI_REQUESTS_PER_MINUTE,
      cacheTtlSeconds: e.AI_CACHE_TTL_SECONDS,
    },
    platformAdminEmails: (e.PLATFORM_ADMIN_EMAILS ?? []).map((x) => x.toLowerCase()),
  };
}

/** STRIPE_API_BASE (e.g. http://127.0.0.1:12111) as the SDK's protocol/host/port options. */
function parseStripeApiBase(raw: string | undefined): { protocol: 'http' | 'https'; host: string; port: number } | undefined {
  if (!raw) return undefined;
  const u = new URL(raw);
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  return { protocol, host: u.hostname, port: u.port ? Number(u.port) : protocol === 'http' ? 80 : 443 };
}

/** Hides the password in a connection URL, for log lines and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
