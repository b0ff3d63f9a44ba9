/**
 * The embedded default's API token: generated once, kept in the data folder (mode 0600), and read
 * by the CLI. It is a secret: the file's path is printed, the token only to a terminal.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCAL_ACTOR = 'local-admin';

export function apiTokenPath(dataDir: string): string {
  return join(dataDir, 'api-token');
}

export function readLocalApiToken(dataDir: string): string | undefined {
  const path = apiTokenPath(dataDir);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}

/** A secret kept in the data folder (mode 0600), made once: the API token, the link-signing key. */
export function ensureLocalSecret(dataDir: string, name: string, prefix = ''): { token: string; path: string; created: boolean } {
  const path = join(dataDir, name);
  const existing = existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
  if (existing) return { token: existing, path, created: false };
  mkdirSync(dataDir, { recursive: true });
  const token = `${prefix}${randomBytes(24).toString('base64url')}`;
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { token, path, created: true };
}

export function ensureLocalApiToken(dataDir: string): { token: string; path: string; created: boolean } {
  return ensureLocalSecret(dataDir, 'api-token', 'tl_');
}
