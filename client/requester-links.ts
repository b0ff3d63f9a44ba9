/**
 * The requester's signed links, answered without an account: "this solved it" in a self-service
 * email, and the satisfaction survey in the follow-up. Each is the ticket id signed with a server
 * secret and the link's purpose, so only the requester who got the email can use it, and a
 * "solved" signature opens no survey (and the other way round).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type RequesterLink = 'solved' | 'survey';

export function requesterLinkSignature(secret: string, purpose: RequesterLink, ticketId: string): string {
  return createHmac('sha256', secret).update(`${purpose}\u0000${ticketId}`).digest('base64url');
}

/** `<public url>/v1/tickets/<id>/<purpose>?sig=...` */
export function requesterLink(publicUrl: string, secret: string, purpose: RequesterLink, ticketId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1/tickets/${ticketId}/${purpose}?sig=${requesterLinkSignature(secret, purpose, ticketId)}`;
}

export function verifyRequesterLink(secret: string, purpose: RequesterLink, ticketId: string, given: string): boolean {
  const expected = Buffer.from(requesterLinkSignature(secret, purpose, ticketId));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
