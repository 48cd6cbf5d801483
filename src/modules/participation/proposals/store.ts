import type { Queryable, Tx } from "../../../core/db/index.js";

/** The SQL of proposals, their supports and comments, and the moderation of both: every query names the municipality it works in. */

export type ProposalStatus = "published" | "evaluating" | "accepted" | "rejected" | "withdrawn";

export interface ProposalRow {
  municipality_id: string;
  id: string;
  process_id: string;
  author_id: string;
  author_name: string;
  title: string;
  body: string;
  category: string;
  location: string;
  photo_id: string | null;
  status: ProposalStatus;
  answer: string;
  answered_at: Date | null;
  hidden_at: Date | null;
  hidden_reason: string;
  supports_count: number;
  comments_count: number;
  created_at: Date;
}

export interface CommentRow {
  id: string;
  proposal_id: string;
  parent_id: string | null;
  author_id: string;
  author_name: string;
  body: string;
  hidden_at: Date | null;
  hidden_reason: string;
  created_at: Date;
}

export interface FlagSummary {
  subject_type: "proposal" | "comment";
  subject_id: string;
  reasons: string[];
  count: number;
  first_at: Date;
  title: string;
  excerpt: string;
  hidden_at: Date | null;
  process_slug: string;
  proposal_id: string;
}

// ---------------------------------------------------------------------------------------------
// Proposals

const PROPOSAL_COLUMNS = `p.municipality_id, p.id, p.process_id, p.author_id, u.name AS author_name, p.title, p.body, p.category, p.location, p.photo_id,
  p.status, p.answer, p.answered_at, p.hidden_at, p.hidden_reason, p.supports_count, p.created_at,
  (SELECT count(*)::int FROM proposal_comments c WHERE c.municipality_id = p.municipality_id AND c.proposal_id = p.id AND c.hidden_at IS NULL) AS comments_count`;

export async function insertProposal(
  db: Queryable,
  municipalityId: string,
  input: { processId: string; authorId: string; title: string; body: string; category: string; location: string; photoId: string | null },
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    "INSERT INTO proposals (municipality_id, process_id, author_id, title, body, category, location, photo_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    [municipalityId, input.processId, input.authorId, input.title, input.body, input.category, input.location, input.photoId],
  );
  return row!.id;
}

export async function getProposal(db: Queryable, municipalityId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<ProposalRow | undefined> {
  if (options.forUpdate) await db.query("SELECT 1 FROM proposals WHERE municipality_id = $1 AND id = $2 FOR UPDATE", [municipalityId, id]);
  const [row] = await db.query<ProposalRow>(`SELECT ${PROPOSAL_COLUMNS} FROM proposals p JOIN users u ON u.id = p.author_id WHERE p.municipality_id = $1 AND p.id = $2`, [municipalityId, id]);
  return row;
}

/** Every order the list knows; each has its own index (migration 20261215T140000), and the plan test walks them all. */
export const PROPOSAL_SORTS = ["supports", "newest", "random"] as const;
export type ProposalSort = (typeof PROPOSAL_SORTS)[number];

export interface ProposalQuery {
  processId: string;
  text: string;
  category: string;
  status: ProposalStatus | "";
  sort: ProposalSort;
  /** The same seed gives the same order, page after page. */
  seed: number;
  includeHidden: boolean;
  limit: number;
  offset: number;
}

/**
 * How a search matches: "words" finds the words (stemmed, French or Portuguese) or the text
 * anywhere in a title; "close" finds titles with a word spelt close to it, for a search that
 * found nothing otherwise ("fontene" for "fontaine").
 */
export type SearchMode = "words" | "close";

/** One statement, ready for db.query: the list's SQL is built in one place so that its plans can be checked. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** Beyond this many matches the list says "1 000+" instead of counting every one of them. */
export const PROPOSAL_COUNT_CAP = 1000;

/**
 * Fewer characters than a trigram: a substring that short would match nearly every title and no
 * index can narrow it, so such a search looks for the word only.
 */
const SHORTEST_SUBSTRING = 3;

/**
 * A search as the database folds it, computed once before the list's statements so that they
 * compare columns with constants: written inline, unaccent() and plainto_tsquery(), being only
 * stable, would run again for every row an index hands over, and the planner could not weigh
 * the indexes against what is searched for.
 */
export interface FoldedSearch {
  /** Lower case, accents removed, as the trigger folds titles into search_text. */
  folded: string;
  /** The words stemmed in French or in Portuguese, as tsquery text; empty when only stop words were typed. */
  words: string;
}

export async function foldSearch(db: Queryable, text: string): Promise<FoldedSearch> {
  const [row] = await db.query<FoldedSearch>(
    "SELECT lower(unaccent($1)) AS folded, (plainto_tsquery('french', unaccent($1)) || plainto_tsquery('portuguese', unaccent($1)))::text AS words",
    [text.trim()],
  );
  return row!;
}

/** What each sort orders by, matching its index; the id makes the order total. */
const ORDER: Record<Exclude<ProposalSort, "random">, string[]> = {
  supports: ["supports_count DESC", "created_at DESC", "id DESC"],
  newest: ["created_at DESC", "id DESC"],
};
const orderOf = (sort: ProposalSort, alias = "") => (sort === "random" ? ["shuffle_key"] : ORDER[sort]).map((term) => alias + term).join(", ");

/**
 * Where a seed starts the walk around the circle of shuffle keys (0 … 2^31 − 1): a
 * multiplicative hash (Knuth's), so that seeds next to each other start far apart.
 */
export function shuffleStart(seed: number): number {
  return Number((BigInt(Math.trunc(Math.abs(seed))) * 2654435761n) % 2147483648n);
}

const LIST_COLUMNS = "municipality_id, id, process_id, author_id, title, body, category, location, photo_id, status, answer, answered_at, hidden_at, hidden_reason, supports_count, created_at";

function listFilter(municipalityId: string, query: ProposalQuery, search: FoldedSearch | null, mode: SearchMode): { where: string; params: unknown[] } {
  const params: unknown[] = [municipalityId, query.processId];
  const where = ["municipality_id = $1", "process_id = $2"];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (!query.includeHidden) where.push("hidden_at IS NULL");
  if (search) {
    const longEnough = search.folded.length >= SHORTEST_SUBSTRING;
    if (mode === "close") {
      // Too short to have a spelling to come close to: nothing is close.
      where.push(longEnough ? `${param(search.folded)} <% search_text` : "false");
    } else {
      const matches: string[] = [];
      if (search.words) matches.push(`search_vector @@ ${param(search.words)}::tsquery`);
      // The text typed is matched literally: % and _ are not wildcards to a visitor.
      if (longEnough) matches.push(`search_text LIKE ${param(`%${search.folded.replace(/[\\%_]/g, "\\$&")}%`)}`);
      where.push(matches.length ? `(${matches.join(" OR ")})` : "false");
    }
  }
  if (query.category) where.push(`category = ${param(query.category)}`);
  if (query.status) where.push(`status = ${param(query.status)}`);
  return { where: where.join(" AND "), params };
}

/**
 * The two statements of a list page: the page itself, one row more than asked for (to tell
 * whether a next page exists without counting), and a count that stops at PROPOSAL_COUNT_CAP + 1.
 * The page is cut from proposals alone, through the index of its sort; only its rows then meet
 * their author and their comment count.
 */
export function proposalListStatements(municipalityId: string, query: ProposalQuery, search: FoldedSearch | null, mode: SearchMode = "words"): { page: Statement; count: Statement } {
  const { where, params } = listFilter(municipalityId, query, search, mode);
  const countParams = [...params, PROPOSAL_COUNT_CAP + 1];
  const pageParams = [...params];
  const param = (value: unknown) => `$${pageParams.push(value)}`;
  const limit = param(query.limit + 1);
  const offset = param(query.offset);
  let cut: string;
  let order: string;
  if (query.sort === "random") {
    // Around the circle from the seed's start: the keys after it, then those before it. Each arm
    // is a range of proposals_by_shuffle read in order, no further than the page's end.
    const start = param(shuffleStart(query.seed));
    const end = param(query.offset + query.limit + 1);
    cut = `SELECT *, row_number() OVER (ORDER BY lap, shuffle_key) AS place FROM (
        SELECT * FROM (
          (SELECT ${LIST_COLUMNS}, shuffle_key, 0 AS lap FROM proposals WHERE ${where} AND shuffle_key >= ${start} ORDER BY shuffle_key LIMIT ${end})
          UNION ALL
          (SELECT ${LIST_COLUMNS}, shuffle_key, 1 AS lap FROM proposals WHERE ${where} AND shuffle_key < ${start} ORDER BY shuffle_key LIMIT ${end})
        ) around ORDER BY lap, shuffle_key LIMIT ${limit} OFFSET ${offset}
      ) page_cut`;
    // Within its page the seed shuffles again, so that a short list, all on one page, is not
    // only turned around its circle; the row past the page stays last, for the caller to drop.
    order = `p.place > ${param(query.limit)}, md5(p.id::text || ${param(String(query.seed))})`;
  } else {
    cut = `SELECT ${LIST_COLUMNS} FROM proposals WHERE ${where} ORDER BY ${orderOf(query.sort)} LIMIT ${limit} OFFSET ${offset}`;
    order = orderOf(query.sort, "p.");
  }
  return {
    page: {
      sql: `SELECT p.municipality_id, p.id, p.process_id, p.author_id, u.name AS author_name, p.title, p.body, p.category, p.location, p.photo_id,
          p.status, p.answer, p.answered_at, p.hidden_at, p.hidden_reason, p.supports_count, p.created_at,
          (SELECT count(*)::int FROM proposal_comments c WHERE c.municipality_id = p.municipality_id AND c.proposal_id = p.id AND c.hidden_at IS NULL) AS comments_count
        FROM (${cut}) p JOIN users u ON u.id = p.author_id ORDER BY ${order}`,
      params: pageParams,
    },
    // Ordered as the page is, so that the count walks the same index and stops at the cap.
    count: { sql: `SELECT count(*)::int AS n FROM (SELECT 1 FROM proposals WHERE ${where} ORDER BY ${orderOf(query.sort)} LIMIT $${countParams.length}) capped`, params: countParams },
  };
}

export interface ProposalPage {
  rows: ProposalRow[];
  /** How many match, or a floor of it when `moreThan`: PROPOSAL_COUNT_CAP, or for close spellings the proposals up to this page. */
  total: number;
  moreThan: boolean;
  hasNext: boolean;
  /** The search found no words and shows titles spelt close to it instead. */
  closeMatches: boolean;
}

async function runList(db: Queryable, municipalityId: string, query: ProposalQuery, search: FoldedSearch | null, mode: SearchMode): Promise<ProposalPage> {
  const statements = proposalListStatements(municipalityId, query, search, mode);
  const counted = async () => (await db.query<{ n: number }>(statements.count.sql, statements.count.params))[0]?.n ?? 0;
  // A search is counted first: the planner guesses how many titles hold a word, and for a word
  // that none holds its guess walks the sort's index to the end looking for a first page, where
  // the count, reading the search indexes, finds at once that there is nothing to show.
  const searchCount = search && mode === "words" ? await counted() : undefined;
  if (searchCount === 0) return { rows: [], total: 0, moreThan: false, hasNext: false, closeMatches: false };
  const fetched = await db.query<ProposalRow>(statements.page.sql, statements.page.params);
  const hasNext = fetched.length > query.limit;
  const rows = fetched.slice(0, query.limit);
  const closeMatches = mode === "close";
  let n = searchCount;
  if (n === undefined) {
    // A first page that is not full holds every match: it is the count.
    if (query.offset === 0 && !hasNext) return { rows, total: rows.length, moreThan: false, hasNext, closeMatches };
    // Close spellings are weighed row by row (word_similarity), too dear to count beyond the page.
    if (closeMatches) return { rows, total: query.offset + rows.length, moreThan: hasNext, hasNext, closeMatches };
    n = await counted();
  }
  return { rows, total: Math.min(n, PROPOSAL_COUNT_CAP), moreThan: n > PROPOSAL_COUNT_CAP, hasNext, closeMatches };
}

/**
 * How close a title's word must come to the search, on pg_trgm's scale: its default (0.6) misses
 * a word written as it sounds ("fontene" for "fontaine" is 0.5).
 */
const CLOSE_SPELLING = 0.45;

export async function searchProposals(db: Tx, municipalityId: string, query: ProposalQuery): Promise<ProposalPage> {
  const search = query.text.trim() ? await foldSearch(db, query.text) : null;
  const found = await runList(db, municipalityId, query, search, "words");
  if (found.total > 0 || !search) return found;
  const close = await db.transaction(async (tx) => {
    // For this transaction only: a pooled connection goes back to the server's setting.
    await tx.query("SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)", [String(CLOSE_SPELLING)]);
    return runList(tx, municipalityId, query, search, "close");
  });
  return close.total > 0 ? close : found;
}

export async function allProposals(db: Queryable, municipalityId: string, processId: string): Promise<ProposalRow[]> {
  return db.query<ProposalRow>(`SELECT ${PROPOSAL_COLUMNS} FROM proposals p JOIN users u ON u.id = p.author_id WHERE p.municipality_id = $1 AND p.process_id = $2 AND p.hidden_at IS NULL ORDER BY p.created_at`, [municipalityId, processId]);
}

export async function answerProposal(db: Queryable, municipalityId: string, id: string, status: ProposalStatus, answer: string, actorId: string): Promise<void> {
  await db.query("UPDATE proposals SET status = $3, answer = $4, answered_at = now(), answered_by = $5, updated_at = now() WHERE municipality_id = $1 AND id = $2", [municipalityId, id, status, answer, actorId]);
}

export async function withdrawProposal(db: Queryable, municipalityId: string, id: string): Promise<void> {
  await db.query("UPDATE proposals SET status = 'withdrawn', updated_at = now() WHERE municipality_id = $1 AND id = $2", [municipalityId, id]);
}

export async function addSupport(db: Queryable, municipalityId: string, proposalId: string, userId: string): Promise<boolean> {
  const rows = await db.query("INSERT INTO proposal_supports (municipality_id, proposal_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id", [municipalityId, proposalId, userId]);
  if (rows.length > 0) await db.query("UPDATE proposals SET supports_count = supports_count + 1 WHERE municipality_id = $1 AND id = $2", [municipalityId, proposalId]);
  return rows.length > 0;
}

export async function removeSupport(db: Queryable, municipalityId: string, proposalId: string, userId: string): Promise<boolean> {
  const rows = await db.query("DELETE FROM proposal_supports WHERE municipality_id = $1 AND proposal_id = $2 AND user_id = $3 RETURNING user_id", [municipalityId, proposalId, userId]);
  if (rows.length > 0) await db.query("UPDATE proposals SET supports_count = supports_count - 1 WHERE municipality_id = $1 AND id = $2", [municipalityId, proposalId]);
  return rows.length > 0;
}

export async function supportedBy(db: Queryable, municipalityId: string, proposalIds: string[], userId: string): Promise<Set<string>> {
  if (proposalIds.length === 0) return new Set();
  const rows = await db.query<{ proposal_id: string }>("SELECT proposal_id FROM proposal_supports WHERE municipality_id = $1 AND user_id = $2 AND proposal_id = ANY($3::uuid[])", [municipalityId, userId, proposalIds]);
  return new Set(rows.map((row) => row.proposal_id));
}

// ---------------------------------------------------------------------------------------------
// Comments

export async function insertComment(db: Queryable, municipalityId: string, input: { proposalId: string; parentId: string | null; authorId: string; body: string }): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    "INSERT INTO proposal_comments (municipality_id, proposal_id, parent_id, author_id, body) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    [municipalityId, input.proposalId, input.parentId, input.authorId, input.body],
  );
  return row!.id;
}

export async function getComment(db: Queryable, municipalityId: string, id: string): Promise<(CommentRow & { author_phone: string | null; author_email: string | null; author_locale: string | null }) | undefined> {
  const [row] = await db.query<CommentRow & { author_phone: string | null; author_email: string | null; author_locale: string | null }>(
    `SELECT c.id, c.proposal_id, c.parent_id, c.author_id, u.name AS author_name, u.phone AS author_phone, u.email AS author_email, u.locale AS author_locale,
       c.body, c.hidden_at, c.hidden_reason, c.created_at
     FROM proposal_comments c JOIN users u ON u.id = c.author_id WHERE c.municipality_id = $1 AND c.id = $2`,
    [municipalityId, id],
  );
  return row;
}

export async function listComments(db: Queryable, municipalityId: string, proposalId: string): Promise<CommentRow[]> {
  return db.query<CommentRow>(
    `SELECT c.id, c.proposal_id, c.parent_id, c.author_id, u.name AS author_name, c.body, c.hidden_at, c.hidden_reason, c.created_at
     FROM proposal_comments c JOIN users u ON u.id = c.author_id WHERE c.municipality_id = $1 AND c.proposal_id = $2 ORDER BY c.created_at, c.id`,
    [municipalityId, proposalId],
  );
}

// ---------------------------------------------------------------------------------------------
// Moderation

export async function flag(db: Queryable, municipalityId: string, input: { subjectType: "proposal" | "comment"; subjectId: string; reporterId: string; reason: string; details: string }): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO content_flags (municipality_id, subject_type, subject_id, reporter_id, reason, details) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (municipality_id, subject_type, subject_id, reporter_id) DO NOTHING RETURNING id`,
    [municipalityId, input.subjectType, input.subjectId, input.reporterId, input.reason, input.details],
  );
  return rows.length > 0;
}

export async function openFlags(db: Queryable, municipalityId: string): Promise<FlagSummary[]> {
  return db.query<FlagSummary>(
    `SELECT f.subject_type, f.subject_id, array_agg(DISTINCT f.reason) AS reasons, count(*)::int AS count, min(f.created_at) AS first_at,
       COALESCE(p.title, cp.title) AS title, left(COALESCE(p.body, c.body), 200) AS excerpt, COALESCE(p.hidden_at, c.hidden_at) AS hidden_at,
       pr.slug AS process_slug, COALESCE(p.id, cp.id) AS proposal_id
     FROM content_flags f
     LEFT JOIN proposals p ON f.subject_type = 'proposal' AND p.municipality_id = f.municipality_id AND p.id = f.subject_id
     LEFT JOIN proposal_comments c ON f.subject_type = 'comment' AND c.municipality_id = f.municipality_id AND c.id = f.subject_id
     LEFT JOIN proposals cp ON cp.municipality_id = c.municipality_id AND cp.id = c.proposal_id
     JOIN processes pr ON pr.municipality_id = f.municipality_id AND pr.id = COALESCE(p.process_id, cp.process_id)
     WHERE f.municipality_id = $1 AND f.resolved_at IS NULL
     GROUP BY f.subject_type, f.subject_id, p.title, cp.title, p.body, c.body, p.hidden_at, c.hidden_at, pr.slug, p.id, cp.id
     ORDER BY count(*) DESC, min(f.created_at)`,
    [municipalityId],
  );
}

export async function hide(db: Queryable, municipalityId: string, subjectType: "proposal" | "comment", id: string, reason: string, actorId: string): Promise<boolean> {
  const table = subjectType === "proposal" ? "proposals" : "proposal_comments";
  const rows = await db.query(`UPDATE ${table} SET hidden_at = now(), hidden_reason = $3, hidden_by = $4 WHERE municipality_id = $1 AND id = $2 AND hidden_at IS NULL RETURNING id`, [municipalityId, id, reason, actorId]);
  await db.query("UPDATE content_flags SET resolved_at = now() WHERE municipality_id = $1 AND subject_type = $2 AND subject_id = $3 AND resolved_at IS NULL", [municipalityId, subjectType, id]);
  return rows.length > 0;
}

export async function dismissFlags(db: Queryable, municipalityId: string, subjectType: "proposal" | "comment", id: string): Promise<boolean> {
  return (await db.query("UPDATE content_flags SET resolved_at = now() WHERE municipality_id = $1 AND subject_type = $2 AND subject_id = $3 AND resolved_at IS NULL RETURNING id", [municipalityId, subjectType, id])).length > 0;
}
