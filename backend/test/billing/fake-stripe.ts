/**
 * A local stand-in for api.stripe.com: a node:http server on 127.0.0.1 that receives the official
 * SDK's real HTTP calls (form-encoded bodies, Idempotency-Key, Authorization) and answers like Stripe
 * for the few endpoints billing uses. Every request is recorded for the tests to look at.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The form body, flattened as Stripe encodes it (`line_items[0][price]` → value). */
  form: Record<string, string>;
}

export interface FakeSubscription {
  id: string;
  customer: string;
  status: string;
  priceId: string;
  interval: 'month' | 'year';
  cancelAtPeriodEnd: boolean;
  periodStart: number;
  periodEnd: number;
  trialEnd: number | null;
  quantity: number;
  metadata: Record<string, string>;
}

export class FakeStripe {
  readonly requests: RecordedRequest[] = [];
  readonly subscriptions = new Map<string, FakeSubscription>();
  /** Makes the next calls to a path prefix fail with this status and Stripe error body. */
  failures = new Map<string, { status: number; type: string; message: string }>();
  private server: http.Server | undefined;
  private customers = 0;
  private sessions = 0;
  private readonly customerByKey = new Map<string, Record<string, unknown>>();
  port = 0;

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const form = Object.fromEntries(new URLSearchParams(body));
        const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, headers: req.headers, form };
        this.requests.push(recorded);
        const [status, payload] = this.answer(recorded);
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${this.requests.length}` });
        res.end(JSON.stringify(payload));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  calls(method: string, path: string | RegExp) {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  subscriptionObject(s: FakeSubscription) {
    return {
      id: s.id,
      object: 'subscription',
      customer: s.customer,
      status: s.status,
      cancel_at_period_end: s.cancelAtPeriodEnd,
      cancel_at: s.cancelAtPeriodEnd ? s.periodEnd : null,
      canceled_at: null,
      ended_at: null,
      created: s.periodStart,
      start_date: s.periodStart,
      currency: 'usd',
      livemode: false,
      trial_end: s.trialEnd,
      metadata: s.metadata,
      items: {
        object: 'list',
        has_more: false,
        data: [
          {
            id: `si_${s.id}`,
            object: 'subscription_item',
            subscription: s.id,
            quantity: s.quantity,
            current_period_start: s.periodStart,
            current_period_end: s.periodEnd,
            price: {
              id: s.priceId,
              object: 'price',
              currency: 'usd',
              unit_amount: 1200,
              recurring: { interval: s.interval, interval_count: 1 },
            },
          },
        ],
      },
    };
  }

  private error(status: number, type: string, message: string): [number, unknown] {
    return [status, { error: { type, message } }];
  }

  private answer(r: RecordedRequest): [number, unknown] {
    for (const [prefix, failure] of this.failures) {
      if (r.path.startsWith(prefix)) return this.error(failure.status, failure.type, failure.message);
    }
    if (r.headers.authorization !== 'Bearer sk_test_fake_atrium')
      return this.error(401, 'invalid_request_error', 'Invalid API Key provided');
    if (r.method === 'POST' && r.path === '/v1/customers') {
      // Like Stripe: the same Idempotency-Key answers the same customer.
      const key = String(r.headers['idempotency-key'] ?? '');
      const known = key ? this.customerByKey.get(key) : undefined;
      if (known) return [200, known];
      const customer = {
        id: `cus_fake_${++this.customers}`,
        object: 'customer',
        name: r.form.name ?? null,
        metadata: { tenantId: r.form['metadata[tenantId]'] },
      };
      if (key) this.customerByKey.set(key, customer);
      return [200, customer];
    }
    if (r.method === 'POST' && r.path === '/v1/checkout/sessions') {
      const id = `cs_test_fake_${++this.sessions}`;
      return [
        200,
        {
          id,
          object: 'checkout.session',
          mode: r.form.mode,
          customer: r.form.customer,
          client_reference_id: r.form.client_reference_id,
          status: 'open',
          url: `https://checkout.stripe.com/c/pay/${id}`,
          success_url: r.form.success_url,
          cancel_url: r.form.cancel_url,
        },
      ];
    }
    if (r.method === 'POST' && r.path === '/v1/billing_portal/sessions') {
      return [
        200,
        {
          id: 'bps_fake_1',
          object: 'billing_portal.session',
          customer: r.form.customer,
          return_url: r.form.return_url,
          url: 'https://billing.stripe.com/p/session/test_fake',
        },
      ];
    }
    const sub = /^\/v1\/subscriptions\/([^/]+)$/.exec(r.path);
    if (sub?.[1]) {
      const s = this.subscriptions.get(sub[1]);
      if (!s) return this.error(404, 'invalid_request_error', `No such subscription: '${sub[1]}'`);
      if (r.method === 'POST') {
        if (r.form.cancel_at_period_end !== undefined) s.cancelAtPeriodEnd = r.form.cancel_at_period_end === 'true';
        return [200, this.subscriptionObject(s)];
      }
      if (r.method === 'GET') return [200, this.subscriptionObject(s)];
    }
    return this.error(404, 'invalid_request_error', `Unrecognized request URL (${r.method}: ${r.path})`);
  }
}
