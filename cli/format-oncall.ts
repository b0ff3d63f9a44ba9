/**
 * What a person reads of `oncall`: per schedule, each layer in paging order with who is on call,
 * until when (in UTC and in the rotation's own time zone, where its handoffs are set) and who next.
 */
import type { OnCallAnswer, OnCallLayerAnswer, OnCallPersonAnswer } from '../adapters/http/oncall-routes.js';
import { table, time } from './format.js';

const NOBODY: Record<NonNullable<OnCallLayerAnswer['reason']>, string> = {
  restricted: "nobody (outside the layer's hours)",
  empty: 'nobody (the layer has no people)',
  'not-started': 'nobody (the rotation has not started)',
};

/** `2026-03-12 09:00 America/New_York`. */
function localTime(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timeZone}`;
}

const person = (p: OnCallPersonAnswer) => `${p.name}${p.email ? ` <${p.email}>` : ''}`;

function who(layer: OnCallLayerAnswer): string {
  if (!layer.person) return NOBODY[layer.reason ?? 'empty'];
  return `${person(layer.person)}${layer.via === 'override' ? ` (override${layer.note ? `: ${layer.note}` : ''})` : ''}`;
}

function until(layer: OnCallLayerAnswer): string {
  if (!layer.until) return 'no change within a year';
  const next = layer.next ? layer.next.name : 'nobody';
  return `until ${time(layer.until)} (${localTime(layer.until, layer.timeZone)}), then ${next}`;
}

export function formatOnCall(answer: OnCallAnswer): string {
  if (!answer.configured) return answer.message ?? 'no on-call schedules are configured on this server';
  const lines = [`on call at ${time(answer.at)}`];
  for (const schedule of answer.schedules) {
    lines.push('', `${schedule.id}  ${schedule.name}`, ...table(schedule.layers.map((layer) => [layer.id, who(layer), until(layer)])));
  }
  return lines.join('\n');
}
