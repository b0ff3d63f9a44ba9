/**
 * The incident report of the TRKV seed's template, as Markdown, from the incident's timeline:
 *
 *   Incident Report: [Title]
 *   Duration: [Start] to [End]
 *   Impact: [Description]
 *   Root Cause: [Analysis]
 *   Resolution: [Steps]
 *   Prevention: [Measures]
 *
 * plus the linked tickets and the update timeline. Whatever a person still has to write is marked
 * `_TO FILL: ..._`, so a reviewer finds every gap by searching for "TO FILL".
 */
import { formatDuration } from '../duration.js';
import { severityOf } from './cadence.js';
import { formatInstant, oneLine } from './render.js';
import { statusName, type IncidentState } from './types.js';

/** The marker of a field a person must still fill in. */
export const TO_FILL = 'TO FILL';
export const toFill = (what: string) => `_${TO_FILL}: ${what}_`;

/**
 * Text as Markdown keeps it: people may write Markdown in the analysis, but no HTML reaches a
 * renderer that would pass it through.
 */
function markdownText(text: string): string {
  return text.trim().replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const filled = (text: string | undefined, what: string) => (text !== undefined && text.trim() !== '' ? markdownText(text) : toFill(what));

/** Start and end as the timeline has them: the declaration and the resolution. */
export function incidentDuration(state: IncidentState): { start: number; end?: number } {
  const start = state.timeline.find((e) => e.type === 'declared')?.at ?? state.declaredAt;
  const end = [...state.timeline].reverse().find((e) => e.type === 'resolved')?.at;
  return end === undefined ? { start } : { start, end };
}

export function renderReport(state: IncidentState): string {
  const { start, end } = incidentDuration(state);
  const duration = end === undefined
    ? `${formatInstant(start)} to ${toFill('end (the incident is still open)')}`
    : `${formatInstant(start)} to ${formatInstant(end)} (${formatDuration(end - start)})`;
  const report = state.report;
  const severity = severityOf(state.policy, state.severity)?.name ?? state.severity;
  const lines = [
    `# Incident Report: ${markdownText(oneLine(state.title))}`,
    '',
    `- **Incident:** ${state.incidentId}`,
    `- **Severity:** ${markdownText(severity)}`,
    `- **Commander:** ${markdownText(oneLine(state.commander))}`,
    `- **Components:** ${state.components.length ? state.components.join(', ') : toFill('affected components')}`,
    `- **Duration:** ${duration}`,
    '',
    '## Impact',
    '',
    filled(state.impact, 'impact'),
    '',
    '## Summary',
    '',
    filled(report?.summary, 'summary (the final update)'),
    '',
    '## Root Cause',
    '',
    filled(report?.rootCause, 'root cause analysis'),
    '',
    '## Resolution',
    '',
    filled(report?.resolution, 'resolution steps'),
    '',
    '## Prevention',
    '',
    filled(report?.prevention, 'prevention measures'),
    '',
    '## Linked tickets',
    '',
    ...(state.linked.length
      ? state.linked.map((t) => `- ${t.ticketId} (linked ${formatInstant(t.linkedAt)}${t.auto ? ', on intake' : ` by ${markdownText(oneLine(t.linkedBy))}`})`)
      : ['None.']),
    '',
    '## Update timeline',
    '',
    ...state.updates.map((u) => {
      const next = u.nextUpdateAt !== undefined ? `; next update ${formatInstant(u.nextUpdateAt)}` : '';
      return `- ${formatInstant(u.at)} · **${statusName(u.status)}** · ${markdownText(oneLine(u.author))}: ${markdownText(oneLine(u.message))} (impact: ${markdownText(oneLine(u.impact))}${next})`;
    }),
    '',
  ];
  return lines.join('\n');
}
