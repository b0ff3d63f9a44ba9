/**
 * The requester's satisfaction survey, behind the signed link of the follow-up email: two
 * questions, each its own, so either may be answered alone. Satisfaction (CSAT), 1-5, and the
 * customer effort score (CES), 1-7, asked as FM-08 puts it: "how hard did the customer have to
 * work?" (1 is no effort at all: lower is better, as the reports read it).
 */
import { escapeMarkup } from '../../domain/incident/render.js';

export const SURVEY_QUESTIONS = {
  score: { text: 'How satisfied are you with the help you got?', low: 'very dissatisfied', high: 'very satisfied', max: 5 },
  effort: { text: 'How hard did you have to work to get your issue resolved?', low: 'not at all', high: 'very hard', max: 7 },
} as const;

function scale(name: keyof typeof SURVEY_QUESTIONS): string {
  const q = SURVEY_QUESTIONS[name];
  const choices = Array.from({ length: q.max }, (_, i) => `<label style="margin-right: 1em;"><input type="radio" name="${name}" value="${i + 1}"> ${i + 1}</label>`).join('');
  return `<fieldset style="margin-bottom: 1em;"><legend>${escapeMarkup(q.text)}</legend><p>${choices}</p><small>1 = ${q.low}, ${q.max} = ${q.high}</small></fieldset>`;
}

/** The survey form for ticket `id` (posts back to the same signed URL). */
export function surveyForm(id: string): string {
  return [
    `<p>Two quick questions about your request ${escapeMarkup(id)}. Answer either one, or both.</p>`,
    '<form method="post">',
    scale('score'),
    scale('effort'),
    '<p><label>Anything you would like to add?<br><textarea name="comment" rows="4" cols="50" maxlength="2000"></textarea></label></p>',
    '<button type="submit">Send my answers</button>',
    '</form>',
  ].join('');
}

/**
 * The form's fields as the survey's JSON body: the numbers as numbers, unanswered (empty) fields
 * left out. Anything else is passed on as given, for the schema to name what is wrong.
 */
export function surveyAnswers(form: unknown): Record<string, unknown> {
  if (typeof form !== 'object' || form === null) return {};
  return Object.fromEntries(
    Object.entries(form as Record<string, unknown>)
      .filter(([, value]) => value !== '')
      .map(([name, value]) => [name, (name === 'score' || name === 'effort') && typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value]),
  );
}
