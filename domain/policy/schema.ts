/**
 * The support policy: what a seed document says, as data. A policy file (YAML) is parsed and
 * checked against this schema; a ticket keeps the snapshot it started with.
 */
import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { calendarProblems } from '../sla/calendar.js';

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

/** The SLA metrics a policy can set targets for. */
export const METRICS = ['triage', 'firstResponse', 'nextResponse', 'periodicUpdate', 'resolution'] as const;
export type Metric = (typeof METRICS)[number];

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
    const urgencies = policy.priorities.map((p) => p.urgency);
    if (new Set(urgencies).size !== urgencies.length) ctx.addIssue({ code: 'custom', path: ['priorities'], message: 'each priority needs its own urgency' });
    if (priorityIds.size !== policy.priorities.length) ctx.addIssue({ code: 'custom', path: ['priorities'], message: 'priority ids must be unique' });
    if (!policy.sla.targets.some((rule) => rule.firstResponse && Object.keys(rule.when).length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['sla', 'targets'], message: "no catch-all rule: end the list with a rule whose 'when' is empty and that sets firstResponse, so every ticket gets one" });
    }
  });

export type Policy = z.output<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;
