/**
 * The "this solved it" link of a self-service email: the ticket id signed with a server secret, so
 * only the requester who got the email can mark the ticket as solved, without an account.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function solvedSignature(secret: string, ticketId: string): string {
  return createHmac('sha256', secret).update(`solved\u0000${ticketId}`).digest('base64url');
}

export function solvedLink(publicUrl: string, secret: string, ticketId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1/tickets/${ticketId}/solved?sig=${solvedSignature(secret, ticketId)}`;
}

export function verifySolvedSignature(secret: string, ticketId: string, given: string): boolean {
  const expected = Buffer.from(solvedSignature(secret, ticketId));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
