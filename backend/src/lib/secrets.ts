/**
 * Secrets the API hands out once (API keys, webhook signing secrets) and how they are kept:
 * API keys only as an HMAC under a key derived from AUTH_SECRET; webhook secrets encrypted with
 * AES-256-GCM (they must be read back to sign deliveries).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { newId } from './ids.ts';

function derive(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'atrium', purpose, 32));
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
