/**
 * What an incident publishes: the TRKV status-update template, the status page as HTML, JSON and
 * Atom with everything users typed escaped, and the incident report with its TO FILL markers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { atomEntryId, escapeMarkup, renderAtomFeed, renderIncidentHtml, renderStatusPageHtml, renderStatusPageJson, renderStatusUpdate } from '../../../domain/incident/render.js';
import { renderReport } from '../../../domain/incident/report.js';
import { publicIncident, statusPage } from '../../../domain/incident/view.js';
import { loadPolicy } from '../../../policies/load.js';
import { HOUR, IncidentRun, MINUTE, T0 } from './incident-run.js';

const trkv = loadPolicy('trkv');
const HOSTILE = `<script>alert("x")</script> & 'quotes' "double" </title></content>]]>`;

/**
 * A strict well-formedness check of the XML this module writes: one root, balanced tags, quoted
 * attributes, and no '<' or bare '&' in text or attribute values.
 */
function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, '');
  const token = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  const stack: string[] = [];
  let roots = 0;
  let at = 0;
  for (let m = token.exec(body); m; m = token.exec(body)) {
    at = token.lastIndex;
    const [, close, name, attrs, selfClose, text] = m;
    const entityOk = (s: string) => !/&(?!(amp|lt|gt|quot|#39);)/.test(s);
    if (text !== undefined) {
      assert.ok(stack.length > 0 || text.trim() === '', `text outside the root: ${text.slice(0, 40)}`);
      assert.ok(entityOk(text), `a bare & in text: ${text.slice(0, 60)}`);
      continue;
    }
    assert.ok(entityOk(attrs ?? ''), `a bare & in attributes: ${attrs}`);
    if (close) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else if (!selfClose) {
      if (stack.length === 0) roots += 1;
      stack.push(name!);
    } else if (stack.length === 0) roots += 1;
  }
  assert.equal(at, body.length, `not XML from offset ${at}: ${body.slice(at, at + 60)}`);
  assert.deepEqual([stack, roots], [[], 1]);
}

function incidentWithHostileText() {
  const incident = new IncidentRun(trkv, T0, { severity: 'critical', title: `Logins ${HOSTILE}`, impact: `Impact ${HOSTILE}`, message: `First ${HOSTILE}`, components: ['api'] });
  incident.update({ status: 'identified', message: `Second ${HOSTILE}\u0000\u0007`, impact: 'Users cannot log in' }, T0 + 20 * MINUTE);
  return incident;
}

describe('escapeMarkup: one function for HTML and XML', () => {
  test('the five markup characters become entities; nothing else changes', () => {
    assert.equal(escapeMarkup(`<script>alert("x" + 'y')</script> & é 🚀`), '&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;)&lt;/script&gt; &amp; é 🚀');
  });

  test('characters XML forbids (control characters, lone surrogates) become U+FFFD; tabs and newlines stay', () => {
    assert.equal(escapeMarkup('a\u0000b\u0008c\td\ne\r\uD800f\uDFFF\uFFFE'), 'a\uFFFDb\uFFFDc\td\ne\r\uFFFDf\uFFFD\uFFFD');
  });
});

describe("the TRKV status update: '[Status] TRKV Service Update / Current Status / Impact / Next Update'", () => {
  test('every field of the template, filled in', () => {
    const { headline, text } = renderStatusUpdate({ service: 'TRKV', title: 'Logins fail', status: 'identified', impact: 'Users cannot log in', message: 'A bad deploy; rolling back', nextUpdateAt: T0 + HOUR });
    assert.equal(headline, '[Identified] TRKV Service Update: Logins fail');
    assert.equal(text, [
      '[Identified] TRKV Service Update: Logins fail',
      'Current Status: Identified. A bad deploy; rolling back',
      'Impact: Users cannot log in',
      'Next Update: 2026-03-10 15:00 UTC',
    ].join('\n'));
  });

  test('the final update promises no next one', () => {
    const { text } = renderStatusUpdate({ service: 'TRKV', title: 'Logins fail', status: 'resolved', impact: 'None any more', message: 'Fixed' });
    assert.match(text, /^\[Resolved\] TRKV Service Update: Logins fail\n.*\nNext Update: none: the incident is resolved$/s);
  });

  test('a title cannot break the headline onto two lines', () => {
    assert.equal(renderStatusUpdate({ service: 'TRKV', title: 'Logins\nfail', status: 'monitoring', impact: 'x', message: 'y' }).headline, '[Monitoring] TRKV Service Update: Logins fail');
  });
});

describe('the public status page', () => {
  test('HTML: every user-typed text is escaped; no script, no raw tag of theirs', () => {
    const incident = incidentWithHostileText();
    const page = statusPage(trkv, [publicIncident(incident.state)], T0 + 30 * MINUTE);
    for (const html of [renderStatusPageHtml(page), renderIncidentHtml(page, page.incidents[0]!)]) {
      assert.ok(!html.includes('<script'), 'a script tag got through');
      assert.ok(!html.includes('"double"') && !html.includes("'quotes'"), 'quotes got through unescaped');
      assert.ok(!html.includes('</title></content>'), 'a closing tag got through');
      assert.ok(!html.includes('\u0000') && !html.includes('\u0007'));
      assert.ok(html.includes('Logins &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;'));
      assert.match(html, /^<!doctype html>\n<html lang="en">/);
    }
    const html = renderStatusPageHtml(page);
    assert.match(html, /<p class="overall disrupted">An incident is in progress \(Critical\)<\/p>/);
    assert.match(html, /<h2>Current incidents<\/h2>/);
    assert.match(html, /<link rel="alternate" type="application\/atom\+xml" title="TRKV System Status" href="\/status\/feed.atom">/);
    // Newest update first.
    assert.ok(html.indexOf('Second &lt;script&gt;') < html.indexOf('First &lt;script&gt;'));
  });

  test('HTML with nothing open says all is well, and lists the resolved incidents', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'minor' });
    incident.send({ type: 'resolve', actor: 'alice', summary: 'Fixed' }, T0 + HOUR);
    const html = renderStatusPageHtml(statusPage(trkv, [publicIncident(incident.state)], T0 + 2 * HOUR));
    assert.match(html, /<p class="overall operational">All systems operational<\/p>/);
    assert.match(html, /<h2>Resolved incidents<\/h2>/);
    assert.doesNotMatch(html, /Current incidents/);
  });

  test('JSON: the public view only, open incidents first, most severe first', () => {
    const minor = new IncidentRun(trkv, T0, { severity: 'minor', title: 'Slow exports' }, 'I-minor');
    const critical = new IncidentRun(trkv, T0 + MINUTE, { severity: 'critical', title: 'Down' }, 'I-critical');
    const done = new IncidentRun(trkv, T0, { severity: 'critical', title: 'Earlier' }, 'I-done');
    done.send({ type: 'resolve', actor: 'alice', summary: 'Fixed' }, T0 + 2 * MINUTE);
    const page = statusPage(trkv, [done, minor, critical].map((i) => publicIncident(i.state)), T0 + 5 * MINUTE);
    const json = JSON.parse(renderStatusPageJson(page)) as { incidents: { id: string }[]; overall: { operational: boolean; text: string } };
    assert.deepEqual(json.incidents.map((i) => i.id), ['I-critical', 'I-minor', 'I-done']);
    assert.deepEqual(json.overall, { operational: false, severity: { id: 'critical', name: 'Critical' }, text: '2 incidents are in progress (Critical)' });
    assert.ok(!renderStatusPageJson(page).includes('alice'));
  });

  test('Atom: valid XML, one entry per update with a stable id, hostile text escaped', () => {
    const incident = incidentWithHostileText();
    const page = statusPage(trkv, [publicIncident(incident.state)], T0 + 30 * MINUTE);
    const feed = renderAtomFeed(page, 'https://support.example.com/');
    assertWellFormedXml(feed);
    assert.ok(!feed.includes('<script'));
    assert.equal(feed.match(/<entry>/g)?.length, 2);
    assert.deepEqual([...feed.matchAll(/<entry>\n\s*<id>([^<]+)<\/id>/g)].map((m) => m[1]), [atomEntryId('I-run', 2), atomEntryId('I-run', 1)]);
    assert.equal(atomEntryId('I-run', 2), 'urn:tierline:incident:I-run:update:2');
    assert.match(feed, /<link rel="self" type="application\/atom\+xml" href="https:\/\/support.example.com\/status\/feed.atom"\/>/);
    assert.match(feed, /<updated>2026-03-10T14:20:00.000Z<\/updated>/);
    // Another render later: the same entries, the same ids.
    const later = renderAtomFeed(statusPage(trkv, [publicIncident(incident.state)], T0 + 50 * MINUTE), 'https://support.example.com');
    assert.equal(later, feed);
  });

  test('Atom with no incident at all is still a valid feed', () => {
    const feed = renderAtomFeed(statusPage(trkv, [], T0), 'https://support.example.com');
    assertWellFormedXml(feed);
    assert.match(feed, /<updated>2026-03-10T14:00:00.000Z<\/updated>/);
  });
});

describe('the incident report (TRKV template)', () => {
  test('Title, Duration from the timeline, Impact, Root Cause, Resolution, Prevention; what is missing is marked TO FILL', () => {
    const incident = new IncidentRun(trkv, T0 + 17_000, { severity: 'major', components: ['api'] });
    incident.send({ type: 'linkTicket', actor: 'bob', ticketId: 'T-1' }, T0 + MINUTE);
    incident.send({ type: 'linkTicket', actor: 'tierline', ticketId: 'T-2', auto: true }, T0 + 2 * MINUTE);
    incident.update({ status: 'identified', message: 'Found it' }, T0 + 30 * MINUTE);
    incident.send({ type: 'resolve', actor: 'alice', summary: 'Rolled back', resolution: '1. Rolled back v2.3\n2. Cleared caches' }, T0 + 2 * HOUR + 45 * MINUTE);
    const report = renderReport(incident.state);
    assert.equal(report, [
      '# Incident Report: Logins fail',
      '',
      '- **Incident:** I-run',
      '- **Severity:** Major',
      '- **Commander:** alice',
      '- **Components:** api',
      '- **Duration:** 2026-03-10 14:00 UTC to 2026-03-10 16:45 UTC (2h44m43s)',
      '',
      '## Impact',
      '',
      'Users cannot log in',
      '',
      '## Summary',
      '',
      'Rolled back',
      '',
      '## Root Cause',
      '',
      '_TO FILL: root cause analysis_',
      '',
      '## Resolution',
      '',
      '1. Rolled back v2.3\n2. Cleared caches',
      '',
      '## Prevention',
      '',
      '_TO FILL: prevention measures_',
      '',
      '## Linked tickets',
      '',
      '- T-1 (linked 2026-03-10 14:01 UTC by bob)',
      '- T-2 (linked 2026-03-10 14:02 UTC, on intake)',
      '',
      '## Update timeline',
      '',
      '- 2026-03-10 14:00 UTC · **Investigating** · alice: We are investigating: Logins fail (impact: Users cannot log in; next update 2026-03-10 18:00 UTC)',
      '- 2026-03-10 14:30 UTC · **Identified** · alice: Found it (impact: Users cannot log in; next update 2026-03-10 18:30 UTC)',
      '- 2026-03-10 16:45 UTC · **Resolved** · alice: Rolled back (impact: Users cannot log in)',
      '',
    ].join('\n'));
  });

  test('before the resolution the end is to fill; HTML typed into the report stays text', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'minor', title: '<img src=x onerror=alert(1)>' });
    const report = renderReport(incident.state);
    assert.match(report, /Duration:\*\* 2026-03-10 14:00 UTC to _TO FILL: end \(the incident is still open\)_/);
    assert.match(report, /^# Incident Report: &lt;img src=x onerror=alert\(1\)&gt;$/m);
    assert.deepEqual([...report.matchAll(/_TO FILL: ([^_]+)_/g)].map((m) => m[1]), [
      'affected components', 'end (the incident is still open)', 'summary (the final update)', 'root cause analysis', 'resolution steps', 'prevention measures',
    ]);
  });
});
