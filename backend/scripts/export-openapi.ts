/**
 * Writes backend/openapi.json from the running app's routes (`npm run openapi -w backend`).
 * The committed file is the contract the frontend client is generated from; a test fails when it
 * differs from what the code generates.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOpenApiDocument } from '../test/helpers/openapi.ts';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'openapi.json');
const doc = await generateOpenApiDocument();
fs.writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
process.exit(0);
