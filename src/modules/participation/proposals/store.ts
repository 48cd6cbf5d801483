import type { Queryable } from "../../../core/db/index.js";

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

export type ProposalSort = "supports" | "newest" | "random";

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

export async function searchProposals(db: Queryable, municipalityId: string, query: ProposalQuery): Promise<{ rows: ProposalRow[]; total: number }> {
  const params: unknown[] = [municipalityId, query.processId];
  const where = ["p.municipality_id = $1", "p.process_id = $2"];
  if (!query.includeHidden) where.push("p.hidden_at IS NULL");
  if (query.text.trim()) {
    params.push(query.text.trim());
    where.push(`(p.search_vector @@ plainto_tsquery('french', unaccent($${params.length})) OR p.search_vector @@ plainto_tsquery('portuguese', unaccent($${params.length})) OR unaccent(p.title) ILIKE '%' || unaccent($${params.length}) || '%')`);
  }
  if (query.category) {
    params.push(query.category);
    where.push(`p.category = $${params.length}`);
  }
  if (query.status) {
    params.push(query.status);
    where.push(`p.status = $${params.length}`);
  }
  const from = `FROM proposals p JOIN users u ON u.id = p.author_id WHERE ${where.join(" AND ")}`;
  const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${from}`, params);
  let order = "p.created_at DESC, p.id";
  if (query.sort === "supports") order = "p.supports_count DESC, p.created_at DESC, p.id";
  if (query.sort === "random") {
    // md5 of the id with the seed: a shuffle every visitor can page through and share.
    params.push(String(query.seed));
    order = `md5(p.id::text || $${params.length}), p.id`;
  }
  params.push(query.limit, query.offset);
  const rows = await db.query<ProposalRow>(`SELECT ${PROPOSAL_COLUMNS} ${from} ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  return { rows, total: count?.n ?? 0 };
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
