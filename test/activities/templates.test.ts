import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { EMAIL_TEMPLATES, escapeHtml, renderEmail, templateVariables } from '../../activities/templates.js';
import type { EmailTemplate } from '../../activities/templates.js';

/** Every variable of every template, filled with a value that names it. */
async function fullVars(template: EmailTemplate): Promise<Record<string, string>> {
  return Object.fromEntries((await templateVariables(template)).map((name) => [name, `<${name}>`]));
}

describe('email templates', () => {
  it('every template has a text and an HTML file that render with their variables', async () => {
    for (const template of EMAIL_TEMPLATES) {
      const vars = await fullVars(template);
      assert.ok(Object.keys(vars).includes('ticketId'), `${template} names the ticket`);
      const { text, html } = await renderEmail(template, vars);
      assert.doesNotMatch(text + html, /\{\{|\}\}/, `${template} leaves no placeholder`);
      assert.match(html, /^<!doctype html>/);
      for (const name of Object.keys(vars)) {
        assert.ok(text.includes(`<${name}>`) || html.includes(`&lt;${name}&gt;`), `${template} uses ${name}`);
      }
    }
  });

  it('the auto-reply confirms receipt with the ticket id and the first-response target, and promises no sooner reply', async () => {
    assert.deepEqual(await templateVariables('auto-reply'), ['recipientName', 'ticketId', 'responseTarget', 'teamName']);
    const { text } = await renderEmail('auto-reply', { recipientName: 'Ada', ticketId: 'T-1', responseTarget: '24 hours', teamName: 'Caro Support' });
    assert.match(text, /opened ticket T-1/);
    assert.match(text, /first response within 24 hours/);
    assert.match(text, /automatic confirmation/);
    assert.doesNotMatch(text, /shortly|right away|in a few minutes|immediately|soon/i);
  });

  it("the vendor escalation follows Caro's Escalation Template", async () => {
    const vars = await templateVariables('vendor-escalation');
    for (const field of ['issue', 'impact', 'reproduction', 'expected', 'actual', 'platform', 'attemptedSolutions', 'need', 'timeline', 'link']) {
      assert.ok(vars.includes(field), `vendor-escalation asks for ${field}`);
    }
    const { text } = await renderEmail('vendor-escalation', await fullVars('vendor-escalation'));
    const order = ['ESCALATION:', 'Issue:', 'Impact:', 'Reproduction:', 'Expected:', 'Actual:', 'Platform:', 'Attempted solutions:', 'Need:', 'Timeline:', 'Issue link:'];
    const positions = order.map((heading) => text.indexOf(heading));
    assert.ok(positions.every((p) => p >= 0));
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, 'the sections come in the template order');
  });

  it('follow-up and satisfaction thank the customer in the tone of Caro\'s "Step 5: Follow Up"', async () => {
    for (const template of ['follow-up', 'satisfaction'] as const) {
      const { text } = await renderEmail(template, await fullVars(template));
      assert.match(text, /Thanks again for reporting/);
    }
  });

  it('the follow-up carries the survey: satisfaction (1-5) and, as its own question, customer effort (1-7)', async () => {
    assert.ok((await templateVariables('follow-up')).includes('surveyLink'));
    const { text } = await renderEmail('follow-up', await fullVars('follow-up'));
    assert.match(text, /1\. How satisfied are you with the help you got\? \(1 = very dissatisfied, 5 = very satisfied\)/);
    assert.match(text, /2\. How hard did you have to work to get your issue resolved\? \(1 = not at all, 7 = very hard\)\n<surveyLink>/);
  });

  it('a missing variable fails for good, naming every missing one', async () => {
    await assert.rejects(renderEmail('duplicate', { ticketId: 'T-1', recipientName: 'Ada', teamName: 'Support' }), (err) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'EmailTemplateError');
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, /"originalTicketId", "originalLink"/);
      return true;
    });
  });

  it('an unknown template fails for good, listing the known ones', async () => {
    await assert.rejects(renderEmail('welcome' as EmailTemplate, {}), /Unknown email template "welcome"; expected one of auto-reply/);
  });

  it('values are verbatim in text and escaped in HTML, whatever they hold', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), async (update) => {
        const { text, html } = await renderEmail('follow-up', { recipientName: 'Ada', ticketId: 'T-1', teamName: 'Support', surveyLink: 'https://support.example/survey', update });
        assert.ok(text.includes(update));
        assert.ok(html.includes(escapeHtml(update)));
      }),
      { numRuns: 200 },
    );
    fc.assert(fc.property(fc.string(), (value) => !/[<>"']/.test(escapeHtml(value))));
  });
});
