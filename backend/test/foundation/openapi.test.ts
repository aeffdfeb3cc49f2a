import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateOpenApiDocument } from '../helpers/openapi.ts';

const committedPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'openapi.json');

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and documents every operation with an id, a summary and responses', async () => {
    const doc = (await generateOpenApiDocument()) as { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>> };
    expect(doc.openapi).toBe('3.1.0');
    const ids = new Set<string>();
    for (const [route, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.operationId, `${method} ${route}`).toBeTruthy();
        expect(op.summary, `${method} ${route}`).toBeTruthy();
        expect(Object.keys(op.responses as object).length, `${method} ${route}`).toBeGreaterThan(0);
        expect(ids.has(op.operationId as string), `duplicate operationId ${op.operationId as string}`).toBe(false);
        ids.add(op.operationId as string);
      }
    }
  });

  it('the committed backend/openapi.json matches the code (run `npm run openapi` after changing routes)', async () => {
    const generated = await generateOpenApiDocument();
    expect(fs.existsSync(committedPath), 'backend/openapi.json is missing; run `npm run openapi`').toBe(true);
    const committed = JSON.parse(fs.readFileSync(committedPath, 'utf8'));
    expect(committed).toEqual(generated);
  });
});
