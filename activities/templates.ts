import { readFile } from 'node:fs/promises';
import { NotificationErrorType, permanentFailure } from './errors.js';

/** The emails a ticket sends; each has `<name>.txt` and `<name>.html` in templates/email/. */
export const EMAIL_TEMPLATES = [
  'auto-reply',
  'self-service',
  'public-reply',
  'resolution',
  'follow-up',
  'satisfaction',
  'vendor-escalation',
  'vendor-follow-up',
  'duplicate',
  'page',
  'incident-linked',
  'incident-update',
] as const;

export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

export interface RenderedEmail {
  text: string;
  html: string;
}

const TEMPLATE_DIR = new URL('./templates/email/', import.meta.url);
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

interface TemplateSource {
  text: string;
  html: string;
}

const cache = new Map<EmailTemplate, Promise<TemplateSource>>();

function isEmailTemplate(name: string): name is EmailTemplate {
  return (EMAIL_TEMPLATES as readonly string[]).includes(name);
}

function load(template: string): Promise<TemplateSource> {
  if (!isEmailTemplate(template)) {
    throw permanentFailure(
      `Unknown email template "${template}"; expected one of ${EMAIL_TEMPLATES.join(', ')}`,
      NotificationErrorType.EmailTemplate,
    );
  }
  let source = cache.get(template);
  if (source === undefined) {
    source = Promise.all([
      readFile(new URL(`${template}.txt`, TEMPLATE_DIR), 'utf8'),
      readFile(new URL(`${template}.html`, TEMPLATE_DIR), 'utf8'),
    ]).then(([text, html]) => ({ text, html }));
    // A failed read is not cached, so a file restored on disk is picked up by the next attempt.
    source.catch(() => cache.delete(template));
    cache.set(template, source);
  }
  return source;
}

/** The variables a template uses, in order of first use, from both its text and HTML files. */
export async function templateVariables(template: EmailTemplate): Promise<string[]> {
  const { text, html } = await load(template);
  const names = new Set<string>();
  for (const match of `${text}\n${html}`.matchAll(PLACEHOLDER)) names.add(match[1] as string);
  return [...names];
}

/**
 * Fills `{{var}}` placeholders: verbatim in the plain-text part, HTML-escaped in the HTML part.
 * A variable the template uses but `vars` lacks is an error that names it (and all other missing ones).
 */
export async function renderEmail(template: EmailTemplate, vars: Readonly<Record<string, string>>): Promise<RenderedEmail> {
  const source = await load(template);
  const missing = new Set<string>();
  const fill = (body: string, encode: (value: string) => string) =>
    body.replace(PLACEHOLDER, (_whole, name: string) => {
      const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
      if (value === undefined) {
        missing.add(name);
        return '';
      }
      return encode(value);
    });
  const text = fill(source.text, (value) => value);
  const html = fill(source.html, escapeHtml);
  if (missing.size > 0) {
    throw permanentFailure(
      `Email template "${template}" needs ${[...missing].map((name) => `"${name}"`).join(', ')}, which the vars do not give`,
      NotificationErrorType.EmailTemplate,
    );
  }
  return { text, html };
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
