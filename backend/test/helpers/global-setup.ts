import type { TestProject } from 'vitest/node';
import { ensurePgliteSnapshot, ensurePostgresTemplate, testDbKind } from './db-fixtures.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    testDb: { kind: 'pglite'; snapshot: string } | { kind: 'postgres'; template: string };
  }
}

export default async function setup(project: TestProject) {
  if (testDbKind() === 'postgres') {
    project.provide('testDb', { kind: 'postgres', template: await ensurePostgresTemplate() });
  } else {
    project.provide('testDb', { kind: 'pglite', snapshot: await ensurePgliteSnapshot() });
  }
}
