/**
 * Ticket ids: short, unique, readable, and never a counter. A new ticket gets `T-` and a
 * time-sortable id (48-bit milliseconds + 40 random bits, Crockford base32); a ticket with an id on
 * its channel gets one derived from (channel, external id), so a repeat finds the same workflow.
 */
import { createHash, randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array, length: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

export function newTicketId(now: number = Date.now()): string {
  return `T-${sortableId(now)}`;
}

/** Incidents are named the same way, with `I-`: `I-01KB…`. */
export function newIncidentId(now: number = Date.now()): string {
  return `I-${sortableId(now)}`;
}

/** The same idempotency key (or proposal) always gives the same incident id. */
export function derivedIncidentId(key: string): string {
  return `I-${base32(createHash('sha256').update(`incident\u0000${key}`).digest(), 16)}`;
}

export const INCIDENT_ID_PATTERN = /^I-[0-9A-Z]{16,18}$/;

function sortableId(now: number): string {
  const time = Buffer.alloc(6);
  time.writeUIntBE(now, 0, 6);
  return base32(Buffer.concat([time, randomBytes(5)]), 18);
}

/** The same (channel, external id) always gives the same ticket id. */
export function derivedTicketId(channel: string, externalId: string): string {
  return `T-${base32(createHash('sha256').update(`${channel}\u0000${externalId}`).digest(), 16)}`;
}

export { incidentWorkflowId, ticketWorkflowId } from '../workflows/ids.js';

export const TICKET_ID_PATTERN = /^T-[0-9A-Z]{16,18}$/;
