/**
 * Which of the policy's channels an adapter opens tickets on: the first channel of its kind
 * (email, slack, github, discord), so a preset's own channel ids need no extra configuration.
 */
import type { Policy } from '../../domain/policy/schema.js';

export type AdapterKind = 'email' | 'slack' | 'github' | 'discord';

export function channelFor(policy: Policy, kind: AdapterKind): string | undefined {
  return policy.channels.find((c) => c.kind === kind)?.id;
}
