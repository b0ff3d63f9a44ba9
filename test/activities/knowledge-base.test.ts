import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import {
  KNOWLEDGE_BASE_ERROR,
  KNOWLEDGE_BASE_ROOT,
  createKnowledgeBase,
  createKnowledgeBaseActivities,
  knowledgeBaseDirs,
} from '../../activities/knowledge-base.js';
import type { ArticleSuggestion, KnowledgeBaseActivities } from '../../activities/knowledge-base.js';

const PUBLIC_URL = 'https://support.example.com/';

let activities: KnowledgeBaseActivities;
let scratch: string;

before(async () => {
  activities = createKnowledgeBaseActivities({ dirs: await knowledgeBaseDirs(), publicUrl: PUBLIC_URL });
  scratch = await mkdtemp(join(tmpdir(), 'tierline-kb-'));
});

after(() => rm(scratch, { recursive: true, force: true }));

function suggest(policyId: string, subject: string, description = ''): Promise<ArticleSuggestion[]> {
  return activities.suggestArticles({ policyId, subject, description });
}

async function firstSuggestion(policyId: string, subject: string, description = ''): Promise<string | undefined> {
  return (await suggest(policyId, subject, description))[0]?.id;
}

/** Each case: a realistic ticket subject and the article that must come first for it. */
async function assertRanksFirst(policyId: string, cases: readonly (readonly [subject: string, article: string])[]) {
  for (const [subject, article] of cases) {
    assert.equal(await firstSuggestion(policyId, subject), article, `${policyId}: "${subject}" suggests ${article} first`);
  }
}

/** A folder of articles written for one test; returns its path. */
async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return dir;
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the activity to fail');
}

const ARTICLE = '---\ntitle: Reset your password\ntags: [password, login]\n---\n\nThe help desk resets passwords.\n';

/**
 * A small knowledge base that scratch folders start from: word rarity needs a few articles to
 * mean anything, as in any real knowledge base.
 */
const ARTICLES: Record<string, string> = {
  'password-reset.md': ARTICLE,
  'service-status.md': '---\ntitle: Is the service down?\ntags: [status, outage]\n---\n\nCheck the status page.\n',
  'video-tutorials.md': '---\ntitle: Video tutorials\ntags: [video, tutorial]\nurl: https://docs.example.com/tutorials\n---\n\nWatch the system overview.\n',
  'contact.md': '---\ntitle: Contacting the help desk\ntags: [email, chat, phone]\n---\n\nEmail support@example.com.\n',
};

describe('the knowledge bases of the seeds', () => {
  it('Caro, SIGN X, TRKV and DevRel have 4 to 8 articles each, one folder per existing policy id', async () => {
    const dirs = await knowledgeBaseDirs();
    assert.deepEqual(Object.keys(dirs).sort(), ['caro', 'devrel', 'signx', 'trkv']);
    for (const [policyId, dir] of Object.entries(dirs)) {
      assert.ok(existsSync(new URL(`../../policies/${policyId}.yaml`, import.meta.url)), `kb/${policyId} belongs to policies/${policyId}.yaml`);
      const { articles } = await createKnowledgeBase(dir);
      assert.ok(articles.length >= 4 && articles.length <= 8, `kb/${policyId} has ${articles.length} articles`);
      for (const article of articles) assert.ok(article.tags.length > 0, `${policyId}/${article.id} has tags`);
    }
  });

  it('FM-08 has no knowledge base ("Don\'t Deflect"): its tickets get no suggestions, whatever they say', async () => {
    assert.equal(existsSync(join(KNOWLEDGE_BASE_ROOT, 'fm08')), false);
    assert.deepEqual(await suggest('fm08', 'Production down: API returns 500', 'Our production is down since 10:00 UTC.'), []);
    assert.deepEqual(await suggest('no-such-policy', 'Forgot my password'), []);
  });
});

describe('tier-1 suggestions for realistic tickets', () => {
  it('Caro: each of the seed\'s "Common Issues & Solutions" finds its fix first', async () => {
    await assertRanksFirst('caro', [
      ['zsh: command not found: caro', 'command-not-found'],
      ['brew installed caro but my shell cannot find it', 'command-not-found'],
      ['Installation failed on Ubuntu 22.04', 'installation-fails-linux'],
      ['permission denied moving the binary to /usr/local/bin', 'installation-fails-linux'],
      ['Generated find command uses -printf on my Mac', 'generated-command-fails'],
      ['wrong flags on macOS', 'generated-command-fails'],
      ['Caro suggested rm -rf / and did not block it', 'dangerous-command-not-blocked'],
      ['Does Caro collect my file paths?', 'telemetry-privacy'],
      ['How do I disable telemetry', 'telemetry-privacy'],
      ['Security vulnerability in caro', 'security-report'],
    ]);
  });

  it('SIGN X: password resets and account access, the seed\'s typical tier-2 issues, are answered from tier 1', async () => {
    await assertRanksFirst('signx', [
      ['Forgot my password', 'password-reset'],
      ['How do I reset my password', 'password-reset'],
      ["Can't log in to my account", 'account-access'],
      ['Unable to login', 'account-access'],
      ['locked out', 'account-access'],
      ['How do I create a new project?', 'video-tutorials'],
      ['Is SIGN X down? Not loading', 'service-status'],
      ['Where is the API reference', 'documentation'],
      ['What does this button do', 'in-app-help'],
      ['Error message when exporting, app is slow', 'reporting-a-bug'],
      ['What are your support hours?', 'contact-help-desk'],
    ]);
  });

  it('TRKV: outages, API problems, bugs, feature requests and data loss find their article', async () => {
    await assertRanksFirst('trkv', [
      ['Bot is down, not responding', 'service-status'],
      ['Is there an outage?', 'service-status'],
      ['API returns 500 error', 'api-integration-problems'],
      ['Feature malfunction after update', 'reporting-a-bug'],
      ['Where do I suggest a new feature?', 'feature-requests'],
      ['We lost data after the update', 'security-data-loss'],
      ['How do I contact support', 'getting-help'],
    ]);
  });

  it('DevRel: the seed\'s FAQ "How do I authenticate with the API?" and its channels', async () => {
    await assertRanksFirst('devrel', [
      ['How do I authenticate with the API?', 'api-authentication'],
      ['OAuth token for user data', 'api-authentication'],
      ['Getting 401 Unauthorized with my API key', 'authentication-errors'],
      ['When are office hours?', 'office-hours'],
      ['I found a bug in the SDK', 'bug-reports-feature-requests'],
      ['Which channel should I use for a quick question', 'choosing-a-channel'],
    ]);
  });

  it('a ticket with a description: the subject decides, the description adds context', async () => {
    assert.equal(
      await firstSuggestion(
        'caro',
        'caro not found after install',
        'I installed caro with Homebrew on my MacBook and when I type caro in the terminal zsh says command not found. brew list shows it.',
      ),
      'command-not-found',
    );
    assert.equal(await firstSuggestion('signx', 'Forgot my password', 'I checked the status page and everything is up, but I cannot remember my password.'), 'password-reset');
  });

  it('typos still match: one wrong letter, a missing one, a British spelling', async () => {
    await assertRanksFirst('caro', [
      ['instalation fails on linux', 'installation-fails-linux'],
      ['telemtry opt out', 'telemetry-privacy'],
    ]);
    await assertRanksFirst('signx', [
      ['pasword reset', 'password-reset'],
      ['vidoe tutorials', 'video-tutorials'],
    ]);
    await assertRanksFirst('devrel', [
      ['autentication error', 'authentication-errors'],
      ['Unauthorised error from API', 'authentication-errors'],
    ]);
  });

  it('a word being typed matches by its prefix', async () => {
    assert.equal(await firstSuggestion('caro', 'instal'), 'installation-fails-linux');
  });

  it('unrelated tickets get no suggestions: an invoice, a meeting request, a sales pitch, small talk', async () => {
    const unrelated = [
      ['Invoice for March', 'Hi team, please find attached the invoice for March. Payment is due within 30 days. Let me know if you need the purchase order number or any other details for your accounting department. Best regards, Jane'],
      ['Meeting next week', 'Hello, can we move our call to Thursday afternoon? I have a conflict on Wednesday. Also, please send the slides from the last presentation when you get a chance. Thanks, Bob'],
      ['Partnership proposal', 'We are a marketing agency and would love to partner with you on a campaign for the summer. Our rates are attached. Looking forward to hearing from you.'],
      ['Lunch menu for Friday', ''],
      ['Caro is great', 'thanks, great tool!'],
      ['hello', ''],
    ] as const;
    for (const policyId of ['caro', 'signx', 'trkv', 'devrel']) {
      for (const [subject, description] of unrelated) {
        assert.deepEqual(await suggest(policyId, subject, description), [], `${policyId}: "${subject}" suggests nothing`);
      }
    }
  });

  it('a suggestion links to the article, shows a plain-text excerpt of the matching passage, best first, within the limit', async () => {
    const [status] = await suggest('signx', 'Is SIGN X down?');
    assert.equal(status?.url, 'https://status.example.com', 'an article with a url in its front matter links there');

    const suggestions = await activities.suggestArticles({ policyId: 'caro', subject: 'caro: command not found after brew install', limit: 5 });
    const [first] = suggestions;
    assert.equal(first?.title, 'Fix: "caro: command not found"');
    assert.equal(first?.url, 'https://support.example.com/kb/caro/command-not-found', 'any other links to the server, without a double slash');
    assert.equal(first?.excerpt, 'Running caro in a terminal prints command not found.', 'the first passage with the most of the words');
    for (const { excerpt } of suggestions) {
      assert.ok(excerpt.length > 0 && excerpt.length <= 201, `excerpt of ${excerpt.length} characters`);
      assert.doesNotMatch(excerpt, /[`#]|\*\*|\]\(/, 'no Markdown in an excerpt');
    }
    const scores = suggestions.map((suggestion) => suggestion.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));

    assert.equal(suggestions.length, 2, 'the PATH fix and the installation article');
    const [only, ...more] = await activities.suggestArticles({ policyId: 'caro', subject: 'caro: command not found after brew install', limit: 1 });
    assert.equal(only?.id, 'command-not-found');
    assert.deepEqual(more, []);
  });

  it('a limit that is not a positive whole number fails for good, with the value', async () => {
    const failure = await failureOf(activities.suggestArticles({ policyId: 'caro', subject: 'telemetry', limit: 0 }));
    assert.equal(failure.type, KNOWLEDGE_BASE_ERROR);
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /limit 0 is not a positive whole number/);
  });
});

describe('loading a knowledge base', () => {
  it('front matter errors name the file and say what is wrong, every broken article at once', async () => {
    const dir = await folder('broken', {
      ...ARTICLES,
      'no-front-matter.md': '# Reset your password\n\nThe help desk resets passwords.\n',
      'bad-yaml.md': '---\ntitle: Reset\ntags: [password\n---\n\nBody.\n',
      'no-title.md': '---\ntags: [password]\n---\n\nBody.\n',
      'tags-not-a-list.md': '---\ntitle: Reset\ntags: password\n---\n\nBody.\n',
      'unknown-key.md': '---\ntitle: Reset\ntag: [password]\ntags: [password]\n---\n\nBody.\n',
      'relative-url.md': '---\ntitle: Reset\ntags: [password]\nurl: /docs/reset\n---\n\nBody.\n',
      'no-body.md': '---\ntitle: Reset\ntags: [password]\n---\n\n## Only a heading\n',
    });
    await assert.rejects(createKnowledgeBase(dir), (err: Error) => {
      const lines = err.message.split('\n');
      assert.match(lines[0] ?? '', /has 7 broken article\(s\)/);
      const about = (file: string) => lines.find((line) => line.startsWith(join(dir, file))) ?? `no line names ${file}`;
      assert.match(about('no-front-matter.md'), /no front matter; an article starts with a "---" line/);
      assert.match(about('bad-yaml.md'), /^\S+bad-yaml\.md:\d+: front matter is not valid YAML/);
      assert.match(about('no-title.md'), /title is undefined; expected a non-empty string/);
      assert.match(about('tags-not-a-list.md'), /tags is "password"; expected a list of words/);
      assert.match(about('unknown-key.md'), /unknown front matter key\(s\) "tag"; expected only title, tags, url/);
      assert.match(about('relative-url.md'), /url is "\/docs\/reset"; expected an absolute http\(s\) URL/);
      assert.match(about('no-body.md'), /no body after its front matter/);
      assert.ok(!lines.some((line) => line.includes('password-reset.md')), 'a valid article is not blamed');
      return true;
    });
  });

  it('a missing or empty folder is an error that names it', async () => {
    const missing = join(scratch, 'missing');
    await assert.rejects(createKnowledgeBase(missing), new RegExp(`Knowledge base folder ${missing} cannot be read`));
    const empty = await folder('empty', {});
    await assert.rejects(createKnowledgeBase(empty), /has no \.md articles; expected at least one/);
  });

  it('in the activity, a broken article fails for good with the policy and file; fixed on disk, the next ticket gets suggestions', async () => {
    const dir = await folder('fixable', { ...ARTICLES, 'password-reset.md': '---\ntitle: Reset your password\n---\n\nBody.\n' });
    const kb = createKnowledgeBaseActivities({ dirs: { signx: dir }, publicUrl: PUBLIC_URL });
    const failure = await failureOf(kb.suggestArticles({ policyId: 'signx', subject: 'Forgot my password' }));
    assert.equal(failure.type, KNOWLEDGE_BASE_ERROR);
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /^Policy signx: .*password-reset\.md: tags is undefined/s);

    await writeFile(join(dir, 'password-reset.md'), ARTICLE);
    assert.deepEqual((await kb.suggestArticles({ policyId: 'signx', subject: 'Forgot my password' })).map((s) => s.id), ['password-reset']);
  });

  it('a folder is read on the first ticket of its policy, and only then', async () => {
    const dir = join(scratch, 'lazy');
    const kb = createKnowledgeBaseActivities({ dirs: { caro: dir }, publicUrl: PUBLIC_URL });
    await folder('lazy', ARTICLES);
    assert.equal((await kb.suggestArticles({ policyId: 'caro', subject: 'password' }))[0]?.id, 'password-reset');
    await rm(dir, { recursive: true });
    assert.equal((await kb.suggestArticles({ policyId: 'caro', subject: 'password' }))[0]?.id, 'password-reset', 'the index is kept');
  });

  it('a tag written as a number (401) is searched as that word', async () => {
    const dir = await folder('numbers', { ...ARTICLES, 'unauthorized.md': '---\ntitle: Authentication errors\ntags: [401, unauthorized]\n---\n\nCheck the header.\n' });
    const kb = await createKnowledgeBase(dir);
    assert.deepEqual(kb.articles.find((article) => article.id === 'unauthorized')?.tags, ['401', 'unauthorized']);
    assert.equal(kb.search('HTTP 401', 1)[0]?.id, 'unauthorized');
  });
});
