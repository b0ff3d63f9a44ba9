/**
 * Vendor escalation (tier 4 of SIGN X, the Caro seed's escalation template): the issue goes to the
 * vendor's support contact, the ticket waits on the vendor with a vendor clock of its own, and the
 * vendor gets a follow-up each time that clock runs out without an answer.
 */
import { formatDuration, parseDuration } from '../duration.js';
import type { Command } from './commands.js';
import { effectKey, record, SYSTEM } from './timeline.js';
import type { Decision, TicketState, VendorState } from './types.js';

const followUpMs = (state: TicketState) => parseDuration(state.policy.escalation.vendor.followUpAfter)!;

export function escalateToVendor(state: TicketState, cmd: Extract<Command, { type: 'escalateToVendor' }>, now: number): Decision {
  const { type: _type, actor, requestId: _request, vendor, ...fields } = cmd;
  const vars: Record<string, string> = {
    priority: state.priority,
    issueType: state.category ?? 'issue',
    issue: fields.issue,
    impact: fields.impact,
    reproduction: fields.reproduction,
    expected: fields.expected ?? '(not given)',
    actual: fields.actual ?? '(not given)',
    platform: fields.platform ?? '(not given)',
    attemptedSolutions: fields.attempted ?? '(nothing yet)',
    need: fields.need ?? 'a fix or a workaround',
    timeline: fields.timeline ?? `${state.priority}: as soon as possible`,
  };
  const entry: VendorState = { id: vendor, since: now, fields: vars, followUpAt: now + followUpMs(state), followUps: 0 };
  state = record({ ...state, vendor: entry }, now, actor, 'vendor-escalated', `escalated to ${vendor}: ${fields.issue}`, { vendor });
  return { state, effects: [{ type: 'notifyVendor', key: effectKey(state, 'vendor-escalation'), vendor, template: 'vendor-escalation', vars }] };
}

export function recordVendorReply(state: TicketState, cmd: Extract<Command, { type: 'recordVendorReply' }>, now: number): Decision {
  const vendor = state.vendor!;
  const next: VendorState = { ...vendor, ...(cmd.reference ? { reference: cmd.reference } : {}), followUpAt: now + followUpMs(state) };
  const what = [cmd.reference ? `reference ${cmd.reference}` : '', cmd.note ?? ''].filter(Boolean).join(': ');
  return { state: record({ ...state, vendor: next }, now, cmd.actor, 'vendor-reply', `${vendor.id} answered (${what})`, { vendor: vendor.id, ...(cmd.reference ? { reference: cmd.reference } : {}) }), effects: [] };
}

/** The vendor clock ran out: follow up with the vendor and start it again. */
export function vendorFollowUps(state: TicketState, now: number): Decision {
  const vendor = state.vendor;
  if (!vendor || vendor.endedAt !== undefined || vendor.followUpAt === undefined || vendor.followUpAt > now) return { state, effects: [] };
  const next: VendorState = { ...vendor, followUps: vendor.followUps + 1, followUpAt: vendor.followUpAt + followUpMs(state) };
  state = record({ ...state, vendor: next }, now, SYSTEM, 'vendor-follow-up', `no answer from ${vendor.id} in ${formatDuration(followUpMs(state))}: followed up (${next.followUps})`, { vendor: vendor.id });
  const vars = { ...vendor.fields, escalatedAt: new Date(vendor.since).toUTCString() };
  return { state, effects: [{ type: 'notifyVendor', key: effectKey(state, 'vendor-follow-up'), vendor: vendor.id, template: 'vendor-follow-up', vars }] };
}

export function nextVendorWake(state: TicketState): number | undefined {
  const vendor = state.vendor;
  return vendor && vendor.endedAt === undefined ? vendor.followUpAt : undefined;
}

/** Resolving or closing the ticket stops the vendor clock. */
export function endVendor(state: TicketState, now: number): TicketState {
  if (!state.vendor || state.vendor.endedAt !== undefined) return state;
  const { followUpAt: _stopped, ...rest } = state.vendor;
  return { ...state, vendor: { ...rest, endedAt: now } };
}
