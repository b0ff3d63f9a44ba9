/**
 * Who is on call: `GET /v1/oncall?at=<instant>&schedule=<id>` answers, for each schedule and layer
 * of the on-call file (ONCALL_FILE), who carries the pager at that instant (default: now), since
 * when, until when and who takes over then. The rotation logic is domain/escalation/oncall.ts's;
 * this route only asks it. Registered inside the API's bearer-token scope (server.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { nextHandoff, whoIsOnCall, type NobodyReason } from '../../domain/escalation/oncall.js';
import type { OnCallConfig, OnCallSchedule, Person } from '../../domain/escalation/oncall-schema.js';
import { parseInstant } from '../../domain/escalation/oncall-values.js';

export interface OnCallRouteOptions {
  /** The on-call schedules; undefined when the server has no on-call file. */
  oncall: OnCallConfig | undefined;
}

/** A person as the answer names them: no pager key names, only how people reach them. */
export interface OnCallPersonAnswer {
  id: string;
  name: string;
  email?: string;
  slack?: string;
}

export interface OnCallLayerAnswer {
  id: string;
  name?: string;
  /** The rotation's time zone (its handoffs are at local times there). */
  timeZone: string;
  /** Who is on call at `at`; null for nobody (see `reason`). */
  person: OnCallPersonAnswer | null;
  /** Why nobody is on call: outside the layer's hours, a layer without people, or before its rotation starts. */
  reason?: NobodyReason;
  /** Whether the person is on call by the rotation or by an override (whose note comes along). */
  via?: 'rotation' | 'override';
  note?: string;
  /** When the person's current shift began. */
  since?: string;
  /** When the person on call (or nobody) changes next; null when nothing changes within a year. */
  until: string | null;
  /** Who is on call from `until`; null for nobody. Absent when `until` is null. */
  next?: OnCallPersonAnswer | null;
}

export interface OnCallScheduleAnswer {
  id: string;
  name: string;
  /** In paging order: primary first. */
  layers: OnCallLayerAnswer[];
}

export interface OnCallAnswer {
  /** The instant asked about. */
  at: string;
  /** False when the server has no on-call file; `schedules` is then empty and `message` says so. */
  configured: boolean;
  message?: string;
  schedules: OnCallScheduleAnswer[];
}

const OnCallQuery = z
  .object({
    at: z
      .string()
      .max(100)
      .optional()
      .superRefine((text, ctx) => {
        if (text !== undefined && parseInstant(text) === undefined) {
          ctx.addIssue({ code: 'custom', message: `'${text}' is not an instant; write ISO 8601 with Z or an offset, e.g. 2026-03-11T15:00:00Z or 2026-03-11T11:00:00-04:00` });
        }
      })
      .describe('the instant to ask about (default: now)'),
    schedule: z.string().max(100).optional().describe('only this schedule'),
  })
  .strict();

const iso = (ms: number) => new Date(ms).toISOString();

function personAnswer(person: Person): OnCallPersonAnswer {
  return {
    id: person.id,
    name: person.name,
    ...(person.email !== undefined ? { email: person.email } : {}),
    ...(person.slack !== undefined ? { slack: person.slack } : {}),
  };
}

function scheduleAnswer(schedule: OnCallSchedule, at: number): OnCallScheduleAnswer {
  return {
    id: schedule.id,
    name: schedule.name,
    layers: schedule.layers.map((layer): OnCallLayerAnswer => {
      const now = whoIsOnCall(schedule, layer.id, at);
      const handoff = nextHandoff(schedule, layer.id, at);
      return {
        id: layer.id,
        ...(layer.name !== undefined ? { name: layer.name } : {}),
        // The schema refuses a rotation without a time zone of its own or of its schedule.
        timeZone: (layer.rotation.timeZone ?? schedule.timeZone)!,
        ...(now.person !== undefined
          ? {
              person: personAnswer(now.person),
              via: now.shift.via,
              ...(now.shift.note !== undefined ? { note: now.shift.note } : {}),
              since: iso(now.shift.start),
            }
          : { person: null, reason: now.reason }),
        until: handoff ? iso(handoff.at) : null,
        ...(handoff ? { next: handoff.to ? personAnswer(handoff.to) : null } : {}),
      };
    }),
  };
}

export const oncallRoutes: FastifyPluginAsync<OnCallRouteOptions> = async (api, opts) => {
  api.get('/v1/oncall', async (req, reply) => {
    const query = OnCallQuery.parse(req.query ?? {});
    const at = query.at === undefined ? Date.now() : parseInstant(query.at)!;
    const schedules = opts.oncall?.schedules ?? [];
    if (query.schedule !== undefined) {
      const schedule = schedules.find((s) => s.id === query.schedule);
      if (!schedule) {
        const known = opts.oncall ? `expected one of ${schedules.map((s) => s.id).join(', ')}` : 'this server has no on-call file (ONCALL_FILE)';
        return reply.code(404).send({ error: 'not_found', message: `no on-call schedule '${query.schedule}'; ${known}` });
      }
      return { at: iso(at), configured: true, schedules: [scheduleAnswer(schedule, at)] } satisfies OnCallAnswer;
    }
    if (!opts.oncall) {
      return { at: iso(at), configured: false, message: 'no on-call schedules: this server has no on-call file (ONCALL_FILE)', schedules: [] } satisfies OnCallAnswer;
    }
    return { at: iso(at), configured: true, schedules: schedules.map((s) => scheduleAnswer(s, at)) } satisfies OnCallAnswer;
  });
};
