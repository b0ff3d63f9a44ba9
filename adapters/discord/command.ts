/**
 * The `/ticket` slash command as Discord registers it, and the numbers of Discord's interaction
 * protocol the adapter speaks. Register the command once per application (README, "GitHub and
 * Discord"); the definition takes the policy so the priority option offers the policy's own.
 */
import type { Policy } from '../../domain/policy/schema.js';

/** What Discord sends (interaction types). */
export const InteractionType = { Ping: 1, ApplicationCommand: 2, MessageComponent: 3 } as const;

/** What tierline answers (interaction callback types). */
export const ResponseType = { Pong: 1, ChannelMessageWithSource: 4, UpdateMessage: 7 } as const;

/** Message flag: only the user who acted sees the answer. */
export const EPHEMERAL = 64;

/** Application command option types. */
const OptionType = { Subcommand: 1, String: 3 } as const;

/** The button on an opened ticket's message: `ack:<ticket id>`. */
export const ACK_BUTTON = 'ack';

const ticketIdOption = { type: OptionType.String, name: 'id', description: 'The ticket id, e.g. T-06H2HKFEV0N3CT2HF', required: true, min_length: 3, max_length: 40 };

/**
 * The application command definition: POST it to
 * `https://discord.com/api/v10/applications/<application id>/commands` with the bot token.
 */
export function ticketCommand(policy: Policy) {
  return {
    name: 'ticket',
    type: 1,
    description: `Support tickets with ${policy.name}`.slice(0, 100),
    options: [
      {
        type: OptionType.Subcommand,
        name: 'open',
        description: 'Open a support ticket',
        options: [
          { type: OptionType.String, name: 'subject', description: 'What is wrong, in a line', required: true, max_length: 300 },
          { type: OptionType.String, name: 'description', description: 'What happened, what you expected, versions', required: true, max_length: 6000 },
          {
            type: OptionType.String,
            name: 'priority',
            description: 'How urgent it is (support may change it)',
            required: false,
            choices: policy.priorities.slice(0, 25).map((p) => ({ name: `${p.id} ${p.name}`.slice(0, 100), value: p.id })),
          },
        ],
      },
      { type: OptionType.Subcommand, name: 'status', description: 'Where a ticket stands', options: [ticketIdOption] },
      { type: OptionType.Subcommand, name: 'ack', description: 'Engineers: acknowledge a ticket and take it', options: [ticketIdOption] },
      {
        type: OptionType.Subcommand,
        name: 'resolve',
        description: 'Engineers: resolve a ticket',
        options: [ticketIdOption, { type: OptionType.String, name: 'resolution', description: 'What fixed it; the requester is told', required: true, max_length: 2000 }],
      },
    ],
  };
}
