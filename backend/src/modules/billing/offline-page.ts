/**
 * The offline provider's checkout page: one small, accessible HTML page (no script; a form with two
 * buttons), standing in for Stripe Checkout when no Stripe keys are configured.
 */

const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

export function formatPrice(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
}

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }
  main { width: min(28rem, calc(100vw - 2rem)); padding: 2rem; border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: 12px; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  .notice { font-size: .9rem; padding: .5rem .75rem; border-radius: 8px; background: color-mix(in srgb, #f59e0b 18%, Canvas); }
  .alert { padding: .75rem; border-radius: 8px; background: color-mix(in srgb, #dc2626 18%, Canvas); font-weight: 600; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: .4rem 1rem; margin: 1.25rem 0; }
  dt { font-weight: 600; }
  dd { margin: 0; }
  .actions { display: flex; flex-wrap: wrap; gap: .75rem; margin-top: 1.5rem; }
  button { font: inherit; padding: .6rem 1rem; border-radius: 8px; border: 1px solid transparent; cursor: pointer; }
  button.primary { background: #4f46e5; color: #fff; }
  button.secondary { background: transparent; color: inherit; border-color: currentColor; }
  button:focus-visible, a:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  a { color: inherit; }
`;

export interface CheckoutPageModel {
  planName: string;
  intervalLabel: string;
  priceLabel: string;
  trialDays: number;
  actionUrl: string;
  cancelUrl: string;
  error?: string;
}

export function renderCheckoutPage(m: CheckoutPageModel): string {
  const due = m.trialDays > 0 ? `Nothing today; ${escapeHtml(m.priceLabel)} after the ${m.trialDays}-day trial` : escapeHtml(m.priceLabel);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Checkout: Atrium ${escapeHtml(m.planName)}</title>
<style>${STYLE}</style>
</head>
<body>
<main aria-labelledby="title">
  <h1 id="title">Atrium ${escapeHtml(m.planName)}</h1>
  <p class="notice">Offline checkout: no payment provider is configured, so no card is asked for and nothing is charged.</p>
  ${m.error ? `<p class="alert" role="alert">${escapeHtml(m.error)}</p>` : ''}
  <dl>
    <dt>Plan</dt><dd>${escapeHtml(m.planName)}</dd>
    <dt>Billing</dt><dd>${escapeHtml(m.intervalLabel)}</dd>
    <dt>Price</dt><dd>${escapeHtml(m.priceLabel)}</dd>
    <dt>Due today</dt><dd>${due}</dd>
  </dl>
  <form method="post" action="${escapeHtml(m.actionUrl)}">
    <div class="actions">
      <button class="primary" type="submit" name="outcome" value="success">Complete purchase</button>
      <button class="secondary" type="submit" name="outcome" value="decline">Simulate a declined card</button>
    </div>
  </form>
  <p><a href="${escapeHtml(m.cancelUrl)}">Cancel and go back</a></p>
</main>
</body>
</html>
`;
}

export function renderInvalidSessionPage(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Checkout link expired</title><style>${STYLE}</style></head>
<body>
<main aria-labelledby="title">
  <h1 id="title">This checkout link is not valid</h1>
  <p>It has expired or was changed. Go back to the billing page of your workspace and choose a plan again.</p>
</main>
</body>
</html>
`;
}
