import fastJson from 'fast-json-stringify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envelope, pagedEnvelope } from '../../src/lib/envelope.ts';
import { Task } from '../../src/modules/tasks/tasks.schemas.ts';
import { compileAllSerializers, responseJsonSchema, serializerFallbacks, simplifyNullable } from '../../src/plugins/serializer.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const task = {
  id: 'tsk_1',
  projectId: 'prj_1',
  title: 'Write the spec',
  description: '',
  status: 'todo',
  priority: 'high',
  dueDate: null,
  assigneeId: 'usr_1',
  labels: ['docs'],
  position: 1024,
  version: 3,
  createdBy: null,
  createdAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z',
  completedAt: null,
};

describe('response serialization from the route schema', () => {
  it('writes exactly the declared fields: an undeclared column never leaves the process', () => {
    const serialize = fastJson(responseJsonSchema(pagedEnvelope(Task)));
    const out = JSON.parse(
      serialize({ success: true, data: [{ ...task, tenantId: 'ten_other', search: "'spec'" }], meta: { nextCursor: null } }),
    );
    expect(out).toEqual({ success: true, data: [task], meta: { nextCursor: null } });
  });

  it('refuses a response missing a required field (a 500, as with the Zod serializer)', () => {
    const serialize = fastJson(responseJsonSchema(envelope(Task)));
    const { title: _missing, ...incomplete } = task;
    expect(() => serialize({ success: true, data: incomplete })).toThrow(/title/);
  });

  it('writes nullable scalars as a type list, not an anyOf that is validated on every response', () => {
    expect(simplifyNullable({ anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }], description: 'd' })).toEqual({
      type: ['string', 'null'],
      format: 'date-time',
      description: 'd',
    });
    const objectOrNull = { anyOf: [{ type: 'object', properties: {} }, { type: 'null' }] };
    expect(simplifyNullable(objectOrNull)).toEqual(objectOrNull);
    const json = responseJsonSchema(z.object({ at: z.iso.datetime().nullable() }));
    expect((json.properties as Record<string, unknown>).at).toMatchObject({ type: ['string', 'null'] });
  });

  describe('every route', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('compiles every response schema with fast-json-stringify (none falls back to the Zod serializer)', async () => {
      // Fastify asks for each route's serializers when the app gets ready; they compile on first use.
      expect(t.app.routeInventory.length).toBeGreaterThan(50);
      compileAllSerializers();
      expect(serializerFallbacks).toEqual([]);
    });
  });
});
