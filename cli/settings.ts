/**
 * Where the API is and which token to show it. The same environment as `npm start` (HTTP_HOST,
 * HTTP_PORT, TIERLINE_DATA_DIR, read through its config), so the CLI finds the embedded default
 * without settings. The token is a secret: messages name where it came from, never its value.
 */
import { apiTokenPath, readLocalApiToken } from '../workers/api-token.js';
import { ConfigError, loadConfig } from '../workers/config.js';
import { CliError, EXIT, usageError } from './errors.js';

export interface Settings {
  /** The API's base, ending in `/`. */
  apiUrl: URL;
  token: string;
  /** Where the token came from: `--token`, `TIERLINE_API_TOKEN` or the token file's path. */
  tokenSource: string;
}

export interface SettingOptions {
  api?: string;
  token?: string;
}

const given = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** A server listening on every interface is reached on loopback; IPv6 literals need brackets. */
function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function parseApiUrl(text: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`${source}: expected the API's URL, e.g. http://127.0.0.1:3000, got '${text}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`${source}: expected an http:// or https:// URL, got '${text}'`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

export function resolveSettings(options: SettingOptions, env: NodeJS.ProcessEnv = process.env): Settings {
  let config: ReturnType<typeof loadConfig>;
  try {
    // Only the settings the CLI uses: a bad SMTP_URL is the server's problem, not the CLI's.
    config = loadConfig({ TIERLINE_DATA_DIR: env.TIERLINE_DATA_DIR, HTTP_HOST: env.HTTP_HOST, HTTP_PORT: env.HTTP_PORT });
  } catch (err) {
    if (err instanceof ConfigError) throw usageError(err.message);
    throw err;
  }

  const apiUrl = given(options.api)
    ? parseApiUrl(given(options.api)!, '--api')
    : given(env.TIERLINE_API_URL)
      ? parseApiUrl(given(env.TIERLINE_API_URL)!, 'TIERLINE_API_URL')
      : parseApiUrl(`http://${hostForUrl(config.HTTP_HOST)}:${config.HTTP_PORT}`, 'HTTP_HOST/HTTP_PORT');

  const dataDir = config.TIERLINE_DATA_DIR;
  const [token, tokenSource] = given(options.token)
    ? [given(options.token)!, '--token']
    : given(env.TIERLINE_API_TOKEN)
      ? [given(env.TIERLINE_API_TOKEN)!, 'TIERLINE_API_TOKEN']
      : [readLocalApiToken(dataDir), apiTokenPath(dataDir)];
  if (!token) {
    throw new CliError(EXIT.unauthorized, [
      `no API token: pass --token, set TIERLINE_API_TOKEN, or start the embedded default (npm start), which writes it to ${apiTokenPath(dataDir)}`,
    ]);
  }
  // A header with a control character would be refused by fetch in an error that quotes it.
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new CliError(EXIT.unauthorized, [`the API token from ${tokenSource} contains spaces or characters other than printable ASCII; expected a token such as the one npm start writes`]);
  }
  return { apiUrl, token, tokenSource };
}
