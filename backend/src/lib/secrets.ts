/**
 * Secrets the API hands out once (API keys, webhook signing secrets) and how they are kept:
 * API keys only as an HMAC under a key derived from AUTH_SECRET; webhook secrets encrypted with
 * AES-256-GCM (they must be read back to sign deliveries).
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';
import { newId } from './ids.ts';

/**
 * Derived keys, by secret and purpose. Deriving (HKDF) and importing the key cost about a tenth of
 * the API's CPU on every API-key request when done per call (docs/performance.md, change 31); a
 * process sees one AUTH_SECRET (a few in tests), so the map stays tiny.
 */
const derived = new Map<string, KeyObject>();

function derive(secret: string, purpose: string): KeyObject {
  const id = `${purpose}\u0000${secret}`;
  let key = derived.get(id);
  if (!key) {
    key = createSecretKey(Buffer.from(hkdfSync('sha256', secret, 'atrium', purpose, 32)));
    if (derived.size >= 16) derived.clear();
    derived.set(id, key);
  }
  return key;
}

export function generateSecret(prefix: string, length = 40): string {
  return `${prefix}${newId('', length)}`;
}

export function hashApiKey(authSecret: string, key: string): string {
  return createHmac('sha256', derive(authSecret, 'api-key-hash')).update(key).digest('hex');
}

export function encryptSecret(authSecret: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(authSecret, 'webhook-secret'), iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
}

export function decryptSecret(authSecret: string, encrypted: string): string {
  const [iv, tag, data] = encrypted.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !data) throw new Error('malformed encrypted secret');
  const decipher = createDecipheriv('aes-256-gcm', derive(authSecret, 'webhook-secret'), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
}
