import type { PublicText, SitemapEntry } from "../../core/modules.js";
import type { Queryable } from "../../core/db/index.js";

/** The SQL of participation shared by its parts (processes, phases, followers, verified residents): every query names the municipality it works in. */

export interface ProcessRow {
  municipality_id: string;
  id: string;
  slug: string;
  title: string;
  description: string;
  scope: string;
  categories: string[];
  status: "draft" | "published";
  created_at: Date;
  updated_at: Date;
}

export interface PhaseRow {
  municipality_id: string;
  id: string;
  process_id: string;
  title: string;
  description: string;
  starts_on: string;
  ends_on: string;
  proposals_open: boolean;
  supports_open: boolean;
  opening_notified_at: Date | null;
}

// ---------------------------------------------------------------------------------------------
// Processes and phases

export interface ProcessInput {
  slug: string;
  title: string;
  description: string;
  scope: string;
  categories: string[];
}

export async function insertProcess(db: Queryable, municipalityId: string, actorId: string, input: ProcessInput): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    "INSERT INTO processes (municipality_id, slug, title, description, scope, categories, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    [municipalityId, input.slug, input.title, input.description, input.scope, input.categories, actorId],
  );
  return row!.id;
}

export async function updateProcess(db: Queryable, municipalityId: string, id: string, input: ProcessInput): Promise<boolean> {
  const rows = await db.query(
    "UPDATE processes SET slug = $3, title = $4, description = $5, scope = $6, categories = $7, updated_at = now() WHERE municipality_id = $1 AND id = $2 RETURNING id",
    [municipalityId, id, input.slug, input.title, input.description, input.scope, input.categories],
  );
  return rows.length > 0;
}

export async function setProcessStatus(db: Queryable, municipalityId: string, id: string, status: ProcessRow["status"]): Promise<boolean> {
  return (await db.query("UPDATE processes SET status = $3, updated_at = now() WHERE municipality_id = $1 AND id = $2 RETURNING id", [municipalityId, id, status])).length > 0;
}

export async function getProcess(db: Queryable, municipalityId: string, id: string): Promise<ProcessRow | undefined> {
  const [row] = await db.query<ProcessRow>("SELECT * FROM processes WHERE municipality_id = $1 AND id = $2", [municipalityId, id]);
  return row;
}

export async function getProcessBySlug(db: Queryable, municipalityId: string, slug: string): Promise<ProcessRow | undefined> {
  const [row] = await db.query<ProcessRow>("SELECT * FROM processes WHERE municipality_id = $1 AND slug = $2", [municipalityId, slug]);
  return row;
}

export async function listProcesses(db: Queryable, municipalityId: string, options: { publishedOnly: boolean }): Promise<ProcessRow[]> {
  return db.query<ProcessRow>(`SELECT * FROM processes WHERE municipality_id = $1 ${options.publishedOnly ? "AND status = 'published'" : ""} ORDER BY created_at DESC`, [municipalityId]);
}

export async function listPhases(db: Queryable, municipalityId: string, processIds: string[]): Promise<PhaseRow[]> {
  if (processIds.length === 0) return [];
  return db.query<PhaseRow>("SELECT * FROM process_phases WHERE municipality_id = $1 AND process_id = ANY($2::uuid[]) ORDER BY starts_on, ends_on, title", [municipalityId, processIds]);
}

export async function insertPhase(db: Queryable, municipalityId: string, processId: string, phase: Omit<PhaseRow, "municipality_id" | "id" | "process_id" | "opening_notified_at">): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO process_phases (municipality_id, process_id, title, description, starts_on, ends_on, proposals_open, supports_open)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [municipalityId, processId, phase.title, phase.description, phase.starts_on, phase.ends_on, phase.proposals_open, phase.supports_open],
  );
  return row!.id;
}

export async function deletePhase(db: Queryable, municipalityId: string, processId: string, phaseId: string): Promise<boolean> {
  return (await db.query("DELETE FROM process_phases WHERE municipality_id = $1 AND process_id = $2 AND id = $3 RETURNING id", [municipalityId, processId, phaseId])).length > 0;
}

/** Phases of published processes that have opened and whose followers were not told yet. */
export async function phasesToAnnounce(db: Queryable): Promise<(PhaseRow & { process_title: string; process_slug: string })[]> {
  return db.query(
    `SELECT ph.*, p.title AS process_title, p.slug AS process_slug
     FROM process_phases ph JOIN processes p ON p.municipality_id = ph.municipality_id AND p.id = ph.process_id
     JOIN municipalities m ON m.id = ph.municipality_id
     WHERE p.status = 'published' AND ph.opening_notified_at IS NULL
       AND ph.starts_on <= (now() AT TIME ZONE m.time_zone)::date AND ph.ends_on >= (now() AT TIME ZONE m.time_zone)::date`,
  );
}

export async function markPhaseAnnounced(db: Queryable, municipalityId: string, phaseId: string): Promise<boolean> {
  return (await db.query("UPDATE process_phases SET opening_notified_at = now() WHERE municipality_id = $1 AND id = $2 AND opening_notified_at IS NULL RETURNING id", [municipalityId, phaseId])).length > 0;
}

export async function follow(db: Queryable, municipalityId: string, processId: string, userId: string, on: boolean): Promise<void> {
  if (on) await db.query("INSERT INTO process_followers (municipality_id, process_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", [municipalityId, processId, userId]);
  else await db.query("DELETE FROM process_followers WHERE municipality_id = $1 AND process_id = $2 AND user_id = $3", [municipalityId, processId, userId]);
}

export async function isFollowing(db: Queryable, municipalityId: string, processId: string, userId: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM process_followers WHERE municipality_id = $1 AND process_id = $2 AND user_id = $3", [municipalityId, processId, userId])).length > 0;
}

export async function followers(db: Queryable, municipalityId: string, processId: string): Promise<{ id: string; phone: string | null; email: string | null; locale: string | null }[]> {
  return db.query(
    "SELECT u.id, u.phone, u.email, u.locale FROM process_followers f JOIN users u ON u.id = f.user_id WHERE f.municipality_id = $1 AND f.process_id = $2",
    [municipalityId, processId],
  );
}

// ---------------------------------------------------------------------------------------------
// Verified residents

export async function verification(db: Queryable, municipalityId: string, userId: string): Promise<{ method: string; verified_at: Date } | undefined> {
  const [row] = await db.query<{ method: string; verified_at: Date }>("SELECT method, verified_at FROM resident_verifications WHERE municipality_id = $1 AND user_id = $2", [municipalityId, userId]);
  return row;
}

export async function verify(db: Queryable, municipalityId: string, userId: string, method: "sms_code" | "document", verifiedBy: string | null): Promise<boolean> {
  const rows = await db.query(
    "INSERT INTO resident_verifications (municipality_id, user_id, method, verified_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING user_id",
    [municipalityId, userId, method, verifiedBy],
  );
  return rows.length > 0;
}

export async function saveVerificationCode(db: Queryable, municipalityId: string, userId: string, codeHash: string, phone: string, expiresAt: Date): Promise<void> {
  await db.query(
    `INSERT INTO resident_verification_codes (municipality_id, user_id, code_hash, phone, expires_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (municipality_id, user_id) DO UPDATE SET code_hash = EXCLUDED.code_hash, phone = EXCLUDED.phone, expires_at = EXCLUDED.expires_at, attempts = 0`,
    [municipalityId, userId, codeHash, phone, expiresAt],
  );
}

export async function verificationCode(db: Queryable, municipalityId: string, userId: string): Promise<{ code_hash: string; expires_at: Date; attempts: number } | undefined> {
  const [row] = await db.query<{ code_hash: string; expires_at: Date; attempts: number }>(
    "SELECT code_hash, expires_at, attempts FROM resident_verification_codes WHERE municipality_id = $1 AND user_id = $2 FOR UPDATE",
    [municipalityId, userId],
  );
  return row;
}

export async function countFailedCode(db: Queryable, municipalityId: string, userId: string): Promise<void> {
  await db.query("UPDATE resident_verification_codes SET attempts = attempts + 1 WHERE municipality_id = $1 AND user_id = $2", [municipalityId, userId]);
}

export async function dropVerificationCode(db: Queryable, municipalityId: string, userId: string): Promise<void> {
  await db.query("DELETE FROM resident_verification_codes WHERE municipality_id = $1 AND user_id = $2", [municipalityId, userId]);
}

export async function userContact(db: Queryable, userId: string): Promise<{ phone: string | null; email: string | null; locale: string | null; name: string } | undefined> {
  const [row] = await db.query<{ phone: string | null; email: string | null; locale: string | null; name: string }>("SELECT phone, email, locale, name FROM users WHERE id = $1", [userId]);
  return row;
}

/** Proposals anyone can read (not hidden, not withdrawn, in a published process): a figure of the front pages. */
export async function countPublicProposals(db: Queryable, municipalityIds: string[]): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM proposals p JOIN processes pr ON pr.municipality_id = p.municipality_id AND pr.id = p.process_id
     WHERE p.municipality_id = ANY($1::uuid[]) AND p.hidden_at IS NULL AND p.status <> 'withdrawn' AND pr.status = 'published'`,
    [municipalityIds],
  );
  return row?.count ?? 0;
}

/** Published meetings that have ended by `now`: a figure of the front pages. */
export async function countMeetingsHeld(db: Queryable, municipalityIds: string[], now: Date): Promise<number> {
  const [row] = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM meetings WHERE municipality_id = ANY($1::uuid[]) AND status = 'published' AND ends_at <= $2", [
    municipalityIds,
    now,
  ]);
  return row?.count ?? 0;
}

/** Published processes with a phase running on the municipality's `today`, with the day it ends. */
export async function processesOpenOn(db: Queryable, municipalityId: string, today: string): Promise<{ slug: string; title: string; ends_on: string }[]> {
  return db.query(
    `SELECT pr.slug, pr.title, to_char(max(ph.ends_on), 'YYYY-MM-DD') AS ends_on
     FROM processes pr JOIN process_phases ph ON ph.municipality_id = pr.municipality_id AND ph.process_id = pr.id
     WHERE pr.municipality_id = $1 AND pr.status = 'published' AND ph.starts_on <= $2::date AND ph.ends_on >= $2::date
     GROUP BY pr.slug, pr.title ORDER BY max(ph.ends_on), pr.title`,
    [municipalityId, today],
  );
}

/** Published budgets whose vote is open at `now`, with their process's address. */
export async function budgetsVotingAt(db: Queryable, municipalityId: string, now: Date): Promise<{ id: string; title: string; process_slug: string; voting_closes_at: Date }[]> {
  return db.query(
    `SELECT b.id, b.title, pr.slug AS process_slug, b.voting_closes_at
     FROM budgets b JOIN processes pr ON pr.municipality_id = b.municipality_id AND pr.id = b.process_id
     WHERE b.municipality_id = $1 AND b.status = 'published' AND pr.status = 'published' AND b.voting_opens_at <= $2 AND b.voting_closes_at > $2
     ORDER BY b.voting_closes_at`,
    [municipalityId, now],
  );
}

/** Published meetings that have not ended and start before `until`. */
export async function meetingsBetween(db: Queryable, municipalityId: string, now: Date, until: Date): Promise<{ id: string; title: string; starts_at: Date }[]> {
  return db.query(
    "SELECT id, title, starts_at FROM meetings WHERE municipality_id = $1 AND status = 'published' AND ends_at > $2 AND starts_at < $3 ORDER BY starts_at, id",
    [municipalityId, now, until],
  );
}

/**
 * The published processes a person took part in, in the municipalities named: proposed, supported
 * or commented a proposal, answered a survey or voted a budget. For their account page.
 */
export async function listProcessesTakenPartIn(db: Queryable, municipalityIds: string[], userId: string): Promise<{ municipality_id: string; slug: string; title: string }[]> {
  if (municipalityIds.length === 0) return [];
  return db.query(
    `SELECT p.municipality_id, p.slug, p.title FROM processes p
     WHERE p.municipality_id = ANY($1::uuid[]) AND p.status = 'published' AND p.id IN (
       SELECT process_id FROM proposals WHERE municipality_id = p.municipality_id AND author_id = $2
       UNION SELECT pr.process_id FROM proposal_supports s JOIN proposals pr ON pr.municipality_id = s.municipality_id AND pr.id = s.proposal_id
             WHERE s.municipality_id = p.municipality_id AND s.user_id = $2
       UNION SELECT pr.process_id FROM proposal_comments c JOIN proposals pr ON pr.municipality_id = c.municipality_id AND pr.id = c.proposal_id
             WHERE c.municipality_id = p.municipality_id AND c.author_id = $2
       UNION SELECT s.process_id FROM survey_responses r JOIN surveys s ON s.municipality_id = r.municipality_id AND s.id = r.survey_id
             WHERE r.municipality_id = p.municipality_id AND r.user_id = $2
       UNION SELECT b.process_id FROM budget_ballots v JOIN budgets b ON b.municipality_id = v.municipality_id AND b.id = v.budget_id
             WHERE v.municipality_id = p.municipality_id AND v.user_id = $2)
     ORDER BY p.updated_at DESC LIMIT 50`,
    [municipalityIds, userId],
  );
}

/** What the public reads of participation: published processes, their phases, proposals, meetings, budgets and their projects, surveys. */
export async function publicTexts(db: Queryable, municipalityId: string): Promise<PublicText[]> {
  return db.query<PublicText>(
    `SELECT 'process: ' || title AS "where", title || E'\n' || description AS text FROM processes WHERE municipality_id = $1 AND status = 'published'
     UNION ALL SELECT 'phase: ' || ph.title, ph.title || E'\n' || ph.description FROM process_phases ph JOIN processes p ON p.municipality_id = ph.municipality_id AND p.id = ph.process_id
       WHERE ph.municipality_id = $1 AND p.status = 'published'
     UNION ALL SELECT 'proposal: ' || title, title || E'\n' || body FROM proposals WHERE municipality_id = $1 AND hidden_at IS NULL
     UNION ALL SELECT 'meeting: ' || title, title || E'\n' || description FROM meetings WHERE municipality_id = $1 AND status <> 'draft'
     UNION ALL SELECT 'budget: ' || title, title || E'\n' || description FROM budgets WHERE municipality_id = $1 AND status = 'published'
     UNION ALL SELECT 'budget project: ' || bp.title, bp.title || E'\n' || bp.description FROM budget_projects bp JOIN budgets b ON b.municipality_id = bp.municipality_id AND b.id = bp.budget_id
       WHERE bp.municipality_id = $1 AND b.status = 'published'
     UNION ALL SELECT 'survey: ' || title, title || E'\n' || description FROM surveys WHERE municipality_id = $1 AND status <> 'draft'`,
    [municipalityId],
  );
}

/**
 * Participation's public pages for the municipality's sitemap: published processes, and in them
 * the visible proposals, published budgets and surveys past their draft; the meetings.
 */
export async function sitemapEntries(db: Queryable, municipalityId: string, slug: string): Promise<SitemapEntry[]> {
  const rows = await db.query<{ path: string; modified: Date | null }>(
    `WITH published AS (SELECT id, slug, updated_at FROM processes WHERE municipality_id = $1 AND status = 'published')
     SELECT '/participation/' || slug AS path, updated_at AS modified FROM published
     UNION ALL SELECT '/participation/' || p.slug || '/proposals/' || pr.id, pr.updated_at FROM proposals pr JOIN published p ON p.id = pr.process_id
       WHERE pr.municipality_id = $1 AND pr.hidden_at IS NULL
     UNION ALL SELECT '/participation/' || p.slug || '/budgets/' || b.id, b.updated_at FROM budgets b JOIN published p ON p.id = b.process_id
       WHERE b.municipality_id = $1 AND b.status = 'published'
     UNION ALL SELECT '/participation/' || p.slug || '/surveys/' || s.id, s.updated_at FROM surveys s JOIN published p ON p.id = s.process_id
       WHERE s.municipality_id = $1 AND s.status <> 'draft'
     UNION ALL SELECT '/meetings/' || id, updated_at FROM meetings WHERE municipality_id = $1 AND status <> 'draft'
     ORDER BY path`,
    [municipalityId],
  );
  return [{ path: `/${slug}/participation` }, { path: `/${slug}/meetings` }, ...rows.map((row) => ({ path: `/${slug}${row.path}`, modified: row.modified }))];
}
