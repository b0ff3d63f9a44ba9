/**
 * What the tickets were about: the top categories and tags, and the knowledge-base articles the
 * weekly report asks for ("KB updates needed"): kinds of question that came back at least
 * `metrics.knowledgeBaseAfter` times (Caro: "Issue reported 3+ times") without an article that
 * solved them. A ticket is such a question unless the requester said a suggested article solved
 * it (deflected): self-service found no article, offered some that did not help, or was not
 * offered at all. Duplicates are left out (their original counts).
 *
 * A question's kind is its category when it has one, else its normalised subject: the distinct
 * words of three letters or more, lower-cased, without common English words or numbers, in
 * alphabetical order ("Reset my password?" and "password reset" are one kind).
 */
import type { SelfServiceOutcome, TicketMetrics } from './ticket-metrics.js';

export interface IssueCount {
  key: string;
  tickets: number;
  open: number;
}

export interface KnowledgeBaseGap {
  by: 'category' | 'subject';
  key: string;
  tickets: number;
  /** By how self-service went for them. */
  noneMatched: number;
  offered: number;
  notOffered: number;
  /** Up to five of the tickets, oldest first. */
  examples: { ticketId: string; subject: string }[];
}

const STOP_WORDS = new Set(
  ('the and for with not but are was were has have had can cannot cant does doesnt dont did how what when why where who which '
    + 'this that these those there their from into onto about after before again please help need needs issue problem question '
    + 'you your our its any all some get got getting use using able unable will would should could just also still').split(' '),
);

export function subjectWords(subject: string): string {
  const words = subject
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 3 && !STOP_WORDS.has(w) && !/^\p{N}+$/u.test(w));
  return [...new Set(words)].sort().join(' ');
}

function counted(entries: Map<string, IssueCount>, key: string, record: TicketMetrics): void {
  const entry = entries.get(key) ?? { key, tickets: 0, open: 0 };
  entry.tickets += 1;
  if (record.open) entry.open += 1;
  entries.set(key, entry);
}

const byCountThenKey = (a: { tickets: number; key: string }, b: { tickets: number; key: string }) =>
  b.tickets - a.tickets || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Tickets per category (uncategorised ones under '(none)'), most first. */
export function topCategories(records: readonly TicketMetrics[], limit = 10): IssueCount[] {
  const entries = new Map<string, IssueCount>();
  for (const r of records) counted(entries, r.category ?? '(none)', r);
  return [...entries.values()].sort(byCountThenKey).slice(0, limit);
}

/** Tickets per tag (a ticket counts once for each of its tags), most first. */
export function topTags(records: readonly TicketMetrics[], limit = 10): IssueCount[] {
  const entries = new Map<string, IssueCount>();
  for (const r of records) for (const tag of new Set(r.tags)) counted(entries, tag, r);
  return [...entries.values()].sort(byCountThenKey).slice(0, limit);
}

export function knowledgeBaseNeeded(records: readonly TicketMetrics[], minTickets: number): KnowledgeBaseGap[] {
  const gaps = new Map<string, { gap: KnowledgeBaseGap; records: TicketMetrics[] }>();
  for (const r of records) {
    if (r.deflected || r.duplicateOf !== undefined) continue;
    const by = r.category !== undefined ? 'category' : 'subject';
    const key = r.category ?? (subjectWords(r.subject) || '(no subject words)');
    const id = `${by}:${key}`;
    const entry = gaps.get(id) ?? { gap: { by, key, tickets: 0, noneMatched: 0, offered: 0, notOffered: 0, examples: [] }, records: [] };
    entry.gap.tickets += 1;
    const field: Record<Exclude<SelfServiceOutcome, 'deflected'>, 'noneMatched' | 'offered' | 'notOffered'> = {
      'none-matched': 'noneMatched',
      offered: 'offered',
      'not-offered': 'notOffered',
    };
    entry.gap[field[r.selfService as Exclude<SelfServiceOutcome, 'deflected'>]] += 1;
    entry.records.push(r);
    gaps.set(id, entry);
  }
  return [...gaps.values()]
    .filter(({ gap }) => gap.tickets >= minTickets)
    .map(({ gap, records: rs }) => ({
      ...gap,
      examples: [...rs].sort((a, b) => a.openedAt - b.openedAt).slice(0, 5).map((r) => ({ ticketId: r.ticketId, subject: r.subject })),
    }))
    .sort(byCountThenKey);
}
