'use client';

import { useQuery } from '@tanstack/react-query';
import { api, call, type Schemas } from './api/client';

export type Subscription = Schemas['Subscription'];
export type Plan = Schemas['Plan'];
export type UsageLine = Schemas['UsageLine'];
export type BillingInterval = 'monthly' | 'yearly';

export const billingKeys = {
  subscription: (t: string) => ['tenant', t, 'subscription'] as const,
  plans: ['plans'] as const,
};

/** The workspace's plan, status, entitlements and usage against each limit (every member may read it). */
export function useSubscription(tenantId: string) {
  return useQuery({
    queryKey: billingKeys.subscription(tenantId),
    queryFn: async ({ signal }) =>
      (await call(api.GET('/api/v1/tenants/{tenantId}/subscription', { params: { path: { tenantId } }, signal }))).data,
    staleTime: 60_000,
  });
}

export function usePlans() {
  return useQuery({
    queryKey: billingKeys.plans,
    queryFn: async ({ signal }) => (await call(api.GET('/api/v1/plans', { signal }))).data,
    staleTime: 10 * 60_000,
  });
}

export function formatMoney(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: currency.toUpperCase(),
    maximumFractionDigits: cents % 100 ? 2 : 0,
  }).format(cents / 100);
}

export const STATUS_LABEL: Record<Subscription['status'], string> = {
  trialing: 'Trial',
  active: 'Active',
  past_due: 'Past due',
  canceled: 'Canceled',
  incomplete: 'Incomplete',
};

/** A paid subscription is live: checkout answers 409, changes go through the portal. */
export const hasLiveSubscription = (s: Subscription) =>
  s.provider !== null && (s.status === 'active' || s.status === 'trialing' || s.status === 'past_due');
