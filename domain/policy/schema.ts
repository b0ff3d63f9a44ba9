/**
 * The support policy: what a seed document says, as data. A policy file (YAML) is parsed and
 * checked against this schema; a ticket keeps the snapshot it started with.
 */
import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { calendarProblems } from '../sla/calendar.js';
import { isValidTimeZone } from '../sla/zoned-time.js';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected an id of letters, digits, - _ .');

export const DurationText = z
  .string()
  .refine((t) => parseDuration(t) !== undefined, { message: 'expected a duration such as 90s, 15m, 4h, 1d, 1w or 1h30m' })
  .describe('A duration: 90s, 15m, 4h, 1d, 1w, or combined like 1h30m');

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected a time HH:MM (00:00 to 24:00)');

export const WorkingIntervalSchema = z.object({ start: HHMM, end: HHMM }).strict();

export const BusinessCalendarSchema = z
  .object({
    timeZone: z.string().describe('IANA time zone, e.g. America/New_York'),
    week: z
      .object({
        mon: z.array(WorkingIntervalSchema).optional(),
        tue: z.array(WorkingIntervalSchema).optional(),
        wed: z.array(WorkingIntervalSchema).optional(),
        thu: z.array(WorkingIntervalSchema).optional(),
        fri: z.array(WorkingIntervalSchema).optional(),
        sat: z.array(WorkingIntervalSchema).optional(),
        sun: z.array(WorkingIntervalSchema).optional(),
      })
      .strict()
      .describe('Working intervals per weekday; several per day model lunch breaks; a missing day is closed'),
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')).default([]),
  })
  .strict()
  .superRefine((cal, ctx) => {
    for (const problem of calendarProblems(cal)) ctx.addIssue({ code: 'custom', message: problem });
  });

import { METRICS, NOTIFY_ONLY, TIMED_METRICS, type Metric, type TimedMetric } from './constants.js';
export { METRICS, NOTIFY_ONLY, TIMED_METRICS, type Metric, type TimedMetric } from './constants.js';

/** When a ticket arrived, seen through the policy's support calendar (SIGN X: after-hours, weekend). */
export const ARRIVALS = ['business-hours', 'after-hours', 'weekend'] as const;

export const ConditionSchema = z
  .object({
    priority: z.array(id).optional(),
    channel: z.array(id).optional(),
    plan: z.array(z.string()).optional(),
    account: z.array(z.string()).optional().describe("the customer account given at intake (see `accounts`)"),
    category: z.array(z.string()).optional(),
    tags: z.array(z.string()).optional().describe('matches when the ticket has any of these tags'),
    keywords: z.array(z.string()).optional().describe('matches when subject or description contains any (case-insensitive)'),
    received: z.array(z.enum(ARRIVALS)).optional().describe("when the ticket arrived, by the policy's support calendar"),
  })
  .strict()
  .describe('All given fields must match; an empty condition matches every ticket');
export type Condition = z.infer<typeof ConditionSchema>;

export const TargetSchema = z.union([
  z
    .object({
      within: DurationText,
      calendar: z.string().optional().describe("a calendar name of this policy, or '24x7'; default: the policy's defaultCalendar"),
    })
    .strict(),
  z.object({ trackedBy: z.literal('release') }).strict().describe('no deadline: tracked by the next release (Caro P3 resolution)'),
]);
export type Target = z.infer<typeof TargetSchema>;

export const TargetRuleSchema = z
  .object({
    name: z.string().optional(),
    when: ConditionSchema.default({}),
    triage: TargetSchema.optional(),
    firstResponse: TargetSchema.optional(),
    nextResponse: TargetSchema.optional(),
    periodicUpdate: TargetSchema.optional(),
    resolution: TargetSchema.optional(),
  })
  .strict();
export type TargetRule = z.infer<typeof TargetRuleSchema>;

/** What moves a ticket up a tier on its own (a person can always escalate by hand). */
export const EscalationRuleSchema = z
  .object({
    name: z.string().optional(),
    when: ConditionSchema.default({}),
    on: z
      .enum(['sla-warning', 'sla-breach', 'not-acknowledged', 'time-in-tier'])
      .describe('sla-warning / sla-breach of `metric`; not-acknowledged: nobody acknowledged the ticket `after` it entered its tier; time-in-tier: the tier\'s own clock, `after` in the tier unresolved'),
    metric: z.enum(METRICS).optional().describe('for sla-warning and sla-breach: the clock (default: any)'),
    after: DurationText.optional().describe('for not-acknowledged: how long the ticket may wait in its tier'),
    from: z.array(id).optional().describe('only from these tiers (default: any)'),
    to: z.union([id, z.literal('next')]).default('next'),
  })
  .strict()
  .refine((r) => (r.on !== 'not-acknowledged' && r.on !== 'time-in-tier') || r.after !== undefined, { message: "this rule needs 'after'", path: ['after'] });
export type EscalationRule = z.infer<typeof EscalationRuleSchema>;

/** Who is paged, in what order, and how long each level has to acknowledge. */
export const PagingPlanSchema = z
  .object({
    name: z.string().min(1),
    when: ConditionSchema.default({}).describe('tickets this plan pages for (first matching plan wins)'),
    tiers: z.array(id).optional().describe('page while the ticket is in one of these tiers (default: any tier)'),
    schedule: z.string().min(1).describe('the on-call schedule (from configuration) whose layers are paged'),
    levels: z
      .array(z.object({ layer: z.string().min(1), timeout: DurationText.describe('time to acknowledge before the next level is paged') }).strict())
      .min(1),
    repeat: z.number().int().min(0).max(10).default(0).describe('run the levels again this many times when nobody acknowledges'),
    reackAfter: DurationText.optional().describe('an acknowledged ticket not resolved this long after the acknowledgement is paged again'),
  })
  .strict();
export type PagingPlan = z.infer<typeof PagingPlanSchema>;

/** Where an incident's status updates go: the Slack incident channel, email to the requesters of
 * linked tickets, a Discord announcement, the public status page, social media (Twitter/X) and a
 * GitHub announcement (Caro's "Notify all users (Discord, Twitter, GitHub)"). */
export const BROADCAST_CHANNELS = ['slack', 'email', 'discord', 'status-page', 'social', 'github'] as const;
export type BroadcastChannel = (typeof BROADCAST_CHANNELS)[number];


const positiveDuration = DurationText.refine((t) => (parseDuration(t) ?? 0) > 0, { message: 'expected a duration longer than 0s' });

export const IncidentSeveritySchema = z
  .object({
    id,
    name: z.string().min(1),
    description: z.string().optional(),
    updateEvery: positiveDuration.describe('the status-update cadence: the next update is due this long after the last one (an update may promise sooner, never later)'),
    remindBefore: DurationText.describe('remind the incident commander this long before the next update is due'),
    overdueAfter: DurationText.default('0s').describe('a missed update is overdue this long after it was due (0s: at the due instant)'),
    onOverdue: z
      .string()
      .min(1)
      .default(NOTIFY_ONLY)
      .describe("when an update is overdue: 'notify' tells the incident channel and the commander; the name of a paging plan of escalation.paging also pages through it, like an SLA breach"),
    pageAtOnce: z
      .string()
      .min(1)
      .optional()
      .describe('page through this paging plan of escalation.paging as soon as an incident is declared at (or raised to) this severity'),
  })
  .strict()
  .refine((s) => parseDuration(s.remindBefore)! < parseDuration(s.updateEvery)!, { message: 'remindBefore must be shorter than updateEvery', path: ['remindBefore'] });
export type IncidentSeverity = z.output<typeof IncidentSeveritySchema>;

/** How tickets propose an incident: `count` openings sharing a category, component or tag within `within`. */
export const ProposalRuleSchema = z
  .object({
    name: z.string().min(1).optional(),
    by: z
      .enum(['category', 'component', 'tag'])
      .describe("what the tickets share: their category, a component (a tag 'component:<name>'), or any one tag"),
    count: z.number().int().min(2).max(1000).describe('this many tickets ...'),
    within: positiveDuration.describe('... opened within this long of each other propose an incident'),
    when: ConditionSchema.optional().describe('only tickets matching this condition count'),
  })
  .strict()
  .describe('a proposal notifies the on-call and waits for a person to declare the incident; it never declares one itself');
export type ProposalRule = z.output<typeof ProposalRuleSchema>;

export const DEFAULT_INCIDENT_SEVERITIES: IncidentSeverity[] = [
  { id: 'critical', name: 'Critical', description: 'The service is down for everyone', updateEvery: '30m', remindBefore: '10m', overdueAfter: '5m', onOverdue: NOTIFY_ONLY },
  { id: 'major', name: 'Major', description: 'A partial outage or a degraded service', updateEvery: '1h', remindBefore: '15m', overdueAfter: '15m', onOverdue: NOTIFY_ONLY },
  { id: 'minor', name: 'Minor', description: 'A small part of the service misbehaves', updateEvery: '4h', remindBefore: '30m', overdueAfter: '30m', onOverdue: NOTIFY_ONLY },
];

export const IncidentsSchema = z
  .object({
    severities: z
      .array(IncidentSeveritySchema)
      .min(1)
      .default(DEFAULT_INCIDENT_SEVERITIES)
      .describe('ordered from the most to the least severe; an incident is declared at one of them'),
    service: z.string().min(1).optional().describe("the service named in status updates ('[Identified] TRKV Service Update'); default: the policy's name"),
    linkedTicketClocks: z
      .enum(['keep', 'pause'])
      .default('keep')
      .describe("the customer-facing SLA clocks (first response, next response, periodic update, resolution) of linked tickets keep running, or pause while the incident is open; triage always runs"),
    onResolve: z
      .enum(['resolve-linked', 'notify-linked'])
      .default('notify-linked')
      .describe('resolving the incident resolves its linked tickets (each with its own follow-up and survey), or only tells them'),
    broadcast: z.array(z.enum(BROADCAST_CHANNELS)).default(['slack', 'status-page']).describe('where each status update goes, once per channel; status-page: the public page and its feed list the incident'),
    statusPage: z
      .object({
        title: z.string().min(1).optional().describe("the public page's title; default: '<policy name> status'"),
        basePath: z
          .string()
          .regex(/^\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'expected a path such as /status')
          .default('/status')
          .describe('where the API serves the page without a token: <basePath> (HTML), <basePath>/index.json, <basePath>/feed.atom, <basePath>/incidents/<id>'),
      })
      .strict()
      .default({ basePath: '/status' }),
    proposals: z.array(ProposalRuleSchema).default([]),
  })
  .strict()
  .describe('incidents: one per outage, with severities, an update cadence, broadcasts, a status page and proposals from bursts of tickets');
export type IncidentPolicy = z.output<typeof IncidentsSchema>;


/** How a duration is summed up over tickets: mean, median, 90th percentile (nearest rank). */
export const TIME_STATISTICS = ['avg', 'p50', 'p90'] as const;

/** Rates in [0, 1]; a target states them in percent (`unit: '%'`). */
export const RATE_METRICS = ['resolutionRate', 'deflectionRate', 'escalationRate', 'reopenRate', 'issuesToImprovements', 'csat.satisfiedRate'] as const;
/** Survey averages: satisfaction (CSAT) 1-5, customer effort (CES) 1-7. */
export const SCORE_METRICS = ['csat.avg', 'ces.avg'] as const;

export type TargetMetric =
  | `${TimedMetric}.${(typeof TIME_STATISTICS)[number]}`
  | `${Metric}.withinSla`
  | (typeof RATE_METRICS)[number]
  | (typeof SCORE_METRICS)[number];

/** Every figure a report target can name: `firstResponse.avg`, `resolution.withinSla`, `escalationRate`, `csat.avg` ... */
export const TARGET_METRICS: readonly TargetMetric[] = [
  ...TIMED_METRICS.flatMap((m) => TIME_STATISTICS.map((s) => `${m}.${s}` as const)),
  ...METRICS.map((m) => `${m}.withinSla` as const),
  ...RATE_METRICS,
  ...SCORE_METRICS,
];

/** What kind of number a target metric is: a duration, a rate (percent), or a survey score. */
export function targetMetricKind(metric: TargetMetric): 'time' | 'rate' | 'score' {
  if ((SCORE_METRICS as readonly string[]).includes(metric)) return 'score';
  if (metric.endsWith('.withinSla') || (RATE_METRICS as readonly string[]).includes(metric)) return 'rate';
  return 'time';
}

export const TIME_UNITS = ['s', 'm', 'h', 'd'] as const;

export const MetricTargetSchema = z
  .object({
    label: z.string().min(1).describe('what the report calls it, in the seed\'s words: "P1 first response < 4 hours"'),
    metric: z.enum(TARGET_METRICS as [TargetMetric, ...TargetMetric[]]),
    op: z.enum(['<', '<=', '>', '>=']).optional().describe('with `value`: the target; without both, the metric is tracked and reported with no pass or fail'),
    value: z.number().min(0).optional(),
    unit: z.enum([...TIME_UNITS, '%']).optional().describe("durations: s, m, h or d; rates: '%' (value 0-100); scores (CSAT 1-5, CES 1-7): none"),
    time: z
      .enum(['business', 'calendar'])
      .optional()
      .describe("durations only: 'business' (default) counts the working time of the calendar each ticket's clock for the metric uses; 'calendar' counts wall-clock time"),
    when: z
      .object({
        priority: z.array(id).optional(),
        channel: z.array(id).optional(),
        category: z.array(z.string()).optional(),
        tier: z.array(id).optional().describe("the ticket's tier when the report is made"),
      })
      .strict()
      .optional()
      .describe('only the tickets matching every given field count (e.g. P1 only)'),
  })
  .strict()
  .superRefine((target, ctx) => {
    if ((target.op === undefined) !== (target.value === undefined)) {
      ctx.addIssue({ code: 'custom', path: [target.op === undefined ? 'op' : 'value'], message: "give both 'op' and 'value' for a target, or neither to only track the metric" });
    }
    const kind = targetMetricKind(target.metric);
    if (kind === 'time' && (target.unit === undefined || target.unit === '%')) {
      ctx.addIssue({ code: 'custom', path: ['unit'], message: `${target.metric} is a duration: give a unit of s, m, h or d` });
    }
    if (kind === 'rate' && target.unit !== '%') {
      ctx.addIssue({ code: 'custom', path: ['unit'], message: `${target.metric} is a rate: give unit '%' and a value from 0 to 100` });
    }
    if (kind === 'rate' && target.value !== undefined && target.value > 100) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${target.value} is not a percentage from 0 to 100` });
    }
    if (kind === 'score' && target.unit !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['unit'], message: `${target.metric} is a survey score: give no unit` });
    }
    const top = target.metric === 'ces.avg' ? 7 : 5;
    if (kind === 'score' && target.value !== undefined && target.value > top) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${target.value} is above the survey's scale of 1 to ${top}` });
    }
    if (kind !== 'time' && target.time !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['time'], message: `'time' applies to durations only, not to ${target.metric}` });
    }
  });
export type MetricTarget = z.output<typeof MetricTargetSchema>;

/** Issue #9: what the reports measure the organisation against, and how they read its tiers and periods. */
export const MetricsSchema = z
  .object({
    targets: z.array(MetricTargetSchema).default([]).describe("the seed's support metrics; every report shows target, actual and pass/fail"),
    escalationTier: id
      .optional()
      .describe("a ticket that reaches this tier (or a later one) counts as escalated (SIGN X: '% escalated to Tier 3'); without it, a ticket counts as escalated when it was paged or handed to a vendor"),
    knowledgeBaseAfter: z
      .number()
      .int()
      .min(1)
      .default(2)
      .describe('the weekly report asks for a knowledge-base article when this many tickets of one kind found no article that solved them'),
    timeZone: z
      .string()
      .refine(isValidTimeZone, { message: 'expected an IANA time zone such as America/New_York or UTC' })
      .optional()
      .describe("where report days, weeks (Monday to Sunday) and months begin; default: the time zone of the policy's default calendar, or UTC"),
  })
  .strict()
  .describe('report targets and how reports read the policy (issue #9)');
export type MetricsPolicy = z.output<typeof MetricsSchema>;

export const PolicySchema = z
  .object({
    id,
    name: z.string().min(1),
    version: z.number().int().min(1),
    description: z.string().optional(),
    source: z.string().optional().describe('the seed document this policy expresses'),
    calendars: z.record(id, BusinessCalendarSchema).default({}),
    defaultCalendar: z.string().default('24x7').describe("the calendar targets use when they name none; '24x7' counts every hour"),
    priorities: z
      .array(z.object({ id, name: z.string(), urgency: z.number().int().min(0), description: z.string().optional() }).strict())
      .min(1),
    defaultPriority: id,
    channels: z
      .array(
        z
          .object({
            id,
            name: z.string(),
            kind: z.enum(['email', 'web', 'api', 'slack', 'github', 'discord', 'forum', 'chat', 'phone', 'social', 'office-hours']),
            public: z.boolean().default(false).describe('conversations are visible to other users (GitHub, Discord, forum)'),
          })
          .strict(),
      )
      .min(1),
    tiers: z
      .array(
        z
          .object({
            id,
            name: z.string(),
            description: z.string().optional(),
            queue: z.string().optional().describe('the team channel key tickets in this tier are posted to (Slack channel from configuration)'),
            selfService: z
              .object({
                timeout: DurationText.describe('how long the requester has to try the suggested articles before the next tier takes the ticket'),
                articles: z.number().int().min(1).max(10).default(3),
              })
              .strict()
              .optional()
              .describe('tier 1: the auto-reply suggests knowledge-base articles; "this solved it" resolves the ticket as deflected'),
          })
          .strict(),
      )
      .min(1)
      .describe('ordered from the first tier a ticket enters to the last it can reach'),
    triage: z
      .object({
        manual: z.boolean().default(false).describe('a ticket without a priority waits in "new" for a human to triage it'),
        rules: z
          .array(
            z
              .object({
                when: ConditionSchema,
                set: z
                  .object({
                    priority: id.optional(),
                    category: z.string().optional(),
                    tier: id.optional(),
                    tags: z.array(z.string()).optional(),
                    assignee: z.string().min(1).optional().describe("a person, or 'account-engineer': the engineer `accounts` names for the ticket's account"),
                  })
                  .strict(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ manual: false, rules: [] }),
    sla: z
      .object({
        warnings: z.array(z.number().gt(0).lt(1)).default([0.5, 0.75, 0.9]).describe('fractions of a target at which a warning fires'),
        repeatAfterBreach: DurationText.optional().describe('repeat the breach notice this often while breached'),
        targets: z.array(TargetRuleSchema).min(1).describe('ordered rules: for each metric the first matching rule that sets it wins'),
      })
      .strict(),
    firstResponse: z
      .object({
        satisfiedBy: z
          .enum(['public-reply', 'acknowledgement'])
          .default('public-reply')
          .describe('what stops the first-response clock: a public human reply, or the acknowledgement of the issue'),
      })
      .strict()
      .default({ satisfiedBy: 'public-reply' }),
    pauses: z
      .object({
        customer: z.array(z.enum(METRICS)).default(['resolution', 'nextResponse', 'periodicUpdate']),
        vendor: z.array(z.enum(METRICS)).default([]),
      })
      .strict()
      .default({ customer: ['resolution', 'nextResponse', 'periodicUpdate'], vendor: [] })
      .describe('which clocks each pending reason stops'),
    followUp: z
      .object({
        after: DurationText.optional().describe('send the follow-up (and satisfaction request) this long after resolution'),
        survey: z.boolean().default(true),
        reopenWindow: DurationText.default('7d').describe('a customer reply within this window reopens a resolved ticket'),
        closeAfter: DurationText.default('7d').describe('a resolved ticket closes this long after resolution'),
      })
      .strict()
      .default({ survey: true, reopenWindow: '7d', closeAfter: '7d' }),
    accounts: z
      .record(z.string(), z.object({ name: z.string().optional(), engineer: z.string().min(1) }).strict())
      .default({})
      .describe('customer accounts with a dedicated engineer (FM-08 enterprise Slack), by the account id given at intake'),
    escalation: z
      .object({
        rules: z.array(EscalationRuleSchema).default([]),
        paging: z.array(PagingPlanSchema).default([]),
        vendor: z
          .object({
            tier: id.optional().describe('the tier a vendor escalation moves the ticket to (SIGN X: tier4)'),
            followUpAfter: DurationText.default('1d').describe("the vendor clock: follow up with the vendor when it has not answered this long"),
          })
          .strict()
          .default({ followUpAfter: '1d' }),
      })
      .strict()
      .default({ rules: [], paging: [], vendor: { followUpAfter: '1d' } }),
    incidents: IncidentsSchema.default({
      severities: DEFAULT_INCIDENT_SEVERITIES,
      linkedTicketClocks: 'keep',
      onResolve: 'notify-linked',
      broadcast: ['slack', 'status-page'],
      statusPage: { basePath: '/status' },
      proposals: [],
    }),
    metrics: MetricsSchema.optional(),
  })
  .strict()
  .superRefine((policy, ctx) => {
    const priorityIds = new Set(policy.priorities.map((p) => p.id));
    const channelIds = new Set(policy.channels.map((c) => c.id));
    const tierIds = new Set(policy.tiers.map((t) => t.id));
    const calendars = new Set(['24x7', ...Object.keys(policy.calendars)]);
    const unknown = (path: (string | number)[], kind: string, value: string, known: Set<string>) =>
      ctx.addIssue({ code: 'custom', path, message: `unknown ${kind} '${value}'; expected one of ${[...known].join(', ')}` });
    if (!priorityIds.has(policy.defaultPriority)) unknown(['defaultPriority'], 'priority', policy.defaultPriority, priorityIds);
    if (!calendars.has(policy.defaultCalendar)) unknown(['defaultCalendar'], 'calendar', policy.defaultCalendar, calendars);
    const checkCondition = (when: Condition, path: (string | number)[]) => {
      when.priority?.forEach((p, i) => priorityIds.has(p) || unknown([...path, 'priority', i], 'priority', p, priorityIds));
      when.channel?.forEach((c, i) => channelIds.has(c) || unknown([...path, 'channel', i], 'channel', c, channelIds));
    };
    policy.sla.targets.forEach((rule, i) => {
      checkCondition(rule.when, ['sla', 'targets', i, 'when']);
      for (const metric of METRICS) {
        const target = rule[metric];
        if (target && 'within' in target && target.calendar && !calendars.has(target.calendar)) {
          unknown(['sla', 'targets', i, metric, 'calendar'], 'calendar', target.calendar, calendars);
        }
      }
    });
    policy.triage.rules.forEach((rule, i) => {
      checkCondition(rule.when, ['triage', 'rules', i, 'when']);
      if (rule.set.priority && !priorityIds.has(rule.set.priority)) unknown(['triage', 'rules', i, 'set', 'priority'], 'priority', rule.set.priority, priorityIds);
      if (rule.set.tier && !tierIds.has(rule.set.tier)) unknown(['triage', 'rules', i, 'set', 'tier'], 'tier', rule.set.tier, tierIds);
    });
    policy.escalation.rules.forEach((rule, i) => {
      checkCondition(rule.when, ['escalation', 'rules', i, 'when']);
      if (rule.to !== 'next' && !tierIds.has(rule.to)) unknown(['escalation', 'rules', i, 'to'], 'tier', rule.to, tierIds);
      rule.from?.forEach((t, j) => tierIds.has(t) || unknown(['escalation', 'rules', i, 'from', j], 'tier', t, tierIds));
    });
    const vendorTier = policy.escalation.vendor.tier;
    if (vendorTier && !tierIds.has(vendorTier)) unknown(['escalation', 'vendor', 'tier'], 'tier', vendorTier, tierIds);
    policy.escalation.paging.forEach((plan, i) => {
      checkCondition(plan.when, ['escalation', 'paging', i, 'when']);
      plan.tiers?.forEach((t, j) => tierIds.has(t) || unknown(['escalation', 'paging', i, 'tiers', j], 'tier', t, tierIds));
    });
    const planNames = new Set(policy.escalation.paging.map((plan) => plan.name));
    const severityIds = new Set<string>();
    policy.incidents.severities.forEach((severity, i) => {
      if (severityIds.has(severity.id)) ctx.addIssue({ code: 'custom', path: ['incidents', 'severities', i, 'id'], message: `severity '${severity.id}' is listed twice` });
      severityIds.add(severity.id);
      const expected = planNames.size ? `one of ${[...planNames].join(', ')}` : 'a paging plan, and escalation.paging has none';
      if (severity.onOverdue !== NOTIFY_ONLY && !planNames.has(severity.onOverdue)) {
        ctx.addIssue({ code: 'custom', path: ['incidents', 'severities', i, 'onOverdue'], message: `unknown paging plan '${severity.onOverdue}'; expected '${NOTIFY_ONLY}' or ${expected}` });
      }
      if (severity.pageAtOnce !== undefined && !planNames.has(severity.pageAtOnce)) {
        ctx.addIssue({ code: 'custom', path: ['incidents', 'severities', i, 'pageAtOnce'], message: `unknown paging plan '${severity.pageAtOnce}'; expected ${expected}` });
      }
    });
    policy.incidents.proposals.forEach((rule, i) => rule.when && checkCondition(rule.when, ['incidents', 'proposals', i, 'when']));
    const metrics = policy.metrics;
    if (metrics?.escalationTier && !tierIds.has(metrics.escalationTier)) unknown(['metrics', 'escalationTier'], 'tier', metrics.escalationTier, tierIds);
    metrics?.targets.forEach((target, i) => {
      const path = ['metrics', 'targets', i, 'when'];
      target.when?.priority?.forEach((p, j) => priorityIds.has(p) || unknown([...path, 'priority', j], 'priority', p, priorityIds));
      target.when?.channel?.forEach((c, j) => channelIds.has(c) || unknown([...path, 'channel', j], 'channel', c, channelIds));
      target.when?.tier?.forEach((t, j) => tierIds.has(t) || unknown([...path, 'tier', j], 'tier', t, tierIds));
    });
    const urgencies = policy.priorities.map((p) => p.urgency);
    if (new Set(urgencies).size !== urgencies.length) ctx.addIssue({ code: 'custom', path: ['priorities'], message: 'each priority needs its own urgency' });
    if (priorityIds.size !== policy.priorities.length) ctx.addIssue({ code: 'custom', path: ['priorities'], message: 'priority ids must be unique' });
    if (!policy.sla.targets.some((rule) => rule.firstResponse && Object.keys(rule.when).length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['sla', 'targets'], message: "no catch-all rule: end the list with a rule whose 'when' is empty and that sets firstResponse, so every ticket gets one" });
    }
  });

export type Policy = z.output<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;
