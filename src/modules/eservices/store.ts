import type { PublicText, SitemapEntry } from "../../core/modules.js";
import type { Queryable } from "../../core/db/index.js";
import type { Answers, FormDefinition } from "./form-definition.js";
import type { CertificateTemplate, ProcedureCategory, ProcedureInput } from "./schema.js";

/** The SQL of e-services: every query names the municipality it works in. */

export type ProcedureStatus = "draft" | "published" | "closed";

export interface ProcedureRow {
  municipality_id: string;
  id: string;
  slug: string;
  title: string;
  description: string;
  category: ProcedureCategory;
  form: FormDefinition;
  form_version: number;
  documents: string[];
  fee_amount: number;
  fee_payment: string;
  processing_days: number;
  instructor_roles: string[];
  retention_days: number;
  certificate: CertificateTemplate | null;
  status: ProcedureStatus;
  created_at: Date;
  updated_at: Date;
}

export type DossierState = "draft" | "submitted" | "under_instruction" | "accepted" | "refused" | "closed_without_follow_up";

export interface DossierRow {
  municipality_id: string;
  id: string;
  procedure_id: string;
  reference: string | null;
  state: DossierState;
  correction_requested: boolean;
  channel: "web" | "counter";
  applicant_id: string | null;
  applicant_name: string;
  applicant_phone: string | null;
  applicant_email: string | null;
  applicant_locale: "fr" | "pt" | "en";
  answers: Answers;
  form_version: number;
  filed_by: string | null;
  instructor_id: string | null;
  submitted_at: Date | null;
  due_on: string | null;
  decided_at: Date | null;
  decision_reason: string;
  erased_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface DossierListItem extends DossierRow {
  procedure_title: string;
  procedure_slug: string;
  instructor_name: string | null;
  overdue: boolean;
}

export interface DossierEventRow {
  id: string;
  kind: "transition" | "note" | "correction_answered" | "reassigned";
  from_state: DossierState | null;
  to_state: DossierState | null;
  internal: boolean;
  body: string;
  actor_id: string | null;
  actor_name: string | null;
  created_at: Date;
}

export interface CertificateRow {
  municipality_id: string;
  id: string;
  dossier_id: string;
  number: string;
  kid: string;
  token: string;
  /** Null once the dossier was erased after its retention period. */
  file_id: string | null;
  pdf_sha256: string;
  pdf_signature: string;
  issued_at: Date;
  revoked_at: Date | null;
  revoked_reason: string;
  revoked_by: string | null;
  /** As printed: e.g. "Le Maire" and the name under it; empty on certificates issued before they were printed. */
  signatory_office: string;
  signatory_name: string;
  /** The code printed under the QR code, bare (no hyphens); null on certificates issued before. */
  verification_code: string | null;
}

export interface SigningKeyRow {
  municipality_id: string;
  kid: string;
  public_key: string;
  private_key: string;
  created_at: Date;
  retired_at: Date | null;
}

// ---------------------------------------------------------------------------------------------
// Procedures

const procedureValues = (input: ProcedureInput) => [
  input.slug,
  input.title,
  input.description,
  input.category,
  JSON.stringify(input.form),
  JSON.stringify(input.documents),
  input.feeAmount,
  input.feePayment,
  input.processingDays,
  input.instructorRoles,
  input.retentionDays,
  input.certificate ? JSON.stringify(input.certificate) : null,
];

export async function insertProcedure(db: Queryable, municipalityId: string, input: ProcedureInput, status: ProcedureStatus = "draft"): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO procedures (municipality_id, slug, title, description, category, form, documents, fee_amount, fee_payment, processing_days, instructor_roles, retention_days, certificate, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
    [municipalityId, ...procedureValues(input), status],
  );
  return row!.id;
}

export async function updateProcedure(db: Queryable, municipalityId: string, id: string, input: ProcedureInput): Promise<boolean> {
  const rows = await db.query(
    `UPDATE procedures SET slug = $3, title = $4, description = $5, category = $6,
       form_version = form_version + CASE WHEN form = $7::jsonb THEN 0 ELSE 1 END, form = $7,
       documents = $8, fee_amount = $9, fee_payment = $10, processing_days = $11, instructor_roles = $12, retention_days = $13,
       certificate = $14, updated_at = now()
     WHERE municipality_id = $1 AND id = $2 RETURNING id`,
    [municipalityId, id, ...procedureValues(input)],
  );
  return rows.length > 0;
}

export async function setProcedureStatus(db: Queryable, municipalityId: string, id: string, status: ProcedureStatus): Promise<boolean> {
  const rows = await db.query("UPDATE procedures SET status = $3, updated_at = now() WHERE municipality_id = $1 AND id = $2 RETURNING id", [municipalityId, id, status]);
  return rows.length > 0;
}

export async function getProcedure(db: Queryable, municipalityId: string, id: string): Promise<ProcedureRow | undefined> {
  const [row] = await db.query<ProcedureRow>("SELECT * FROM procedures WHERE municipality_id = $1 AND id = $2", [municipalityId, id]);
  return row;
}

export async function getProcedureBySlug(db: Queryable, municipalityId: string, slug: string): Promise<ProcedureRow | undefined> {
  const [row] = await db.query<ProcedureRow>("SELECT * FROM procedures WHERE municipality_id = $1 AND slug = $2", [municipalityId, slug]);
  return row;
}

export async function listProcedures(db: Queryable, municipalityId: string, options: { publishedOnly: boolean }): Promise<ProcedureRow[]> {
  return db.query<ProcedureRow>(
    `SELECT * FROM procedures WHERE municipality_id = $1 ${options.publishedOnly ? "AND status = 'published'" : ""} ORDER BY category, title`,
    [municipalityId],
  );
}

/** Whether the municipality offers any procedure online: without one it has no statistics to publish. */
export async function hasPublishedProcedure(db: Queryable, municipalityId: string): Promise<boolean> {
  const [row] = await db.query<{ offered: boolean }>("SELECT EXISTS (SELECT 1 FROM procedures WHERE municipality_id = $1 AND status = 'published') AS offered", [municipalityId]);
  return row?.offered === true;
}

// ---------------------------------------------------------------------------------------------
// Dossiers

export async function insertDossier(
  db: Queryable,
  municipalityId: string,
  input: { procedureId: string; formVersion: number; channel: "web" | "counter"; applicantId: string | null; name: string; phone: string | null; email: string | null; locale: string; answers: Answers; filedBy: string | null },
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO dossiers (municipality_id, procedure_id, form_version, channel, applicant_id, applicant_name, applicant_phone, applicant_email, applicant_locale, answers, filed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [municipalityId, input.procedureId, input.formVersion, input.channel, input.applicantId, input.name, input.phone, input.email, input.locale, JSON.stringify(input.answers), input.filedBy],
  );
  return row!.id;
}

export async function getDossier(db: Queryable, municipalityId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<DossierRow | undefined> {
  const [row] = await db.query<DossierRow>(`SELECT * FROM dossiers WHERE municipality_id = $1 AND id = $2${options.forUpdate ? " FOR UPDATE" : ""}`, [municipalityId, id]);
  return row;
}

export async function findDossierByReference(db: Queryable, municipalityId: string, reference: string): Promise<DossierRow | undefined> {
  const [row] = await db.query<DossierRow>("SELECT * FROM dossiers WHERE municipality_id = $1 AND reference = $2", [municipalityId, reference]);
  return row;
}

export async function saveAnswers(db: Queryable, municipalityId: string, id: string, answers: Answers, formVersion: number): Promise<void> {
  await db.query("UPDATE dossiers SET answers = $3, form_version = $4, updated_at = now() WHERE municipality_id = $1 AND id = $2", [municipalityId, id, JSON.stringify(answers), formVersion]);
}

/** The next number of the year, taken under the counter row's lock: no gap, no duplicate. */
export async function nextDossierNumber(db: Queryable, municipalityId: string, year: number): Promise<number> {
  const [row] = await db.query<{ last_number: number }>(
    `INSERT INTO dossier_counters (municipality_id, year, last_number) VALUES ($1, $2, 1)
     ON CONFLICT (municipality_id, year) DO UPDATE SET last_number = dossier_counters.last_number + 1
     RETURNING last_number`,
    [municipalityId, year],
  );
  return row!.last_number;
}

export async function applyTransition(
  db: Queryable,
  municipalityId: string,
  id: string,
  change: { state: DossierState; correctionRequested: boolean; reference?: string; submittedAt?: boolean; dueOn?: string; instructorId?: string | null; decided?: boolean; reason?: string },
): Promise<void> {
  await db.query(
    `UPDATE dossiers SET state = $3, correction_requested = $4,
       reference = COALESCE($5, reference),
       submitted_at = CASE WHEN $6::boolean THEN COALESCE(submitted_at, now()) ELSE submitted_at END,
       due_on = COALESCE($7::date, due_on),
       instructor_id = CASE WHEN $8::boolean THEN $9::uuid ELSE instructor_id END,
       decided_at = CASE WHEN $10::boolean THEN now() WHEN $3 IN ('submitted', 'under_instruction') THEN NULL ELSE decided_at END,
       decision_reason = COALESCE($11, decision_reason),
       updated_at = now()
     WHERE municipality_id = $1 AND id = $2`,
    [
      municipalityId,
      id,
      change.state,
      change.correctionRequested,
      change.reference ?? null,
      change.submittedAt ?? false,
      change.dueOn ?? null,
      change.instructorId !== undefined,
      change.instructorId ?? null,
      change.decided ?? false,
      change.reason ?? null,
    ],
  );
}

export async function insertEvent(
  db: Queryable,
  municipalityId: string,
  dossierId: string,
  event: { kind: DossierEventRow["kind"]; from?: DossierState; to?: DossierState; internal?: boolean; body?: string; actorId: string | null },
): Promise<void> {
  await db.query(
    "INSERT INTO dossier_events (municipality_id, dossier_id, kind, from_state, to_state, internal, body, actor_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    [municipalityId, dossierId, event.kind, event.from ?? null, event.to ?? null, event.internal ?? false, event.body ?? "", event.actorId],
  );
}

/**
 * A dossier's history. The applicant's audience never receives internal notes, whatever the output
 * (page, export, follow-up): the filter is here so that no caller can forget it.
 */
export async function listEvents(db: Queryable, municipalityId: string, dossierId: string, options: { audience: "applicant" | "staff" }): Promise<DossierEventRow[]> {
  return db.query<DossierEventRow>(
    `SELECT e.id, e.kind, e.from_state, e.to_state, e.internal, e.body, e.actor_id, u.name AS actor_name, e.created_at
     FROM dossier_events e LEFT JOIN users u ON u.id = e.actor_id
     WHERE e.municipality_id = $1 AND e.dossier_id = $2 ${options.audience === "staff" ? "" : "AND NOT e.internal"}
     ORDER BY e.created_at, e.id`,
    [municipalityId, dossierId],
  );
}

export async function logAccess(db: Queryable, municipalityId: string, dossierId: string, actorId: string | null, action: "view" | "download" | "export"): Promise<void> {
  await db.query("INSERT INTO dossier_access_log (municipality_id, dossier_id, actor_id, action) VALUES ($1, $2, $3, $4)", [municipalityId, dossierId, actorId, action]);
}

export async function listAccess(db: Queryable, municipalityId: string, dossierId: string): Promise<{ actor_name: string | null; action: string; at: Date }[]> {
  return db.query(
    `SELECT u.name AS actor_name, a.action, a.at FROM dossier_access_log a LEFT JOIN users u ON u.id = a.actor_id
     WHERE a.municipality_id = $1 AND a.dossier_id = $2 ORDER BY a.at DESC, a.id DESC LIMIT 100`,
    [municipalityId, dossierId],
  );
}

const LIST_COLUMNS = `d.*, p.title AS procedure_title, p.slug AS procedure_slug, u.name AS instructor_name,
  (d.state IN ('submitted', 'under_instruction') AND d.due_on < $2::date) AS overdue`;

/** How the agents' list may be ordered; "urgency" (open first, nearest deadline) when none is chosen. */
export type QueueSort = "urgency" | "submitted" | "reference" | "state" | "due";

/** Each order ends on the id, so that pages never repeat or skip a row between two equal keys. */
const QUEUE_ORDER: Record<Exclude<QueueSort, "urgency">, string> = {
  submitted: "d.submitted_at",
  reference: "d.reference",
  state: "array_position(ARRAY['submitted', 'under_instruction', 'accepted', 'refused', 'closed_without_follow_up'], d.state)",
  due: "d.due_on",
};

/** LIKE's own characters, escaped so that what an agent types is matched as typed. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/** The instruction queue: dossiers past drafts, the most urgent first unless another order is asked. */
export async function listQueue(
  db: Queryable,
  municipalityId: string,
  today: string,
  filter: {
    procedureIds: string[];
    state: DossierState | "open" | "all";
    overdueOnly: boolean;
    mine: string | null;
    /** A reference (exact or its beginning) or part of the applicant's name, any case or accents. */
    search?: string;
    sort?: QueueSort;
    descending?: boolean;
    limit: number;
    offset: number;
  },
): Promise<{ rows: DossierListItem[]; total: number }> {
  const params: unknown[] = [municipalityId, today, filter.procedureIds];
  // $2 (today) is named in every query built here, even when no filter needs it.
  const where = ["d.municipality_id = $1", "$2::date IS NOT NULL", "d.state <> 'draft'", "d.procedure_id = ANY($3::uuid[])"];
  if (filter.state === "open") where.push("d.state IN ('submitted', 'under_instruction')");
  else if (filter.state !== "all") {
    params.push(filter.state);
    where.push(`d.state = $${params.length}`);
  }
  if (filter.overdueOnly) where.push("d.state IN ('submitted', 'under_instruction') AND d.due_on < $2::date");
  if (filter.mine) {
    params.push(filter.mine);
    where.push(`d.instructor_id = $${params.length}`);
  }
  const search = filter.search?.trim() ?? "";
  if (search) {
    // A reference is matched from its start (the pattern index), a name anywhere in it (trigrams).
    params.push(`${likeEscape(search.toUpperCase().replace(/\s+/g, ""))}%`, `%${likeEscape(search)}%`);
    where.push(`(d.reference LIKE $${params.length - 1} OR d.applicant_name_folded LIKE lower(unaccent($${params.length})))`);
  }
  const from = `FROM dossiers d JOIN procedures p ON p.municipality_id = d.municipality_id AND p.id = d.procedure_id LEFT JOIN users u ON u.id = d.instructor_id WHERE ${where.join(" AND ")}`;
  const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${from}`, params);
  params.push(filter.limit, filter.offset);
  const direction = filter.descending ? "DESC" : "ASC";
  const order =
    !filter.sort || filter.sort === "urgency"
      ? "(d.state IN ('submitted', 'under_instruction')) DESC, d.due_on NULLS LAST, d.submitted_at, d.id"
      : `${QUEUE_ORDER[filter.sort]} ${direction} NULLS LAST, d.id ${direction}`;
  const rows = await db.query<DossierListItem>(`SELECT ${LIST_COLUMNS} ${from} ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  return { rows, total: count?.n ?? 0 };
}

export async function listApplicantDossiers(db: Queryable, municipalityId: string, applicantId: string, today: string): Promise<DossierListItem[]> {
  return db.query<DossierListItem>(
    `SELECT ${LIST_COLUMNS} FROM dossiers d JOIN procedures p ON p.municipality_id = d.municipality_id AND p.id = d.procedure_id LEFT JOIN users u ON u.id = d.instructor_id
     WHERE d.municipality_id = $1 AND d.applicant_id = $3 AND d.erased_at IS NULL ORDER BY d.updated_at DESC`,
    [municipalityId, today, applicantId],
  );
}

/** Holds the person's account row until the transaction ends: their starts of a procedure go one at a time. */
export async function lockApplicant(db: Queryable, userId: string): Promise<void> {
  await db.query("SELECT id FROM users WHERE id = $1 FOR UPDATE", [userId]);
}

/** The person's latest draft of the procedure, if any: starting it again resumes that one. */
export async function latestDraft(db: Queryable, municipalityId: string, applicantId: string, procedureId: string): Promise<DossierRow | undefined> {
  const [row] = await db.query<DossierRow>(
    `SELECT * FROM dossiers WHERE municipality_id = $1 AND applicant_id = $2 AND procedure_id = $3 AND state = 'draft' AND erased_at IS NULL
     ORDER BY updated_at DESC, created_at DESC LIMIT 1`,
    [municipalityId, applicantId, procedureId],
  );
  return row;
}

/**
 * Deletes a draft with what hangs on it (history, access log, the rows of its attached files).
 * Returns the digests of the deleted files, whose bytes go once the transaction has committed.
 */
export async function deleteDraft(db: Queryable, municipalityId: string, id: string, attachedFileIds: string[]): Promise<string[]> {
  await db.query("DELETE FROM dossier_access_log WHERE municipality_id = $1 AND dossier_id = $2", [municipalityId, id]);
  await db.query("DELETE FROM dossiers WHERE municipality_id = $1 AND id = $2 AND state = 'draft'", [municipalityId, id]);
  if (attachedFileIds.length === 0) return [];
  const deleted = await db.query<{ sha256: string }>("DELETE FROM stored_files WHERE municipality_id = $1 AND id = ANY($2::uuid[]) RETURNING sha256", [municipalityId, attachedFileIds]);
  return deleted.map((row) => row.sha256);
}

export interface Colleague {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  locale: string | null;
}

/** The municipality's agents: whom a dossier may be handed to. */
export async function listAgents(db: Queryable, municipalityId: string): Promise<Colleague[]> {
  return db.query<Colleague>(
    `SELECT u.id, u.name, u.phone, u.email, u.locale FROM municipal_roles r JOIN users u ON u.id = r.user_id
     WHERE r.municipality_id = $1 AND r.role = 'agent' ORDER BY u.name, u.id`,
    [municipalityId],
  );
}

/** A member of staff to tell something (the instructor of a dossier), by their account. */
export async function getColleague(db: Queryable, userId: string): Promise<Colleague | undefined> {
  const [row] = await db.query<Colleague>("SELECT id, name, phone, email, locale FROM users WHERE id = $1", [userId]);
  return row;
}

export async function setInstructor(db: Queryable, municipalityId: string, id: string, instructorId: string): Promise<void> {
  await db.query("UPDATE dossiers SET instructor_id = $3, updated_at = now() WHERE municipality_id = $1 AND id = $2", [municipalityId, id, instructorId]);
}

// ---------------------------------------------------------------------------------------------
// Messages between the applicant and the agents

export interface DossierMessageRow {
  id: string;
  author_role: "applicant" | "agent";
  author_name: string | null;
  body: string;
  created_at: Date;
}

export async function insertMessage(db: Queryable, municipalityId: string, dossierId: string, message: { authorId: string; authorRole: DossierMessageRow["author_role"]; body: string }): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    "INSERT INTO dossier_messages (municipality_id, dossier_id, author_id, author_role, body) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    [municipalityId, dossierId, message.authorId, message.authorRole, message.body],
  );
  return row!.id;
}

/** A dossier's thread, oldest first; callers reach it only through a dossier the viewer may see. */
export async function listMessages(db: Queryable, municipalityId: string, dossierId: string): Promise<DossierMessageRow[]> {
  return db.query<DossierMessageRow>(
    `SELECT m.id, m.author_role, u.name AS author_name, m.body, m.created_at FROM dossier_messages m LEFT JOIN users u ON u.id = m.author_id
     WHERE m.municipality_id = $1 AND m.dossier_id = $2 ORDER BY m.created_at, m.id LIMIT 500`,
    [municipalityId, dossierId],
  );
}

// ---------------------------------------------------------------------------------------------
// Statistics (no personal data)

export interface ProcedureStats {
  procedure_id: string;
  slug: string;
  title: string;
  processing_days: number;
  submitted: number;
  open: number;
  accepted: number;
  refused: number;
  closed: number;
  decided: number;
  median_days: number | null;
  within_legal_time: number;
}

export async function procedureStats(db: Queryable, municipalityId: string, options: { publishedOnly: boolean }): Promise<ProcedureStats[]> {
  return db.query<ProcedureStats>(
    `SELECT p.id AS procedure_id, p.slug, p.title, p.processing_days,
       count(d.id) FILTER (WHERE d.state <> 'draft')::int AS submitted,
       count(d.id) FILTER (WHERE d.state IN ('submitted', 'under_instruction'))::int AS open,
       count(d.id) FILTER (WHERE d.state = 'accepted')::int AS accepted,
       count(d.id) FILTER (WHERE d.state = 'refused')::int AS refused,
       count(d.id) FILTER (WHERE d.state = 'closed_without_follow_up')::int AS closed,
       count(d.decided_at)::int AS decided,
       (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.decided_at - d.submitted_at) / 86400.0))::double precision AS median_days,
       count(d.id) FILTER (WHERE d.decided_at IS NOT NULL AND d.decided_at::date <= d.due_on)::int AS within_legal_time
     FROM procedures p LEFT JOIN dossiers d ON d.municipality_id = p.municipality_id AND d.procedure_id = p.id
     WHERE p.municipality_id = $1 ${options.publishedOnly ? "AND p.status <> 'draft'" : ""}
     GROUP BY p.id, p.slug, p.title, p.processing_days ORDER BY p.title`,
    [municipalityId],
  );
}

// ---------------------------------------------------------------------------------------------
// Keys and certificates

export async function activeKey(db: Queryable, municipalityId: string): Promise<SigningKeyRow | undefined> {
  const [row] = await db.query<SigningKeyRow>("SELECT * FROM signing_keys WHERE municipality_id = $1 AND retired_at IS NULL ORDER BY created_at DESC LIMIT 1", [municipalityId]);
  return row;
}

export async function listKeys(db: Queryable, municipalityId: string): Promise<Omit<SigningKeyRow, "private_key">[]> {
  return db.query("SELECT municipality_id, kid, public_key, created_at, retired_at FROM signing_keys WHERE municipality_id = $1 ORDER BY created_at DESC", [municipalityId]);
}

export async function insertKey(db: Queryable, municipalityId: string, key: { kid: string; publicKey: string; privateKey: string }): Promise<void> {
  await db.query("UPDATE signing_keys SET retired_at = now() WHERE municipality_id = $1 AND retired_at IS NULL", [municipalityId]);
  await db.query("INSERT INTO signing_keys (municipality_id, kid, public_key, private_key) VALUES ($1, $2, $3, $4)", [municipalityId, key.kid, key.publicKey, key.privateKey]);
}

/** Every public key of the network with its municipality: what a verifier trusts. */
export async function trustedKeys(db: Queryable): Promise<{ kid: string; public_key: string; municipality_id: string; municipality_slug: string; municipality_name: string; municipality_languages: string[] }[]> {
  return db.query(
    `SELECT k.kid, k.public_key, k.municipality_id, m.slug AS municipality_slug, m.name AS municipality_name, m.languages AS municipality_languages
     FROM signing_keys k JOIN municipalities m ON m.id = k.municipality_id ORDER BY m.slug, k.created_at`,
  );
}

export async function revokedNumbers(db: Queryable): Promise<{ municipality_id: string; number: string }[]> {
  return db.query("SELECT municipality_id, number FROM certificates WHERE revoked_at IS NOT NULL ORDER BY number");
}

export async function insertCertificate(
  db: Queryable,
  municipalityId: string,
  input: {
    dossierId: string;
    number: string;
    kid: string;
    token: string;
    fileId: string;
    pdfSha256: string;
    pdfSignature: string;
    issuedAt: Date;
    signatory: { office: string; name: string };
    verificationCode: string;
  },
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO certificates (municipality_id, dossier_id, number, kid, token, file_id, pdf_sha256, pdf_signature, issued_at, signatory_office, signatory_name, verification_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [
      municipalityId,
      input.dossierId,
      input.number,
      input.kid,
      input.token,
      input.fileId,
      input.pdfSha256,
      input.pdfSignature,
      input.issuedAt,
      input.signatory.office,
      input.signatory.name,
      input.verificationCode,
    ],
  );
  return row!.id;
}

export async function listCertificates(db: Queryable, municipalityId: string, dossierId: string): Promise<CertificateRow[]> {
  return db.query<CertificateRow>("SELECT * FROM certificates WHERE municipality_id = $1 AND dossier_id = $2 ORDER BY issued_at", [municipalityId, dossierId]);
}

export async function countCertificates(db: Queryable, municipalityId: string, dossierId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM certificates WHERE municipality_id = $1 AND dossier_id = $2", [municipalityId, dossierId]);
  return row?.n ?? 0;
}

/** By document number, across the network: a verifier does not know the municipality beforehand. */
/** A certificate as verification needs it; `token` is empty once the dossier's personal data was erased. */
export type VerifiableCertificate = CertificateRow & { public_key: string; municipality_name: string; municipality_slug: string; municipality_languages: string[]; procedure_title: string };

const VERIFIABLE = `SELECT c.*, k.public_key, m.name AS municipality_name, m.slug AS municipality_slug, m.languages AS municipality_languages, p.title AS procedure_title
     FROM certificates c JOIN signing_keys k ON k.kid = c.kid AND k.municipality_id = c.municipality_id JOIN municipalities m ON m.id = c.municipality_id
     JOIN dossiers d ON d.municipality_id = c.municipality_id AND d.id = c.dossier_id JOIN procedures p ON p.municipality_id = d.municipality_id AND p.id = d.procedure_id`;

export async function findCertificateByNumber(db: Queryable, number: string): Promise<VerifiableCertificate | undefined> {
  const [row] = await db.query<VerifiableCertificate>(`${VERIFIABLE} WHERE c.number = $1`, [number]);
  return row;
}

/** By the code printed under the QR code (bare, as normalizeVerificationCode gives it), across the network. */
export async function findCertificateByCode(db: Queryable, code: string): Promise<VerifiableCertificate | undefined> {
  const [row] = await db.query<VerifiableCertificate>(`${VERIFIABLE} WHERE c.verification_code = $1`, [code]);
  return row;
}

/** Whether a code is free: sixty random bits never meet in practice, but the unique index would make a clash an error. */
export async function verificationCodeTaken(db: Queryable, code: string): Promise<boolean> {
  const rows = await db.query("SELECT 1 FROM certificates WHERE verification_code = $1", [code]);
  return rows.length > 0;
}

export async function findCertificatesBySha256(db: Queryable, sha256: string): Promise<VerifiableCertificate[]> {
  return db.query<VerifiableCertificate>(`${VERIFIABLE} WHERE c.pdf_sha256 = $1`, [sha256]);
}

export async function revokeCertificate(db: Queryable, municipalityId: string, id: string, actorId: string, reason: string): Promise<boolean> {
  const rows = await db.query(
    "UPDATE certificates SET revoked_at = now(), revoked_by = $3, revoked_reason = $4 WHERE municipality_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id",
    [municipalityId, id, actorId, reason],
  );
  return rows.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Retention

/** Dossiers decided longer ago than their procedure keeps personal data, not yet erased. */
export async function dossiersPastRetention(db: Queryable, limit: number): Promise<{ municipality_id: string; id: string }[]> {
  return db.query(
    `SELECT d.municipality_id, d.id FROM dossiers d JOIN procedures p ON p.municipality_id = d.municipality_id AND p.id = d.procedure_id
     WHERE d.erased_at IS NULL AND d.decided_at IS NOT NULL AND d.decided_at < now() - make_interval(days => p.retention_days)
     LIMIT $1`,
    [limit],
  );
}

/**
 * Erases a dossier's personal data wherever it was copied: the dossier, its messages, the files
 * attached to it, its certificates' PDFs and tokens (their number, dates and digest signature
 * stay, so a copy the holder kept still verifies), the messages sent about it, and the applicant's
 * own entries in the access log. Returns the digests of the files whose rows were deleted, so
 * that their bytes can be removed once the transaction has committed.
 */
export async function eraseDossier(db: Queryable, municipalityId: string, id: string, attachedFileIds: string[]): Promise<string[]> {
  const [dossier] = await db.query<{ reference: string | null; applicant_id: string | null }>(
    "SELECT reference, applicant_id FROM dossiers WHERE municipality_id = $1 AND id = $2 FOR UPDATE",
    [municipalityId, id],
  );
  if (!dossier) return [];
  const certificateFiles = await db.query<{ file_id: string }>(
    "SELECT file_id FROM certificates WHERE municipality_id = $1 AND dossier_id = $2 AND file_id IS NOT NULL",
    [municipalityId, id],
  );
  await db.query("UPDATE certificates SET token = '', file_id = NULL WHERE municipality_id = $1 AND dossier_id = $2", [municipalityId, id]);
  await db.query(
    `UPDATE dossiers SET applicant_name = '-', applicant_phone = NULL, applicant_email = NULL, applicant_id = NULL, answers = '{}',
       decision_reason = '', erased_at = now(), updated_at = now() WHERE municipality_id = $1 AND id = $2`,
    [municipalityId, id],
  );
  await db.query("UPDATE dossier_events SET body = '' WHERE municipality_id = $1 AND dossier_id = $2", [municipalityId, id]);
  await db.query("DELETE FROM dossier_messages WHERE municipality_id = $1 AND dossier_id = $2", [municipalityId, id]);
  if (dossier.applicant_id) {
    await db.query("UPDATE dossier_access_log SET actor_id = NULL WHERE municipality_id = $1 AND dossier_id = $2 AND actor_id = $3", [municipalityId, id, dossier.applicant_id]);
  }
  if (dossier.reference) {
    // Every message about the dossier names its reference (receipt, corrections, decision).
    await db.query("DELETE FROM notifications WHERE municipality_id = $1 AND strpos(body, $2) > 0", [municipalityId, dossier.reference]);
  }
  const fileIds = [...new Set([...attachedFileIds, ...certificateFiles.map((row) => row.file_id)])];
  if (fileIds.length === 0) return [];
  const deleted = await db.query<{ sha256: string }>("DELETE FROM stored_files WHERE municipality_id = $1 AND id = ANY($2::uuid[]) RETURNING sha256", [municipalityId, fileIds]);
  return deleted.map((row) => row.sha256);
}

/** How many dossiers these municipalities have decided (accepted, refused or closed): a figure of the front pages. */
export async function countDecidedDossiers(db: Queryable, municipalityIds: string[]): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    "SELECT count(*)::int AS count FROM dossiers WHERE municipality_id = ANY($1::uuid[]) AND state IN ('accepted', 'refused', 'closed_without_follow_up')",
    [municipalityIds],
  );
  return row?.count ?? 0;
}

/** How many dossiers (not erased) a person holds in each of the municipalities named, for their account page. */
export async function countApplicantDossiers(db: Queryable, municipalityIds: string[], applicantId: string): Promise<Map<string, number>> {
  if (municipalityIds.length === 0) return new Map();
  const rows = await db.query<{ municipality_id: string; count: number }>(
    `SELECT municipality_id, count(*)::int AS count FROM dossiers
     WHERE municipality_id = ANY($1::uuid[]) AND applicant_id = $2 AND erased_at IS NULL GROUP BY municipality_id`,
    [municipalityIds, applicantId],
  );
  return new Map(rows.map((row) => [row.municipality_id, row.count]));
}

/** What the public reads of the e-services: the published procedures. */
export async function publicTexts(db: Queryable, municipalityId: string): Promise<PublicText[]> {
  return db.query<PublicText>(`SELECT 'procedure: ' || title AS "where", title || E'\\n' || description AS text FROM procedures WHERE municipality_id = $1 AND status = 'published'`, [municipalityId]);
}

/** The list of procedures, each published one, and the follow-up page, for the municipality's sitemap. */
export async function sitemapEntries(db: Queryable, municipalityId: string, slug: string): Promise<SitemapEntry[]> {
  const rows = await db.query<{ slug: string; modified: Date }>(
    "SELECT slug, updated_at AS modified FROM procedures WHERE municipality_id = $1 AND status = 'published' ORDER BY slug",
    [municipalityId],
  );
  return [{ path: `/${slug}/services` }, { path: `/${slug}/suivi` }, ...rows.map((row) => ({ path: `/${slug}/services/${row.slug}`, modified: row.modified }))];
}
