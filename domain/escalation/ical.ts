/**
 * A layer's shifts as an iCalendar (RFC 5545) feed, so people can subscribe to their on-call
 * time in the calendar they already use. One VEVENT per shift, in UTC (no VTIMEZONE needed), with
 * a UID that stays the same while the shift does: a calendar that polls the feed updates events in
 * place instead of piling up copies. DTSTAMP comes from the caller, as the core reads no clock.
 */
import type { Shift } from './oncall.js';
import { shifts } from './oncall.js';
import type { OnCallSchedule } from './oncall-schema.js';

export interface ICalendarOptions {
  /** When the feed was made (epoch ms): every event's DTSTAMP. */
  dtstamp: number;
  /** Only this person's shifts ("my on-call"), by person id. */
  personId?: string;
  /** The right-hand side of every UID, e.g. the host serving the feed; default 'tierline'. */
  uidDomain?: string;
  /** PRODID; default '-//tierline//on-call//EN'. */
  productId?: string;
}

/** The maximum length of a content line in octets, without its CRLF (RFC 5545 section 3.1). */
export const ICAL_LINE_OCTETS = 75;

/** The shifts of `layerId` overlapping [from, to) as an RFC 5545 VCALENDAR text (CRLF line ends, folded lines). */
export function scheduleToICalendar(schedule: OnCallSchedule, layerId: string, from: number, to: number, opts: ICalendarOptions): string {
  const layer = schedule.layers.find((l) => l.id === layerId);
  const layerName = layer?.name ?? layerId;
  const uidDomain = opts.uidDomain ?? 'tierline';
  const events = shifts(schedule, layerId, from, to)
    .filter((shift) => opts.personId === undefined || shift.person.id === opts.personId)
    .flatMap((shift) => [
      'BEGIN:VEVENT',
      `UID:${uid(schedule.id, layerId, shift, uidDomain)}`,
      `DTSTAMP:${utcDateTime(opts.dtstamp)}`,
      `DTSTART:${utcDateTime(shift.start)}`,
      `DTEND:${utcDateTime(shift.end)}`,
      `SUMMARY:${text(`On call: ${shift.person.name} (${layerName})`)}`,
      `DESCRIPTION:${text(describe(schedule.name, layerName, shift))}`,
      `CATEGORIES:${text('on-call')},${text(layerId)}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    ]);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${text(opts.productId ?? '-//tierline//on-call//EN')}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${text(`${schedule.name}: ${layerName}${opts.personId === undefined ? '' : ` (${opts.personId})`}`)}`,
    ...events,
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}

/** Schedule, layer, start and person name a shift: the same shift gets the same UID in every export. */
function uid(scheduleId: string, layerId: string, shift: Shift, domain: string): string {
  return `${scheduleId}.${layerId}.${utcDateTime(shift.start)}.${shift.person.id}@${domain}`;
}

function describe(scheduleName: string, layerName: string, shift: Shift): string {
  const lines = [`${shift.person.name} is on call for ${scheduleName}, ${layerName}.`];
  if (shift.via === 'override') lines.push(`Override${shift.note === undefined ? '' : `: ${shift.note}`}`);
  if (shift.person.email !== undefined) lines.push(`Email: ${shift.person.email}`);
  return lines.join('\n');
}

/** DATE-TIME in UTC form, e.g. 20260309T130000Z (seconds; shifts start on whole minutes). */
export function utcDateTime(instant: number): string {
  return new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** A TEXT value escaped (section 3.3.11): backslash, semicolon, comma, newline; other control characters dropped. */
export function text(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what TEXT may not hold
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n');
}

/**
 * A content line folded to lines of at most 75 octets (section 3.1): each continuation starts
 * with a space, and a UTF-8 character is never split across lines.
 */
export function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = utf8Length(char);
    // The first line holds 75 octets; a continuation holds 74 after its leading space.
    const limit = parts.length === 0 ? ICAL_LINE_OCTETS : ICAL_LINE_OCTETS - 1;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

function utf8Length(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}
