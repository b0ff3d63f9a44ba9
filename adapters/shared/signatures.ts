/**
 * The signature checks the webhook adapters share. Every comparison is constant-time, and every
 * check reads the raw body exactly as it arrived (a re-serialised body would not match).
 */
import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';

/** HMAC-SHA256 of `payload` under `secret`, lower-case hex. */
export function hmacSha256Hex(secret: string, payload: Buffer | string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Constant-time equality of two strings; a length difference is known at once, the content never. */
export function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length) {
    // Compare anyway, so a wrong length costs the same time as a wrong value.
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** True when a Unix timestamp (seconds) lies within `toleranceSeconds` of `nowMs`, either side. */
export function isFreshTimestamp(seconds: string | undefined, nowMs: number, toleranceSeconds = 300): boolean {
  if (seconds === undefined || !/^\d{1,12}$/.test(seconds)) return false;
  return Math.abs(nowMs / 1000 - Number(seconds)) <= toleranceSeconds;
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Verifies an Ed25519 signature (hex) over `message` with a raw 32-byte public key (hex), as Discord signs. */
export function verifyEd25519(publicKeyHex: string, signatureHex: string, message: Buffer): boolean {
  if (!/^[0-9a-f]{128}$/i.test(signatureHex) || !/^[0-9a-f]{64}$/i.test(publicKeyHex)) return false;
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(publicKeyHex, 'hex')]), format: 'der', type: 'spki' });
  try {
    return verify(null, message, key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}
