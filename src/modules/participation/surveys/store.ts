import type { Queryable } from "../../../core/db/index.js";

/** The SQL of surveys and their responses: every query names the municipality it works in. */

export type SurveyStatus = "draft" | "open" | "closed";

export interface SurveyRow {
  municipality_id: string;
  id: string;
  process_id: string;
  title: string;
  description: string;
  /** As stored; read it through definitionOf(). */
  definition: unknown;
  status: SurveyStatus;
  opens_at: Date | null;
  closes_at: Date | null;
  publish_texts: boolean;
  results_public: boolean;
  created_at: Date;
  updated_at: Date;
  /** Responses received so far. */
  responses: number;
}

export interface SurveySettings {
  title: string;
  description: string;
  /** null: from when it is opened. */
  opensAt: Date | null;
  /** null: until it is closed by hand. */
  closesAt: Date | null;
  publishTexts: boolean;
  resultsPublic: boolean;
}

export interface ResponseRow {
  answers: Record<string, unknown>;
  submitted_at: Date;
}

const COLUMNS = `s.municipality_id, s.id, s.process_id, s.title, s.description, s.definition, s.status, s.opens_at, s.closes_at, s.publish_texts,
  s.results_public, s.created_at, s.updated_at,
  (SELECT count(*)::int FROM survey_responses r WHERE r.municipality_id = s.municipality_id AND r.survey_id = s.id) AS responses`;

export async function getSurvey(db: Queryable, municipalityId: string, id: string): Promise<SurveyRow | undefined> {
  const [row] = await db.query<SurveyRow>(`SELECT ${COLUMNS} FROM surveys s WHERE s.municipality_id = $1 AND s.id = $2`, [municipalityId, id]);
  return row;
}

export async function listSurveys(db: Queryable, municipalityId: string, processId: string, options: { visibleOnly: boolean }): Promise<SurveyRow[]> {
  return db.query<SurveyRow>(
    `SELECT ${COLUMNS} FROM surveys s WHERE s.municipality_id = $1 AND s.process_id = $2 ${options.visibleOnly ? "AND s.status <> 'draft'" : ""} ORDER BY s.created_at DESC, s.id`,
    [municipalityId, processId],
  );
}

/**
 * Locks the survey's row for the rest of the transaction and reads the database's clock: the
 * clock the response trigger reads. Undefined when there is no such survey.
 */
export async function lockSurvey(tx: Queryable, municipalityId: string, id: string, mode: "UPDATE" | "SHARE"): Promise<Date | undefined> {
  const [lock] = await tx.query<{ db_now: Date }>(`SELECT now() AS db_now FROM surveys WHERE municipality_id = $1 AND id = $2 FOR ${mode}`, [municipalityId, id]);
  return lock ? new Date(lock.db_now) : undefined;
}

export async function insertSurvey(db: Queryable, municipalityId: string, actorId: string, processId: string, input: SurveySettings): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO surveys (municipality_id, process_id, title, description, opens_at, closes_at, publish_texts, results_public, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [municipalityId, processId, input.title, input.description, input.opensAt, input.closesAt, input.publishTexts, input.resultsPublic, actorId],
  );
  return row!.id;
}

export async function updateSurveySettings(db: Queryable, municipalityId: string, id: string, input: SurveySettings): Promise<void> {
  await db.query(
    `UPDATE surveys SET title = $3, description = $4, opens_at = $5, closes_at = $6, publish_texts = $7, results_public = $8, updated_at = now()
     WHERE municipality_id = $1 AND id = $2`,
    [municipalityId, id, input.title, input.description, input.opensAt, input.closesAt, input.publishTexts, input.resultsPublic],
  );
}

export async function saveDefinition(db: Queryable, municipalityId: string, id: string, definition: unknown): Promise<void> {
  await db.query("UPDATE surveys SET definition = $3::jsonb, updated_at = now() WHERE municipality_id = $1 AND id = $2", [municipalityId, id, JSON.stringify(definition)]);
}

export async function setSurveyStatus(db: Queryable, municipalityId: string, id: string, status: Exclude<SurveyStatus, "draft">): Promise<void> {
  await db.query("UPDATE surveys SET status = $3, updated_at = now() WHERE municipality_id = $1 AND id = $2", [municipalityId, id, status]);
}

export async function getResponse(db: Queryable, municipalityId: string, surveyId: string, userId: string): Promise<ResponseRow | undefined> {
  const [row] = await db.query<ResponseRow>("SELECT answers, submitted_at FROM survey_responses WHERE municipality_id = $1 AND survey_id = $2 AND user_id = $3", [
    municipalityId,
    surveyId,
    userId,
  ]);
  return row;
}

/** Every response, oldest first, and nothing that says whose it is. */
export async function listResponses(db: Queryable, municipalityId: string, surveyId: string): Promise<ResponseRow[]> {
  return db.query<ResponseRow>("SELECT answers, submitted_at FROM survey_responses WHERE municipality_id = $1 AND survey_id = $2 ORDER BY submitted_at, user_id", [
    municipalityId,
    surveyId,
  ]);
}

/** The response's time of receipt; the primary key refuses a second one from the same person. */
export async function insertResponse(db: Queryable, municipalityId: string, surveyId: string, userId: string, answers: Record<string, unknown>): Promise<Date> {
  const [row] = await db.query<{ submitted_at: Date }>(
    "INSERT INTO survey_responses (municipality_id, survey_id, user_id, answers) VALUES ($1, $2, $3, $4::jsonb) RETURNING submitted_at",
    [municipalityId, surveyId, userId, JSON.stringify(answers)],
  );
  return row!.submitted_at;
}

/** A survey the public may see, with its process's slug for its address. */
export type PublicSurveyRow = SurveyRow & { process_slug: string };

const PUBLIC_SURVEYS = `FROM surveys s JOIN processes p ON p.municipality_id = s.municipality_id AND p.id = s.process_id
  WHERE s.municipality_id = $1 AND s.status <> 'draft' AND p.status = 'published'`;

/** One page of the surveys of published processes (drafts left out), the latest first, and how many there are. */
export async function pagePublicSurveys(db: Queryable, municipalityId: string, page: { limit: number; offset: number }): Promise<{ total: number; rows: PublicSurveyRow[] }> {
  const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${PUBLIC_SURVEYS}`, [municipalityId]);
  const rows = await db.query<PublicSurveyRow>(`SELECT ${COLUMNS}, p.slug AS process_slug ${PUBLIC_SURVEYS} ORDER BY s.created_at DESC, s.id LIMIT $2 OFFSET $3`, [municipalityId, page.limit, page.offset]);
  return { total: count?.n ?? 0, rows };
}

export async function getPublicSurvey(db: Queryable, municipalityId: string, id: string): Promise<PublicSurveyRow | undefined> {
  const [row] = await db.query<PublicSurveyRow>(`SELECT ${COLUMNS}, p.slug AS process_slug ${PUBLIC_SURVEYS} AND s.id = $2`, [municipalityId, id]);
  return row;
}
