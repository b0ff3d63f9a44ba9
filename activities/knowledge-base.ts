/**
 * Tier 1, self-service: the knowledge base the auto-reply suggests articles from (issue #5).
 *
 * Each policy with self-service material has a folder of Markdown articles, kb/<policy id>/, each
 * with YAML front matter (`title`, `tags`, optional `url`) and a body. A folder is loaded and
 * indexed with MiniSearch once, on the first ticket that needs it; the search is fuzzy (typos in a
 * ticket subject still match) and prefix-matching ("instal" finds "installation"), and a word
 * counts most in an article's title, less in its tags, least in its body.
 *
 * Scores are BM25 sums, so there is no natural cut-off between a weak match and none, and a long
 * description shares a few words with any article's body. An article is therefore suggested only
 * when the ticket's words reach a minimum score on its title and tags, the words its author chose
 * to describe it: an unrelated ticket ("Invoice for March") gets no suggestions at all. A
 * suggestion nobody needed costs the requester's trust in the next one.
 */
import { readdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import MiniSearch from 'minisearch';
import type { Query, SearchOptions } from 'minisearch';
import { YAMLParseError, parse as parseYaml } from 'yaml';

/** The repository's knowledge bases: one folder per policy id, e.g. kb/caro/. */
export const KNOWLEDGE_BASE_ROOT = fileURLToPath(new URL('../kb/', import.meta.url));

/** Failure type of the activity: a folder or article that cannot be loaded, or a bad request. */
export const KNOWLEDGE_BASE_ERROR = 'KnowledgeBaseError';

/**
 * The least score the search must reach on an article's title and tags alone for the article to
 * be suggested: the body ranks articles but never qualifies one, since a long description shares
 * some words with any body. Tuned on the seed articles: a ticket that names its problem scores 10
 * and more there on the right article (one tag word, or a misspelt one, about 5); unrelated
 * tickets (an invoice, a meeting request, a sales pitch) stay under 2.5.
 */
export const DEFAULT_MIN_SCORE = 4;

/** A match scoring under this share of the best one only shares a side word with the ticket. */
const RUNNER_UP_SHARE = 0.25;

/** Field boosts: a word in the title says most about an article, a word in its body least. */
const BOOST = { title: 3, tags: 2, body: 1 } as const;

/**
 * A word found in more than half of a knowledge base's articles (the product's name, "support")
 * says little about which article fits, however rare it is in titles: it counts a quarter.
 */
const COMMON_WORD_SHARE = 0.5;
const COMMON_WORD_WEIGHT = 0.25;

/** Ticket subjects say what the problem is; descriptions add context, signatures and quotes. */
const SUBJECT_BOOST = 2;
/** Only the head of a description is searched: the problem is stated at the top. */
const DESCRIPTION_WORDS = 80;

const EXCERPT_CHARS = 200;

const FRONT_MATTER_KEYS = ['title', 'tags', 'url'] as const;

/**
 * Words that carry no meaning for a search, and the greetings and sign-offs of a support email
 * ("Hi team", "Kind regards"): they are neither indexed nor searched, so a ticket of only such
 * words matches nothing.
 */
const STOP_WORDS = new Set(
  `a about after again all also am an and any are as at be been before being but by can cannot
  cheers could dear did do does doing don done for from get gets got had has have having he her
  here hey hi hello his how i if im in into is it its ive just kind me my no not now of on or our
  out please regards so some still team than thank thanks that the their them then there these
  they this those to too try tried trying us very was we were what when where which while who why
  will with would yes you your`.split(/\s+/),
);

/** One article, as its file gives it: the id is the file name without `.md`. */
export interface KnowledgeBaseArticle {
  id: string;
  title: string;
  tags: string[];
  url?: string;
  /** The body as plain text, in blocks (paragraphs, list items, table rows); headings apart. */
  blocks: ArticleBlock[];
}

interface ArticleBlock {
  text: string;
  heading: boolean;
}

export interface ArticleMatch {
  id: string;
  title: string;
  url?: string;
  score: number;
  /** The passage of the body that matches the search best, as plain text. */
  excerpt: string;
}

export interface KnowledgeBase {
  readonly articles: readonly KnowledgeBaseArticle[];
  /**
   * Best match first; only articles whose title and tags match at least the minimum score, and
   * that score at least a quarter of the best match.
   */
  search(text: string, limit?: number): ArticleMatch[];
  /** As `search`, with the subject weighted above the head of the description. */
  searchTicket(ticket: { subject: string; description?: string }, limit?: number): ArticleMatch[];
}

export interface KnowledgeBaseOptions {
  minScore?: number;
}

function tokenize(text: string): string[] {
  return text.split(/[^\p{L}\p{N}]+/u);
}

function terms(text: string): string[] {
  return tokenize(text).flatMap((token) => processTerm(token) ?? []);
}

function processTerm(term: string): string | null {
  const word = term.toLowerCase();
  return word.length < 2 || STOP_WORDS.has(word) ? null : word;
}

/** Typos: one edit from 5 letters, two from 9; shorter words must be spelled right. */
function fuzzy(term: string): number | false {
  if (term.length >= 9) return 2;
  return term.length >= 5 ? 1 : false;
}

const SEARCH_OPTIONS: SearchOptions = {
  boost: { ...BOOST },
  fuzzy,
  prefix: (term) => term.length >= 5,
  combineWith: 'OR',
};

/**
 * Loads every `*.md` file of `dir` (not its subfolders) and indexes it. Fails, naming each file
 * and what is wrong with it, if any article cannot be parsed; fails if the folder has none.
 */
export async function createKnowledgeBase(dir: string, options: KnowledgeBaseOptions = {}): Promise<KnowledgeBase> {
  const articles = await loadArticles(dir);
  return indexArticles(articles, options);
}

async function loadArticles(dir: string): Promise<KnowledgeBaseArticle[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
      .map((entry) => entry.name)
      .sort();
  } catch (err) {
    throw new Error(`Knowledge base folder ${dir} cannot be read (${(err as Error).message}); expected a folder of Markdown articles`);
  }
  if (names.length === 0) throw new Error(`Knowledge base folder ${dir} has no .md articles; expected at least one`);
  const problems: string[] = [];
  const articles: KnowledgeBaseArticle[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      articles.push(parseArticle(name.slice(0, -'.md'.length), await readFile(file, 'utf8'), file));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0) throw new Error(`Knowledge base ${dir} has ${problems.length} broken article(s):\n${problems.join('\n')}`);
  return articles;
}

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Parses one article; every error starts with `file` and says what a valid article has instead. */
function parseArticle(id: string, source: string, file: string): KnowledgeBaseArticle {
  const found = FRONT_MATTER.exec(source);
  if (!found) {
    throw new Error(`${file}: no front matter; an article starts with a "---" line, then YAML with title and tags, then "---"`);
  }
  let data: unknown;
  try {
    data = parseYaml(found[1] as string);
  } catch (err) {
    if (!(err instanceof YAMLParseError)) throw err;
    // Line numbers of the file: the front matter starts on its second line.
    const line = err.linePos ? `:${err.linePos[0].line + 1}` : '';
    throw new Error(`${file}${line}: front matter is not valid YAML: ${err.message.split('\n')[0]}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`${file}: front matter is ${JSON.stringify(data)}; expected a mapping with title and tags`);
  }
  const fields = data as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !(FRONT_MATTER_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new Error(`${file}: unknown front matter key(s) ${unknown.map((key) => `"${key}"`).join(', ')}; expected only ${FRONT_MATTER_KEYS.join(', ')}`);
  }
  const { title, tags, url } = fields;
  if (typeof title !== 'string' || title.trim() === '') {
    throw new Error(`${file}: title is ${JSON.stringify(title)}; expected a non-empty string`);
  }
  // YAML reads a tag such as 401 as a number: it is searched as the word it is written as.
  if (!Array.isArray(tags) || !tags.every((tag) => (typeof tag === 'string' && tag.trim() !== '') || Number.isFinite(tag))) {
    throw new Error(`${file}: tags is ${JSON.stringify(tags)}; expected a list of words, e.g. [password, login]`);
  }
  if (url !== undefined && !isWebUrl(url)) {
    throw new Error(`${file}: url is ${JSON.stringify(url)}; expected an absolute http(s) URL, or no url`);
  }
  const blocks = plainBlocks(source.slice(found[0].length));
  if (!blocks.some((block) => !block.heading)) throw new Error(`${file}: the article has no body after its front matter`);
  return { id, title: title.trim(), tags: tags.map((tag) => String(tag).trim()), ...(url === undefined ? {} : { url }), blocks };
}

function isWebUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Markdown to plain-text blocks: one per paragraph, list item or table row, headings apart. Code
 * keeps its text (`caro --version` is what people search for); markup, fences, link targets and
 * table rules go.
 */
function plainBlocks(markdown: string): ArticleBlock[] {
  const blocks: ArticleBlock[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ text: paragraph.join(' '), heading: false });
    paragraph = [];
  };
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || /^(```|~~~)/.test(line) || /^\|?[\s:|-]+\|?$/.test(line)) {
      flush();
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    const item = /^(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ text: inline(heading[1] as string), heading: true });
    } else if (item || line.startsWith('|')) {
      flush();
      paragraph.push(inline(item ? (item[1] as string) : line.replace(/^\||\|$/g, '').split('|').map((cell) => cell.trim()).join(' · ')));
    } else {
      paragraph.push(inline(line));
    }
  }
  flush();
  return blocks.filter((block) => block.text !== '');
}

function inline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|\*)(\S(?:.*?\S)?)\1/g, '$2')
    .replace(/(?<![\p{L}\p{N}])(__|_)(\S(?:.*?\S)?)\1(?![\p{L}\p{N}])/gu, '$2')
    .replace(/^>\s?/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function indexArticles(articles: readonly KnowledgeBaseArticle[], options: KnowledgeBaseOptions = {}): KnowledgeBase {
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE;
  const byId = new Map(articles.map((article) => [article.id, article]));
  const index = new MiniSearch<KnowledgeBaseArticle>({
    fields: ['title', 'tags', 'body'],
    extractField: (article, field) => {
      switch (field) {
        case 'id':
          return article.id;
        case 'title':
          return article.title;
        case 'tags':
          return article.tags.join(' ');
        case 'body':
          return article.blocks.map((block) => block.text).join('\n');
        default:
          throw new Error(`No field "${field}" in an article; expected id, title, tags or body`);
      }
    },
    tokenize,
    processTerm,
    searchOptions: SEARCH_OPTIONS,
  });
  index.addAll(articles);

  const articlesWith = new Map<string, number>();
  for (const article of articles) {
    for (const term of new Set(terms([article.title, ...article.tags, ...article.blocks.map((block) => block.text)].join(' ')))) {
      articlesWith.set(term, (articlesWith.get(term) ?? 0) + 1);
    }
  }
  const weight = (term: string) => ((articlesWith.get(term) ?? 0) > articles.length * COMMON_WORD_SHARE ? COMMON_WORD_WEIGHT : 1);

  const run = (query: Query, limit: number): ArticleMatch[] => {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Search limit ${limit} is not a positive whole number; expected e.g. 3`);
    const about = new Map(index.search(query, { fields: ['title', 'tags'] }).map((result) => [result.id, result.score]));
    const qualified = index.search(query).filter((result) => (about.get(result.id) ?? 0) >= minScore);
    const best = qualified[0]?.score ?? 0;
    return qualified
      .filter((result) => result.score >= best * RUNNER_UP_SHARE)
      .slice(0, limit)
      .map((result) => {
        const article = byId.get(result.id as string) as KnowledgeBaseArticle;
        return {
          id: article.id,
          title: article.title,
          ...(article.url === undefined ? {} : { url: article.url }),
          score: Math.round(result.score * 100) / 100,
          excerpt: excerpt(article, new Set(result.terms)),
        };
      });
  };

  return {
    articles,
    search: (text, limit = 5) => run({ queries: [text], boostTerm: weight }, limit),
    searchTicket: ({ subject, description = '' }, limit = 5) => {
      const head = description.split(/\s+/).slice(0, DESCRIPTION_WORDS).join(' ');
      return run({ combineWith: 'OR', queries: [{ queries: [subject], boostTerm: (term) => SUBJECT_BOOST * weight(term) }, { queries: [head], boostTerm: weight }] }, limit);
    },
  };
}

/**
 * The body block holding the most of the matched words (the earliest on a tie), or the first
 * one when only the title or tags matched, with the block after it when it introduces a list
 * ("If you cannot sign in:"); cut at a word boundary.
 */
function excerpt(article: KnowledgeBaseArticle, matched: ReadonlySet<string>): string {
  const candidates = article.blocks.filter((block) => !block.heading);
  let best = 0;
  let bestHits = 0;
  candidates.forEach((block, i) => {
    const words = new Set(terms(block.text));
    const hits = [...matched].filter((term) => words.has(term)).length;
    if (hits > bestHits) {
      best = i;
      bestHits = hits;
    }
  });
  const chosen = (candidates[best] as ArticleBlock).text;
  const next = candidates[best + 1];
  const text = chosen.endsWith(':') && next !== undefined ? `${chosen} ${next.text}` : chosen;
  if (text.length <= EXCERPT_CHARS) return text;
  const cut = text.slice(0, EXCERPT_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > EXCERPT_CHARS / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.·-]+$/, '')}…`;
}

export interface KnowledgeBaseSettings {
  /** The knowledge-base folder of each policy id that has one. */
  dirs: Readonly<Record<string, string>>;
  /** The server's public base URL: an article without a `url` links to <publicUrl>/kb/<policy>/<article>. */
  publicUrl: string;
  minScore?: number;
}

export interface ArticleSuggestionRequest {
  policyId: string;
  subject: string;
  description?: string;
  /** How many articles at most; 3 if not given. */
  limit?: number;
}

export interface ArticleSuggestion {
  id: string;
  title: string;
  url: string;
  score: number;
  excerpt: string;
}

/** The activities of tier 1, self-service. */
export function createKnowledgeBaseActivities(settings: KnowledgeBaseSettings) {
  const base = settings.publicUrl.replace(/\/+$/, '');
  const loaded = new Map<string, Promise<KnowledgeBase>>();

  function knowledgeBase(policyId: string, dir: string): Promise<KnowledgeBase> {
    let kb = loaded.get(policyId);
    if (kb === undefined) {
      kb = createKnowledgeBase(dir, { minScore: settings.minScore });
      // A failed load is not kept: an article fixed on disk is picked up by the next ticket.
      kb.catch(() => loaded.delete(policyId));
      loaded.set(policyId, kb);
    }
    return kb;
  }

  return {
    /**
     * The articles that best match a new ticket, best first, for the tier-1 auto-reply. None for
     * a policy without a knowledge base (FM-08: "Don't Deflect") or a ticket no article matches
     * well enough. A broken knowledge base fails for good: retrying reads the same files, and the
     * workflow should send its reply without suggestions rather than wait.
     */
    async suggestArticles(request: ArticleSuggestionRequest): Promise<ArticleSuggestion[]> {
      const { policyId, subject, description, limit = 3 } = request;
      const dir = Object.hasOwn(settings.dirs, policyId) ? settings.dirs[policyId] : undefined;
      if (dir === undefined) return [];
      try {
        const kb = await knowledgeBase(policyId, dir);
        return kb.searchTicket({ subject, description }, limit).map((match) => ({
          id: match.id,
          title: match.title,
          url: match.url ?? `${base}/kb/${encodeURIComponent(policyId)}/${encodeURIComponent(match.id)}`,
          score: match.score,
          excerpt: match.excerpt,
        }));
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`Policy ${policyId}: ${(err as Error).message}`, KNOWLEDGE_BASE_ERROR);
      }
    },
  };
}

export type KnowledgeBaseActivities = ReturnType<typeof createKnowledgeBaseActivities>;

/** The knowledge-base folders under `root` (default: the repository's kb/), keyed by policy id. */
export function knowledgeBaseDirs(root: string = KNOWLEDGE_BASE_ROOT): Record<string, string> {
  // Read once at start-up, before the worker runs: synchronous on purpose.
  const entries = readdirSync(root, { withFileTypes: true });
  return Object.fromEntries(entries.filter((entry) => entry.isDirectory()).map((entry) => [entry.name, join(root, entry.name)]));
}
