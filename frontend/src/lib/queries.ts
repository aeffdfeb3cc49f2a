'use client';

import { type InfiniteData, keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Role } from './api/client';
import { type AuditLog, api, call, type Member, type Task, type TaskPriority, type TaskStatus } from './api/client';

export const keys = {
  me: ['me'] as const,
  tenant: (t: string) => ['tenant', t] as const,
  members: (t: string) => ['tenant', t, 'members'] as const,
  invitations: (t: string) => ['tenant', t, 'invitations'] as const,
  projects: (t: string, archived: boolean) => ['tenant', t, 'projects', { archived }] as const,
  tasks: (t: string) => ['tenant', t, 'tasks'] as const,
  taskList: (t: string, filters: TaskFilters) => ['tenant', t, 'tasks', 'list', filters] as const,
  board: (t: string, projectId: string | undefined) => ['tenant', t, 'tasks', 'board', projectId ?? 'all'] as const,
  task: (t: string, id: string) => ['tenant', t, 'tasks', 'one', id] as const,
  comments: (t: string, id: string) => ['tenant', t, 'tasks', 'one', id, 'comments'] as const,
  audit: (t: string, filters: AuditFilters) => ['tenant', t, 'audit', filters] as const,
};

export function useMe() {
  return useQuery({
    queryKey: keys.me,
    queryFn: async ({ signal }) => (await call(api.GET('/api/v1/me', { signal }))).data,
    staleTime: 60_000,
  });
}

/** The signed-in user's role in a workspace (undefined while loading or if not a member). */
export function useMembership(tenantId: string) {
  const me = useMe();
  const membership = me.data?.memberships.find((m) => m.tenantId === tenantId);
  return { me, membership, role: membership?.role as Role | undefined, userId: me.data?.user.id };
}

export function useTenant(tenantId: string) {
  return useQuery({
    queryKey: keys.tenant(tenantId),
    queryFn: async ({ signal }) => (await call(api.GET('/api/v1/tenants/{tenantId}', { params: { path: { tenantId } }, signal }))).data,
  });
}

export function useMembers(tenantId: string, enabled = true) {
  return useQuery({
    queryKey: keys.members(tenantId),
    queryFn: async ({ signal }) =>
      (await call(api.GET('/api/v1/tenants/{tenantId}/members', { params: { path: { tenantId } }, signal }))).data,
    enabled,
    staleTime: 60_000,
  });
}

/** userId → member, for showing names of assignees, authors and actors. */
export function useMemberMap(tenantId: string, enabled = true) {
  const members = useMembers(tenantId, enabled);
  const map = useMemo(() => new Map<string, Member>((members.data ?? []).map((m) => [m.userId, m])), [members.data]);
  return { members, map };
}

export function useInvitations(tenantId: string, enabled = true) {
  return useQuery({
    queryKey: keys.invitations(tenantId),
    queryFn: async ({ signal }) =>
      (await call(api.GET('/api/v1/tenants/{tenantId}/invitations', { params: { path: { tenantId } }, signal }))).data,
    enabled,
  });
}

export function useProjects(tenantId: string, archived = false) {
  return useQuery({
    queryKey: keys.projects(tenantId, archived),
    queryFn: async ({ signal }) =>
      (
        await call(
          api.GET('/api/v1/tenants/{tenantId}/projects', {
            params: { path: { tenantId }, query: { archived: archived ? 'true' : 'false' } },
            signal,
          }),
        )
      ).data,
  });
}

export interface TaskFilters {
  projectId?: string;
  status?: TaskStatus;
  priority?: TaskPriority;
  assigneeId?: string;
  label?: string;
  q?: string;
  dueBefore?: string;
  dueAfter?: string;
}

type Page<T> = { data: T[]; meta: { nextCursor: string | null } };

export function useTaskList(tenantId: string, filters: TaskFilters) {
  return useInfiniteQuery({
    queryKey: keys.taskList(tenantId, filters),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }): Promise<Page<Task>> => {
      const res = await call(
        api.GET('/api/v1/tenants/{tenantId}/tasks', {
          params: { path: { tenantId }, query: { ...filters, limit: 25, cursor: pageParam } },
          signal,
        }),
      );
      return { data: res.data, meta: { nextCursor: res.meta.nextCursor ?? null } };
    },
    getNextPageParam: (last) => last.meta.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** Every task of the board (all statuses), in position order: pages of 100 until the end. */
export function useBoardTasks(tenantId: string, projectId: string | undefined) {
  return useQuery({
    queryKey: keys.board(tenantId, projectId),
    queryFn: async ({ signal }) => {
      const all: Task[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const res = await call(
          api.GET('/api/v1/tenants/{tenantId}/tasks', {
            params: { path: { tenantId }, query: { projectId, sort: 'position', limit: 100, cursor } },
            signal,
          }),
        );
        all.push(...res.data);
        cursor = res.meta.nextCursor ?? undefined;
        if (!cursor) break;
      }
      return all;
    },
  });
}

export function useTask(tenantId: string, taskId: string) {
  return useQuery({
    queryKey: keys.task(tenantId, taskId),
    queryFn: async ({ signal }) =>
      (await call(api.GET('/api/v1/tenants/{tenantId}/tasks/{taskId}', { params: { path: { tenantId, taskId } }, signal }))).data,
  });
}

export function useComments(tenantId: string, taskId: string) {
  return useQuery({
    queryKey: keys.comments(tenantId, taskId),
    queryFn: async ({ signal }) =>
      (await call(api.GET('/api/v1/tenants/{tenantId}/tasks/{taskId}/comments', { params: { path: { tenantId, taskId } }, signal }))).data,
  });
}

export interface AuditFilters {
  action?: string;
  actorId?: string;
  from?: string;
  to?: string;
}

export function useAuditLogs(tenantId: string, filters: AuditFilters, enabled = true) {
  return useInfiniteQuery<Page<AuditLog>, Error, InfiniteData<Page<AuditLog>>, ReturnType<typeof keys.audit>, string | undefined>({
    queryKey: keys.audit(tenantId, filters),
    initialPageParam: undefined,
    queryFn: async ({ pageParam, signal }) => {
      const res = await call(
        api.GET('/api/v1/tenants/{tenantId}/audit-logs', {
          params: { path: { tenantId }, query: { ...filters, limit: 50, cursor: pageParam } },
          signal,
        }),
      );
      return { data: res.data, meta: { nextCursor: res.meta.nextCursor ?? null } };
    },
    getNextPageParam: (last) => last.meta.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    enabled,
  });
}
