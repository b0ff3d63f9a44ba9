import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** What an activity failure says, for the ticket's timeline (the activity's own message). */
export function failureText(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
