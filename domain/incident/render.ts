/**
 * Pure rendering of what an incident publishes: the status update of the TRKV seed's template,
 * the public status page as HTML, JSON and an Atom feed. Everything a person typed goes through
 * `escapeMarkup` before it reaches HTML or XML. The incident report is in report.ts.
 */
import { statusName, type IncidentStatus } from './types.js';
import type { PublicIncident, PublicUpdate, StatusPage } from './view.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Whether XML 1.0 allows the code point at all (HTML parsers are laxer; one rule serves both). */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/**
 * Text made safe for HTML element content, HTML attribute values (either quote) and XML: the five
 * markup characters become entities, and characters XML forbids (control characters, lone
 * surrogates) become U+FFFD, so a feed reader never rejects the feed for what a user typed.
 */
export function escapeMarkup(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out += !isXmlChar(code) ? '\uFFFD' : (ENTITIES[ch] ?? ch);
  }
  return out;
}

/** An instant as updates and pages write it: `2026-03-10 15:30 UTC`. */
export function formatInstant(ms: number | string): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** What a status update needs; the incident core and the public view both provide it. */
export interface StatusUpdateFields {
  service: string;
  title: string;
  status: IncidentStatus;
  impact: string;
  message: string;
  nextUpdateAt?: number | string;
}

/**
 * The TRKV seed's status-update template, filled in:
 *
 *   [Status] TRKV Service Update
 *   Current Status: [Status]
 *   Impact: [Description]
 *   Next Update: [Time]
 *
 * The headline also names the incident, and the message follows the status it explains.
 */
export function renderStatusUpdate(fields: StatusUpdateFields): { headline: string; text: string } {
  const status = statusName(fields.status);
  const headline = `[${status}] ${oneLine(fields.service)} Service Update: ${oneLine(fields.title)}`;
  const next = fields.nextUpdateAt !== undefined ? formatInstant(fields.nextUpdateAt) : fields.status === 'resolved' ? 'none: the incident is resolved' : 'none planned';
  const text = [headline, `Current Status: ${status}. ${fields.message.trim()}`, `Impact: ${fields.impact.trim()}`, `Next Update: ${next}`].join('\n');
  return { headline, text };
}

/** Text on one line: a headline, an email subject, a list item. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const CSS = [
  'body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}',
  '.overall{padding:.75rem 1rem;border-radius:.4rem;font-weight:600}',
  '.operational{background:#e3f5e6}.disrupted{background:#fde8e4}',
  'article{border-top:1px solid #ddd;padding:1rem 0}',
  '.meta{color:#555;font-size:.9rem}',
  'ol.updates{list-style:none;padding:0}ol.updates li{margin:.75rem 0}',
  '.message{white-space:pre-wrap}',
].join('');

function updateHtml(update: PublicUpdate): string {
  return [
    '<li>',
    `<p><strong>${escapeMarkup(update.statusName)}</strong> <time datetime="${escapeMarkup(update.at)}">${escapeMarkup(formatInstant(update.at))}</time></p>`,
    `<p class="message">${escapeMarkup(update.message)}</p>`,
    `<p>Impact: ${escapeMarkup(update.impact)}</p>`,
    update.nextUpdateAt ? `<p>Next update: <time datetime="${escapeMarkup(update.nextUpdateAt)}">${escapeMarkup(formatInstant(update.nextUpdateAt))}</time></p>` : '',
    '</li>',
  ].join('');
}

function incidentHtml(incident: PublicIncident, headingLevel: 2 | 3): string {
  const h = `h${headingLevel}`;
  const since = incident.resolvedAt ? `${formatInstant(incident.declaredAt)} to ${formatInstant(incident.resolvedAt)}` : `since ${formatInstant(incident.declaredAt)}`;
  const meta = [incident.severity.name, incident.statusName, incident.components.length ? `Affected: ${incident.components.join(', ')}` : '', since].filter(Boolean);
  return [
    `<article id="${escapeMarkup(incident.id)}" class="incident severity-${escapeMarkup(incident.severity.id)} status-${escapeMarkup(incident.status)}">`,
    `<${h}><a href="${escapeMarkup(incident.path)}">${escapeMarkup(incident.title)}</a></${h}>`,
    `<p class="meta">${meta.map(escapeMarkup).join(' · ')}</p>`,
    `<ol class="updates" reversed>${[...incident.updates].reverse().map(updateHtml).join('')}</ol>`,
    '</article>',
  ].join('\n');
}

function documentHtml(page: StatusPage, title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeMarkup(title)}</title>`,
    `<link rel="alternate" type="application/atom+xml" title="${escapeMarkup(page.title)}" href="${escapeMarkup(page.paths.feed)}">`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    body,
    `<footer><p class="meta">Updated ${escapeMarkup(formatInstant(page.generatedAt))} · <a href="${escapeMarkup(page.paths.feed)}">Atom feed</a> · <a href="${escapeMarkup(page.paths.json)}">JSON</a></p></footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The public status page: the overall state, open incidents, then resolved ones. No script, nothing unescaped. */
export function renderStatusPageHtml(page: StatusPage): string {
  const open = page.incidents.filter((i) => i.status !== 'resolved');
  const resolved = page.incidents.filter((i) => i.status === 'resolved');
  const body = [
    `<header><h1>${escapeMarkup(page.title)}</h1>`,
    `<p class="overall ${page.overall.operational ? 'operational' : 'disrupted'}">${escapeMarkup(page.overall.text)}</p></header>`,
    '<main>',
    open.length ? `<section><h2>Current incidents</h2>\n${open.map((i) => incidentHtml(i, 3)).join('\n')}</section>` : '',
    resolved.length ? `<section><h2>Resolved incidents</h2>\n${resolved.map((i) => incidentHtml(i, 3)).join('\n')}</section>` : '',
    '</main>',
  ].filter(Boolean).join('\n');
  return documentHtml(page, page.title, body);
}

/** One incident's public page. */
export function renderIncidentHtml(page: StatusPage, incident: PublicIncident): string {
  const body = [
    `<header><p><a href="${escapeMarkup(page.paths.page)}">${escapeMarkup(page.title)}</a></p></header>`,
    '<main>',
    incidentHtml(incident, 2),
    '</main>',
  ].join('\n');
  return documentHtml(page, `${incident.title} · ${page.title}`, body);
}

/** The status page as JSON (what `<basePath>/index.json` serves). */
export function renderStatusPageJson(page: StatusPage): string {
  return `${JSON.stringify(page, null, 2)}\n`;
}

/** A stable Atom entry id per (incident, update number): readers never see an update twice. */
export const atomEntryId = (incidentId: string, update: number) => `urn:tierline:incident:${incidentId}:update:${update}`;

/**
 * The status page as an Atom feed (RFC 4287): one entry per update, newest first. `baseUrl` is the
 * API's public origin (`https://support.example.com`), for absolute links.
 */
export function renderAtomFeed(page: StatusPage, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  const entries = page.incidents
    .flatMap((incident) => incident.updates.map((update) => ({ incident, update })))
    .sort((a, b) => b.update.at.localeCompare(a.update.at) || a.incident.id.localeCompare(b.incident.id) || b.update.number - a.update.number);
  const updated = entries[0]?.update.at ?? page.generatedAt;
  const entryXml = entries.map(({ incident, update }) => {
    const { headline, text } = renderStatusUpdate({ service: page.service, title: incident.title, ...update });
    return [
      '  <entry>',
      `    <id>${escapeMarkup(atomEntryId(incident.id, update.number))}</id>`,
      `    <title type="text">${escapeMarkup(headline)}</title>`,
      `    <published>${escapeMarkup(update.at)}</published>`,
      `    <updated>${escapeMarkup(update.at)}</updated>`,
      `    <link rel="alternate" type="text/html" href="${escapeMarkup(base + incident.path)}"/>`,
      `    <category term="${escapeMarkup(incident.severity.id)}" label="${escapeMarkup(incident.severity.name)}"/>`,
      `    <content type="text">${escapeMarkup(text)}</content>`,
      '  </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeMarkup(page.id)}</id>`,
    `  <title type="text">${escapeMarkup(page.title)}</title>`,
    `  <updated>${escapeMarkup(updated)}</updated>`,
    `  <author><name>${escapeMarkup(page.service)}</name></author>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeMarkup(base + page.paths.feed)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escapeMarkup(base + page.paths.page)}"/>`,
    ...entryXml,
    '</feed>',
    '',
  ].join('\n');
}
