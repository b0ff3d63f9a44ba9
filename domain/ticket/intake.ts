/**
 * What a channel adapter hands in to open a ticket. Validated before any workflow starts, so a
 * bad intake never leaves a trace in Temporal.
 */
import { z } from 'zod';

export const CHANNEL_KINDS = ['email', 'slack', 'web', 'api', 'github', 'discord', 'forum', 'chat', 'phone', 'social', 'office-hours'] as const;

const trimmed = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const AttachmentSchema = z
  .object({
    name: trimmed(255),
    type: z.string().trim().min(1).max(255).describe('MIME type'),
    size: z.number().int().min(0),
    url: z.url({ error: 'expected an absolute URL to the attachment' }),
  })
  .strict()
  .describe('attachments travel as references, never as content');

export const IntakeSchema = z
  .object({
    subject: trimmed(300),
    description: z.string().max(20_000, 'must be at most 20000 characters').default(''),
    requester: z
      .object({
        email: z.email({ error: 'expected an email address' }).optional(),
        name: z.string().trim().max(200).optional(),
        handle: z.string().trim().max(200).optional().describe('the requester on the channel: @user on Discord, GitHub login ...'),
      })
      .strict()
      .refine((r) => r.email || r.handle, { message: 'needs an email or a handle to answer the requester' }),
    channel: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'expected a channel id such as email, slack, web, api, github, discord'),
    externalId: trimmed(300).optional().describe("the id on the channel (Message-ID, issue number): a repeat finds the same ticket"),
    priority: z.string().trim().min(1).max(40).optional(),
    category: z.string().trim().min(1).max(100).optional(),
    plan: z.string().trim().min(1).max(100).optional().describe('the customer plan, e.g. enterprise'),
    account: z.string().trim().min(1).max(200).optional().describe('the customer account, for assignment rules'),
    tags: z.array(z.string().trim().min(1).max(60)).max(30).default([]),
    attachments: z.array(AttachmentSchema).max(50).default([]),
    messageId: z.string().max(998).optional().describe("the customer's email Message-ID, for threading replies"),
  })
  .strict();

export type Intake = z.output<typeof IntakeSchema>;
export type IntakeInput = z.input<typeof IntakeSchema>;

/** Field-level messages: `requester.email: expected an email address`. */
export function fieldErrors(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '['),
    message: issue.message,
  }));
}
