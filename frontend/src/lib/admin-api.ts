'use client';

/** Platform-admin queries (/api/v1/admin/*) and the admin/impersonation fields of GET /me. */
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, call, type Me, type Schemas } from './api/client';
import type { operations } from './api/schema';

export type AdminUser = Schemas['AdminUser'];
export type AdminTenant = Schemas['AdminTenant'];
export type AdminSubscription = Schemas['AdminSubscription'];
export type AdminMetrics = Schemas['PlatformMetrics'];
export type AdminQueries = Schemas['TopQueries'];
export type AiModel = Schemas['AiModel'];
export type SubscriptionStatus = NonNullable<NonNullable<operations['adminListSubscriptions']['parameters']['query']>['status']>;

/** The same typed client; a name of its own so admin calls are easy to find. */
export const adminApi = api;

export const isPlatformAdmin = (me: Me | undefined): boolean => !!me?.user.platformAdmin;
export const impersonatorOf = (me: Me | undefined) => me?.impersonatedBy ?? null;

export const adminKeys = {
  all: ['admin'] as const,
  allUsers: ['admin', 'users'] as const,
  users: (q: string) => ['admin', 'users', q] as const,
  tenants: (q: string) => ['admin', 'tenants', q] as const,
  subscriptions: (status: string, plan: string) => ['admin', 'subscriptions', status, plan] as const,
  metrics: ['admin', 'metrics'] as const,
  queries: ['admin', 'queries'] as const,
  models: ['admin', 'ai-models'] as const,
};

const PAGE = 25;

export function useAdminUsers(q: string) {
  return useInfiniteQuery({
    queryKey: adminKeys.users(q),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) => {
      const res = await call(
        adminApi.GET('/api/v1/admin/users', { params: { query: { q: q || undefined, limit: PAGE, cursor: pageParam } }, signal }),
      );
      return { data: res.data, nextCursor: res.meta.nextCursor };
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useAdminTenants(q: string) {
  return useInfiniteQuery({
    queryKey: adminKeys.tenants(q),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) => {
      const res = await call(
        adminApi.GET('/api/v1/admin/tenants', { params: { query: { q: q || undefined, limit: PAGE, cursor: pageParam } }, signal }),
      );
      return { data: res.data, nextCursor: res.meta.nextCursor };
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useAdminSubscriptions(status: SubscriptionStatus | '', plan: string) {
  return useInfiniteQuery({
    queryKey: adminKeys.subscriptions(status, plan),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) => {
      const res = await call(
        adminApi.GET('/api/v1/admin/subscriptions', {
          params: { query: { status: status || undefined, plan: plan || undefined, limit: PAGE, cursor: pageParam } },
          signal,
        }),
      );
      return { data: res.data, nextCursor: res.meta.nextCursor };
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useAdminMetrics() {
  return useQuery({
    queryKey: adminKeys.metrics,
    queryFn: async ({ signal }) => (await call(adminApi.GET('/api/v1/admin/metrics', { signal }))).data,
  });
}

export function useAdminQueries() {
  return useQuery({
    queryKey: adminKeys.queries,
    queryFn: async ({ signal }) => (await call(adminApi.GET('/api/v1/admin/queries', { signal }))).data,
  });
}

export function useAdminModels() {
  return useQuery({
    queryKey: adminKeys.models,
    queryFn: async ({ signal }) => (await call(api.GET('/api/v1/admin/ai-models', { signal }))).data,
  });
}
