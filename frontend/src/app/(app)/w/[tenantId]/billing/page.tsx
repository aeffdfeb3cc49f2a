import type { Metadata } from 'next';
import { BillingView } from './billing-view';

export const metadata: Metadata = { title: 'Billing' };

export default async function BillingPage({ searchParams }: PageProps<'/w/[tenantId]/billing'>) {
  const sp = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return <BillingView checkout={one(sp.checkout)} portal={one(sp.portal)} />;
}
