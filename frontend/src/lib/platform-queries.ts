'use client';

/** TanStack Query hooks for the API platform pages: entitlements, API keys and webhooks. */
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, call, type Schemas } from './api/client';
import { useSubscription } from './billing';

export type ApiKey = Schemas['ApiKey'];
export type Webhook = Schemas['Webhook'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type PlanFeature = keyof Schemas['PlanFeatures'];

export const platformKeys = {
  apiKeys: (t: string) => ['tenant', t, 'api-keys'] as const,
  webhooks: (t: string) => ['tenant', t, 'webhooks'] as const,
  deliveries: (t: string, webhookId: string) => ['tenant', t, 'webhooks', webhookId, 'deliveries'] as const,
};

/** Whether the workspace's plan includes `feature` (undefined while loading or when it cannot be read). */
export function usePlanFeature(tenantId: string, feature: PlanFeature) {
  const subscription = useSubscription(tenantId);
  return { subscription, enabled: subscription.data?.entitlements.features[feature] };
}

export function useApiKeys(tenantId: string, enabled = true) {
  return useQuery({
    queryKey: platformKeys.apiKeys(tenantId),
    queryFn: async ({ signal }) =>
      (await call(api.GET('/api/v1/tenants/{tenantId}/api-keys', { params: { path: { tenantId } }, signal }))).data,
    enabled,
  });
}

export function useWebhooks(tenantId: string, enabled = true) {
  return useQuery({
    queryKey: platformKeys.webhooks(tenantId),
    queryFn: async ({ signal }) =>
      (await call(api.GET('/api/v1/tenants/{tenantId}/webhooks', { params: { path: { tenantId } }, signal }))).data,
    enabled,
  });
}

export function useDeliveries(tenantId: string, webhookId: string) {
  return useInfiniteQuery({
    queryKey: platformKeys.deliveries(tenantId, webhookId),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) => {
      const res = await call(
        api.GET('/api/v1/tenants/{tenantId}/webhooks/{webhookId}/deliveries', {
          params: { path: { tenantId, webhookId }, query: { limit: 20, cursor: pageParam } },
          signal,
        }),
      );
      return { data: res.data, nextCursor: res.meta.nextCursor ?? null };
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}
