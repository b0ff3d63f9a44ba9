/**
 * The part of a policy that can apply to one ticket. A ticket carries its policy with it (the
 * first event of its history, and every continue-as-new), and a ticket woken outside the worker's
 * cache reads that history back from the server: rules that can never match the ticket are bytes
 * read for nothing at every such wake. A policy with per-channel or per-tag targets is mostly such
 * rules for any one ticket.
 *
 * A rule is left out only when its condition fails on a fact that never changes after the ticket
 * opened: its channel, plan and account, the words of its subject and description, and its tags
 * (the intake's and those a triage rule can add; nothing adds tags later). Priority, category and
 * arrival are left to the ticket: priority changes, triage sets the category, and arrival is read
 * from the workflow's clock. Triage rules stay whole (the ticket runs them as it opens). The rules
 * kept keep their order, and an unnamed target rule after one left out is given the name it had
 * in the whole list (`rule 7`), so the timeline reads the same. Pure; for every ticket, `decide`
 * under the result gives what it gives under the whole policy (tested by property), so a ticket
 * opened before this existed replays to the same commands.
 */
import { conditionText, matchesFixed, type FixedFacts } from './match.js';
import type { Policy } from './schema.js';

export type { FixedFacts } from './match.js';

/** What a ticket opened from this intake can have: its tags, and every tag a triage rule adds. */
export function fixedFactsOfIntake(
  policy: Pick<Policy, 'triage'>,
  intake: { channel: string; plan?: string | undefined; account?: string | undefined; subject: string; description: string; tags: readonly string[] },
): FixedFacts {
  const added = policy.triage.rules.flatMap((rule) => rule.set.tags ?? []);
  return {
    channel: intake.channel,
    plan: intake.plan,
    account: intake.account,
    text: conditionText(intake),
    tags: [...new Set([...intake.tags, ...added])],
  };
}

/** The policy without the rules that cannot match a ticket of these facts, and without its prose. */
export function policyForTicket(policy: Policy, facts: FixedFacts): Policy {
  const { description: _description, source: _source, ...rest } = policy;
  return {
    ...rest,
    sla: {
      ...policy.sla,
      targets: policy.sla.targets.reduce<Policy['sla']['targets']>((kept, rule, index) => {
        if (!matchesFixed(rule.when, facts)) return kept;
        // Named by its place in the whole list when a rule before it is left out.
        return [...kept, rule.name === undefined && kept.length !== index ? { ...rule, name: `rule ${index + 1}` } : rule];
      }, []),
    },
    escalation: {
      ...policy.escalation,
      rules: policy.escalation.rules.filter((rule) => matchesFixed(rule.when, facts)),
      paging: policy.escalation.paging.filter((plan) => matchesFixed(plan.when, facts)),
    },
  };
}
