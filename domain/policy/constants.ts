/**
 * The policy's plain constants, apart from its zod schema (schema.ts re-exports them). Workflow
 * code imports these from here: the SDK instantiates every module a workflow imports once per
 * cached workflow, and the schema would bring zod into each one (about 1.7 MiB per ticket).
 */

/** The SLA metrics a policy can set targets for. */
export const METRICS = ['triage', 'firstResponse', 'nextResponse', 'periodicUpdate', 'resolution'] as const;
export type Metric = (typeof METRICS)[number];

/** The SLA metrics whose durations reports measure (periodic updates are a cadence, not a wait). */
export const TIMED_METRICS = ['triage', 'firstResponse', 'nextResponse', 'resolution'] as const;
export type TimedMetric = (typeof TIMED_METRICS)[number];

/** What the incident's paging names instead of a paging plan: tell, do not page. */
export const NOTIFY_ONLY = 'notify';
