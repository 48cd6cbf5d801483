import type { Queryable, Tx } from "../../core/db/index.js";
import { recordAudit } from "../../core/audit/index.js";
import type { Actor } from "../../core/auth/roles.js";
import { removeUnreferencedBlobs, storeFile } from "../../core/files/index.js";
import { AppError, refusedOnField, ruleRefused, type Reason } from "../../core/http/errors.js";
import { formatters, isLocale, translator, type Locale } from "../../core/i18n/index.js";
import { sendMessage, type ChannelAdapter } from "../../core/notify/index.js";
import { localToday } from "../../core/tenancy/clock.js";
import { COUNTRY_LABEL_KEYS, type Municipality } from "../../core/tenancy/index.js";
import { firstOfficial } from "../portal/index.js";
import {
  formatVerificationCode,
  generateSigningKey,
  generateVerificationCode,
  renderCertificatePdf,
  sha256Hex,
  signDigest,
  signPayload,
  toWholeSeconds,
  type CertificatePayload,
} from "./certificates.js";
import { STATE_HEADINGS } from "./state-headings.js";
import { collectFiles, displayAnswer, fieldDocumentLabel, type Answers, type PendingFile } from "./form-definition.js";
import { ESERVICES_REASONS } from "./reasons.js";
import type { ProcedureInput } from "./schema.js";
import * as store from "./store.js";
import type { DossierRow, DossierState, ProcedureRow } from "./store.js";

/*
 * The dossier's life, as demarches-simplifiees.fr has it: a draft (brouillon) is submitted
 * (en construction), taken by an instructor (en instruction), then accepted, refused or closed
 * without follow-up (classé sans suite). An instructor may send it back to the citizen for
 * corrections (it returns to "submitted", flagged), and an administrator may reopen a refused or
 * closed dossier. Every transition is one row of this table, audited and told to the citizen.
 */

export type DossierAction = "submit" | "take" | "request_correction" | "accept" | "refuse" | "close" | "reopen";

/** Who may perform an action: the applicant (or the agent filing for them), an instructor, an administrator. */
export type ActorKind = "applicant" | "instructor" | "administrator";

interface Transition {
  from: DossierState[];
  to: DossierState;
  by: ActorKind[];
  /** A message the citizen reads: the reason of a refusal, what to correct. */
  needsMessage: boolean;
}

export const TRANSITIONS: Record<DossierAction, Transition> = {
  submit: { from: ["draft"], to: "submitted", by: ["applicant"], needsMessage: false },
  take: { from: ["submitted"], to: "under_instruction", by: ["instructor", "administrator"], needsMessage: false },
  request_correction: { from: ["under_instruction"], to: "submitted", by: ["instructor", "administrator"], needsMessage: true },
  accept: { from: ["under_instruction"], to: "accepted", by: ["instructor", "administrator"], needsMessage: false },
  refuse: { from: ["under_instruction"], to: "refused", by: ["instructor", "administrator"], needsMessage: true },
  close: { from: ["under_instruction"], to: "closed_without_follow_up", by: ["instructor", "administrator"], needsMessage: true },
  reopen: { from: ["refused", "closed_without_follow_up"], to: "under_instruction", by: ["administrator"], needsMessage: false },
};

export const DOSSIER_ACTIONS = Object.keys(TRANSITIONS) as DossierAction[];

/**
 * Why a transition is refused: FORBIDDEN when the person may never take this action, else the
 * rule that refuses it now; null when it is allowed.
 */
export function transitionRefusal(action: DossierAction, state: DossierState, by: ActorKind[], message: string): "FORBIDDEN" | Reason | null {
  const transition = TRANSITIONS[action];
  if (!transition.by.some((kind) => by.includes(kind))) return "FORBIDDEN";
  if (!transition.from.includes(state)) return ESERVICES_REASONS.DOSSIER_WRONG_STATE;
  if (transition.needsMessage && message.trim() === "") return ESERVICES_REASONS.DOSSIER_MESSAGE_REQUIRED;
  return null;
}

/** The actions a person may take on a dossier in its state, for the buttons they are shown. */
export function availableActions(state: DossierState, by: ActorKind[]): DossierAction[] {
  return DOSSIER_ACTIONS.filter((action) => TRANSITIONS[action].from.includes(state) && TRANSITIONS[action].by.some((kind) => by.includes(kind)));
}

/** Whether the applicant may still change the answers: a draft, or a dossier sent back for corrections. */
export const isEditableByApplicant = (dossier: Pick<DossierRow, "state" | "correction_requested">) =>
  dossier.state === "draft" || (dossier.state === "submitted" && dossier.correction_requested);

// ---------------------------------------------------------------------------------------------
// Dates

export { localToday };

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export const formatReference = (prefix: string, year: number, number: number) => `${prefix}-${year}-${String(number).padStart(5, "0")}`;

// ---------------------------------------------------------------------------------------------
// Procedures

/** Two procedures of one municipality never share an address. */
async function ensureSlugFree(tx: Queryable, municipalityId: string, slug: string, selfId: string | null): Promise<void> {
  const clash = await store.getProcedureBySlug(tx, municipalityId, slug);
  if (clash && clash.id !== selfId) throw refusedOnField("slug", ESERVICES_REASONS.PROCEDURE_SLUG_TAKEN);
}

export async function createProcedure(db: Tx, municipalityId: string, actorId: string, input: ProcedureInput): Promise<string> {
  return db.transaction(async (tx) => {
    await ensureSlugFree(tx, municipalityId, input.slug, null);
    const id = await store.insertProcedure(tx, municipalityId, input);
    await recordAudit(tx, { actorId, municipalityId, action: "eservices.procedure.create", subjectType: "procedure", subjectId: id, data: { slug: input.slug, title: input.title } });
    return id;
  });
}

export async function updateProcedure(db: Tx, municipalityId: string, actorId: string, id: string, input: ProcedureInput): Promise<void> {
  await db.transaction(async (tx) => {
    await ensureSlugFree(tx, municipalityId, input.slug, id);
    if (!(await store.updateProcedure(tx, municipalityId, id, input))) throw new AppError("NOT_FOUND");
    await recordAudit(tx, { actorId, municipalityId, action: "eservices.procedure.update", subjectType: "procedure", subjectId: id, data: { slug: input.slug } });
  });
}

export async function setProcedureStatus(db: Tx, municipalityId: string, actorId: string, id: string, status: store.ProcedureStatus): Promise<void> {
  await db.transaction(async (tx) => {
    const procedure = await store.getProcedure(tx, municipalityId, id);
    if (!procedure) throw new AppError("NOT_FOUND");
    if (status === "published" && procedure.form.sections.every((section) => section.fields.length === 0)) throw ruleRefused(ESERVICES_REASONS.PROCEDURE_FORM_EMPTY);
    await store.setProcedureStatus(tx, municipalityId, id, status);
    await recordAudit(tx, { actorId, municipalityId, action: `eservices.procedure.${status}`, subjectType: "procedure", subjectId: id });
  });
}

export function procedureInputOf(row: ProcedureRow): ProcedureInput {
  return {
    slug: row.slug,
    title: row.title,
    description: row.description,
    category: row.category,
    form: row.form,
    documents: row.documents,
    feeAmount: row.fee_amount,
    feePayment: row.fee_payment,
    processingDays: row.processing_days,
    instructorRoles: row.instructor_roles as ProcedureInput["instructorRoles"],
    retentionDays: row.retention_days,
    certificate: row.certificate,
  };
}

// ---------------------------------------------------------------------------------------------
// Dossiers

export interface Applicant {
  id: string | null;
  name: string;
  phone: string | null;
  email: string | null;
  locale: Locale;
}

/** Stores the files a form brought and points their answers at them. */
async function storePendingFiles(tx: Tx, filesDir: string, municipalityId: string, actorId: string | null, files: PendingFile[]): Promise<void> {
  for (const pending of files) {
    const stored = await storeFile(tx, filesDir, { municipalityId, data: pending.data, mediaType: pending.mediaType, originalName: pending.filename, createdBy: actorId });
    pending.answer.fileId = stored.id;
  }
}

export async function createDraft(
  db: Tx,
  filesDir: string,
  municipality: Municipality,
  procedure: ProcedureRow,
  input: { applicant: Applicant; answers: Answers; files: PendingFile[]; channel: "web" | "counter"; filedBy: string | null },
): Promise<string> {
  if (procedure.status !== "published") throw ruleRefused(ESERVICES_REASONS.PROCEDURE_NOT_OPEN);
  return db.transaction(async (tx) => {
    await storePendingFiles(tx, filesDir, municipality.id, input.filedBy ?? input.applicant.id, input.files);
    const id = await store.insertDossier(tx, municipality.id, {
      procedureId: procedure.id,
      formVersion: procedure.form_version,
      channel: input.channel,
      applicantId: input.applicant.id,
      name: input.applicant.name,
      phone: input.applicant.phone,
      email: input.applicant.email,
      locale: input.applicant.locale,
      answers: input.answers,
      filedBy: input.filedBy,
    });
    await recordAudit(tx, { actorId: input.filedBy ?? input.applicant.id, municipalityId: municipality.id, action: "eservices.dossier.create", subjectType: "dossier", subjectId: id, data: { procedure: procedure.slug, channel: input.channel } });
    return id;
  });
}

/**
 * "Start the procedure": the person's latest draft of it when they have one (starting twice
 * gives the same draft), else a new one. The account's row is locked so that two clicks at once
 * still make one draft.
 */
export async function startDraft(db: Tx, filesDir: string, municipality: Municipality, procedure: ProcedureRow, applicant: Applicant & { id: string }): Promise<{ id: string; resumed: boolean }> {
  if (procedure.status !== "published") throw ruleRefused(ESERVICES_REASONS.PROCEDURE_NOT_OPEN);
  return db.transaction(async (tx) => {
    await store.lockApplicant(tx, applicant.id);
    const existing = await store.latestDraft(tx, municipality.id, applicant.id, procedure.id);
    if (existing) return { id: existing.id, resumed: true };
    const id = await createDraft(tx, filesDir, municipality, procedure, { applicant, answers: {}, files: [], channel: "web", filedBy: null });
    return { id, resumed: false };
  });
}

/**
 * The applicant deletes one of their drafts (never a submitted dossier, never someone else's):
 * the rows of its attached files go with it, then their bytes when no other row stores them.
 */
export async function deleteDraft(db: Tx, filesDir: string, municipality: Municipality, actorId: string, dossierId: string): Promise<void> {
  const removed = await db.transaction(async (tx) => {
    const dossier = await store.getDossier(tx, municipality.id, dossierId, { forUpdate: true });
    if (!dossier || dossier.erased_at || dossier.applicant_id !== actorId) throw new AppError("NOT_FOUND");
    if (dossier.state !== "draft") throw ruleRefused(ESERVICES_REASONS.DOSSIER_NOT_DRAFT);
    const procedure = await store.getProcedure(tx, municipality.id, dossier.procedure_id);
    const digests = await store.deleteDraft(tx, municipality.id, dossier.id, collectFiles(dossier.answers).map((file) => file.fileId));
    await recordAudit(tx, { actorId, municipalityId: municipality.id, action: "eservices.dossier.delete_draft", subjectType: "dossier", subjectId: dossier.id, data: { procedure: procedure?.slug ?? null } });
    return digests;
  });
  await removeUnreferencedBlobs(db, filesDir, removed);
}

export async function saveDraftAnswers(db: Tx, filesDir: string, municipality: Municipality, dossier: DossierRow, procedure: ProcedureRow, actorId: string | null, answers: Answers, files: PendingFile[]): Promise<void> {
  if (!isEditableByApplicant(dossier)) throw ruleRefused(ESERVICES_REASONS.DOSSIER_NOT_EDITABLE);
  await db.transaction(async (tx) => {
    await storePendingFiles(tx, filesDir, municipality.id, actorId, files);
    await store.saveAnswers(tx, municipality.id, dossier.id, answers, procedure.form_version);
  });
}

interface TransitionContext {
  db: Tx;
  notifier: ChannelAdapter;
  filesDir: string;
  publicUrl: string;
  municipality: Municipality;
  actor: Actor | null;
  /** What the actor is for this dossier; decides which actions they may take. */
  as: ActorKind[];
}

/**
 * Applies one action to a dossier under its row lock: checks the table of transitions, writes the
 * new state and its event, audits it, issues the certificate on acceptance, and tells the citizen.
 */
export async function transition(ctx: TransitionContext, dossierId: string, action: DossierAction, message = ""): Promise<DossierRow> {
  const { municipality } = ctx;
  const result = await ctx.db.transaction(async (tx) => {
    const dossier = await store.getDossier(tx, municipality.id, dossierId, { forUpdate: true });
    if (!dossier) throw new AppError("NOT_FOUND");
    const procedure = (await store.getProcedure(tx, municipality.id, dossier.procedure_id))!;
    const refusal = transitionRefusal(action, dossier.state, ctx.as, message);
    if (refusal === "FORBIDDEN") throw new AppError("FORBIDDEN");
    if (refusal) throw ruleRefused(refusal);
    const to = TRANSITIONS[action].to;
    const actorId = ctx.actor?.id ?? null;
    const change: Parameters<typeof store.applyTransition>[3] = { state: to, correctionRequested: action === "request_correction" };
    if (action === "submit") {
      const today = localToday(municipality.time_zone);
      const year = Number(today.slice(0, 4));
      change.reference = dossier.reference ?? formatReference(municipality.reference_code, year, await store.nextDossierNumber(tx, municipality.id, year));
      change.submittedAt = true;
      change.dueOn = addDays(today, procedure.processing_days);
    }
    if (action === "take" || action === "reopen") change.instructorId = actorId;
    if (action === "accept" || action === "refuse" || action === "close") {
      change.decided = true;
      change.reason = message.trim();
    }
    await store.applyTransition(tx, municipality.id, dossier.id, change);
    await store.insertEvent(tx, municipality.id, dossier.id, { kind: "transition", from: dossier.state, to, body: message.trim(), actorId });
    await recordAudit(tx, {
      actorId,
      municipalityId: municipality.id,
      action: `eservices.dossier.${action}`,
      subjectType: "dossier",
      subjectId: dossier.id,
      data: { from: dossier.state, to, reference: change.reference ?? dossier.reference },
    });
    const updated = (await store.getDossier(tx, municipality.id, dossier.id))!;
    if (action === "accept" && procedure.certificate) await issueCertificate(tx, ctx, procedure, updated);
    return { dossier: updated, procedure };
  });
  await notifyApplicant(ctx, result.dossier, result.procedure, action, message);
  return result.dossier;
}

/** The citizen sends back a dossier they corrected: the instructor sees it flagged as answered. */
export async function answerCorrection(db: Tx, municipality: Municipality, actorId: string | null, dossierId: string, message: string): Promise<void> {
  await db.transaction(async (tx) => {
    const dossier = await store.getDossier(tx, municipality.id, dossierId, { forUpdate: true });
    if (!dossier) throw new AppError("NOT_FOUND");
    if (!(dossier.state === "submitted" && dossier.correction_requested)) throw ruleRefused(ESERVICES_REASONS.DOSSIER_WRONG_STATE);
    await store.applyTransition(tx, municipality.id, dossier.id, { state: "submitted", correctionRequested: false });
    await store.insertEvent(tx, municipality.id, dossier.id, { kind: "correction_answered", body: message.trim(), actorId });
    await recordAudit(tx, { actorId, municipalityId: municipality.id, action: "eservices.dossier.correction_answered", subjectType: "dossier", subjectId: dossier.id });
  });
}

export async function addNote(db: Tx, municipality: Municipality, actorId: string, dossierId: string, body: string): Promise<void> {
  await db.transaction(async (tx) => {
    const dossier = await store.getDossier(tx, municipality.id, dossierId);
    if (!dossier || dossier.state === "draft") throw new AppError("NOT_FOUND");
    await store.insertEvent(tx, municipality.id, dossier.id, { kind: "note", internal: true, body, actorId });
    await recordAudit(tx, { actorId, municipalityId: municipality.id, action: "eservices.dossier.note", subjectType: "dossier", subjectId: dossier.id });
  });
}

const STATE_KEYS: Record<DossierState, string> = {
  draft: "eservices.state.draft",
  submitted: "eservices.state.submitted",
  under_instruction: "eservices.state.under_instruction",
  accepted: "eservices.state.accepted",
  refused: "eservices.state.refused",
  closed_without_follow_up: "eservices.state.closed_without_follow_up",
};
export const stateKey = (state: DossierState) => STATE_KEYS[state];

interface NotifyContext {
  db: Tx;
  notifier: ChannelAdapter;
  publicUrl: string;
  municipality: Municipality;
}

/** One message to one person, in their language, by SMS when they have a phone, else by email. */
async function tell(ctx: NotifyContext, person: { phone: string | null; email: string | null }, subject: string, body: string): Promise<void> {
  const recipient = person.phone ?? person.email;
  if (!recipient) return;
  await sendMessage(ctx.db, ctx.notifier, { municipalityId: ctx.municipality.id, channel: person.phone ? "sms" : "email", recipient, subject, body });
}

const asLocale = (locale: string | null): Locale => (locale === "pt" || locale === "en" ? locale : "fr");

/** The citizen hears of every change in their language, by SMS when they gave a phone, else by email. */
async function notifyApplicant(ctx: TransitionContext, dossier: DossierRow, procedure: ProcedureRow, action: DossierAction, message: string): Promise<void> {
  if (!dossier.reference) return;
  const t = translator(dossier.applicant_locale);
  const key = action === "request_correction" ? "eservices.notify.correction" : action === "submit" ? "eservices.notify.submitted" : "eservices.notify.changed";
  const body = t(key, {
    municipality: ctx.municipality.name,
    reference: dossier.reference,
    procedure: procedure.title,
    state: t(stateKey(dossier.state)),
    message: message.trim(),
    url: `${ctx.publicUrl}/${ctx.municipality.slug}/suivi`,
  });
  await tell(ctx, { phone: dossier.applicant_phone, email: dossier.applicant_email }, t("eservices.notify.subject", { reference: dossier.reference }), body);
}

// ---------------------------------------------------------------------------------------------
// Handing a dossier to a colleague; the thread between the applicant and the agents

/** The dossiers still being instructed are the ones a colleague may take over. */
export const OPEN_STATES: DossierState[] = ["submitted", "under_instruction"];

/** Whom a dossier of the procedure may be handed to: the municipality's agents, when agents instruct it. */
export async function reassignCandidates(db: Queryable, municipalityId: string, procedure: Pick<ProcedureRow, "instructor_roles">): Promise<store.Colleague[]> {
  return procedure.instructor_roles.includes("agent") ? store.listAgents(db, municipalityId) : [];
}

/**
 * An instructor hands the dossier to a colleague who is an agent of the municipality; anyone
 * else is refused. The hand-over is a staff-only line of the history, audited, and the colleague
 * is told.
 */
export async function reassign(ctx: NotifyContext & { actor: Actor }, dossierId: string, assigneeId: string): Promise<void> {
  const { municipality } = ctx;
  const result = await ctx.db.transaction(async (tx) => {
    const dossier = await store.getDossier(tx, municipality.id, dossierId, { forUpdate: true });
    if (!dossier || dossier.state === "draft") throw new AppError("NOT_FOUND");
    if (!OPEN_STATES.includes(dossier.state)) throw refusedOnField("assignee", ESERVICES_REASONS.REASSIGN_CLOSED);
    const procedure = (await store.getProcedure(tx, municipality.id, dossier.procedure_id))!;
    const assignee = (await reassignCandidates(tx, municipality.id, procedure)).find((colleague) => colleague.id === assigneeId);
    if (!assignee) throw refusedOnField("assignee", ESERVICES_REASONS.REASSIGN_NOT_AGENT);
    await store.setInstructor(tx, municipality.id, dossier.id, assignee.id);
    await store.insertEvent(tx, municipality.id, dossier.id, { kind: "reassigned", internal: true, body: assignee.name, actorId: ctx.actor.id });
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      municipalityId: municipality.id,
      action: "eservices.dossier.reassign",
      subjectType: "dossier",
      subjectId: dossier.id,
      data: { reference: dossier.reference, from: dossier.instructor_id, to: assignee.id },
    });
    return { dossier, procedure, assignee };
  });
  const t = translator(asLocale(result.assignee.locale));
  await tell(
    ctx,
    result.assignee,
    t("eservices.notify.subject", { reference: result.dossier.reference ?? "" }),
    t("eservices.notify.reassigned", {
      municipality: municipality.name,
      by: ctx.actor.name,
      reference: result.dossier.reference ?? "",
      procedure: result.procedure.title,
      url: `${ctx.publicUrl}/${municipality.slug}/admin/dossiers/${result.dossier.id}`,
    }),
  );
}

/** What a message says in a notification: enough to know what it is about, not a whole letter by SMS. */
const excerpt = (text: string) => (text.length > 280 ? `${text.slice(0, 279)}…` : text);

/**
 * A message on the dossier's thread, from its applicant or from an agent, once the dossier is
 * submitted (the municipality does not see drafts). The other side is told: the applicant as
 * for a change of state; on the municipality's side the dossier's instructor, or, while nobody
 * instructs it, its agents.
 */
export async function postMessage(ctx: NotifyContext & { actor: Actor }, dossierId: string, authorRole: "applicant" | "agent", body: string): Promise<void> {
  const { municipality } = ctx;
  const result = await ctx.db.transaction(async (tx) => {
    const dossier = await store.getDossier(tx, municipality.id, dossierId);
    if (!dossier || dossier.erased_at) throw new AppError("NOT_FOUND");
    if (dossier.state === "draft") throw ruleRefused(ESERVICES_REASONS.MESSAGE_BEFORE_SUBMISSION);
    const procedure = (await store.getProcedure(tx, municipality.id, dossier.procedure_id))!;
    const id = await store.insertMessage(tx, municipality.id, dossier.id, { authorId: ctx.actor.id, authorRole, body });
    // The audit says that a message was written and by whom, never what it says.
    await recordAudit(tx, { actorId: ctx.actor.id, municipalityId: municipality.id, action: "eservices.dossier.message", subjectType: "dossier", subjectId: dossier.id, data: { message: id, role: authorRole } });
    return { dossier, procedure };
  });
  const { dossier, procedure } = result;
  const reference = dossier.reference ?? "";
  if (authorRole === "agent") {
    const t = translator(dossier.applicant_locale);
    // An applicant with an account answers from their dossier; one filed at the counter follows it by reference.
    const url = dossier.applicant_id ? `${ctx.publicUrl}/${municipality.slug}/dossiers/${dossier.id}#messages` : `${ctx.publicUrl}/${municipality.slug}/suivi`;
    await tell(ctx, { phone: dossier.applicant_phone, email: dossier.applicant_email }, t("eservices.notify.subject", { reference }), t("eservices.notify.message_to_applicant", { municipality: municipality.name, reference, message: excerpt(body), url }));
    return;
  }
  const instructor = dossier.instructor_id ? await store.getColleague(ctx.db, dossier.instructor_id) : undefined;
  const recipients = instructor ? [instructor] : await reassignCandidates(ctx.db, municipality.id, procedure);
  for (const colleague of recipients.filter((person) => person.id !== ctx.actor.id)) {
    const t = translator(asLocale(colleague.locale));
    await tell(
      ctx,
      colleague,
      t("eservices.notify.subject", { reference }),
      t("eservices.notify.message_to_staff", { municipality: municipality.name, reference, procedure: procedure.title, url: `${ctx.publicUrl}/${municipality.slug}/admin/dossiers/${dossier.id}#messages` }),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Certificates

/** The municipality's signing key, made on first use. */
export async function signingKey(tx: Queryable, municipalityId: string): Promise<store.SigningKeyRow> {
  const existing = await store.activeKey(tx, municipalityId);
  if (existing) return existing;
  const key = generateSigningKey();
  await store.insertKey(tx, municipalityId, key);
  return (await store.activeKey(tx, municipalityId))!;
}

export async function rotateKey(db: Tx, municipalityId: string, actorId: string): Promise<string> {
  return db.transaction(async (tx) => {
    const key = generateSigningKey();
    await store.insertKey(tx, municipalityId, key);
    await recordAudit(tx, { actorId, municipalityId, action: "eservices.key.rotate", subjectType: "signing_key", subjectId: key.kid, data: { publicKey: key.publicKey } });
    return key.kid;
  });
}

export const verifyPath = (number: string) => `/verify/${encodeURIComponent(number)}`;

/**
 * The language a municipality's documents are issued in: its first (official) language, as
 * Portuguese in Bissau, whoever clicks "accept"; French when the platform has no catalogue for it.
 */
export const documentLocale = (languages: readonly string[]): Locale => {
  const first = languages[0];
  return isLocale(first) ? first : "fr";
};

/** The address printed for checking by hand: what a person types, without the scheme browsers add themselves. */
export const verifyAddress = (publicUrl: string) => `${publicUrl.replace(/^https?:\/\//, "").replace(/\/+$/, "")}/verify`;

/** The state's heading in its own words; a country without one opens with its name in the document's language. */
function headingOf(countryCode: string, t: ReturnType<typeof translator>): { state: string; motto: string } {
  return STATE_HEADINGS[countryCode] ?? { state: t(COUNTRY_LABEL_KEYS[countryCode] ?? "country.other"), motto: "" };
}

async function freshVerificationCode(tx: Queryable): Promise<string> {
  for (;;) {
    const code = generateVerificationCode();
    if (!(await store.verificationCodeTaken(tx, code))) return code;
  }
}

async function issueCertificate(tx: Tx, ctx: TransitionContext, procedure: ProcedureRow, dossier: DossierRow): Promise<void> {
  const template = procedure.certificate!;
  const { municipality } = ctx;
  // The document speaks the municipality's official language, not the clicker's.
  const lang = documentLocale(municipality.languages);
  const t = translator(lang);
  const fmt = formatters(lang);
  const key = await signingKey(tx, municipality.id);
  const number = `${dossier.reference}-C${(await store.countCertificates(tx, municipality.id, dossier.id)) + 1}`;
  // The token carries whole seconds; the PDF's dates say the same instant.
  const issuedAt = toWholeSeconds(new Date());
  const keyFields = template.keyFields
    .map((id) => ({ label: fieldDocumentLabel(procedure.form, id), value: displayAnswer(procedure.form, dossier.answers, id, t, fmt) }))
    .filter((field): field is { label: string; value: string } => !!field.value);
  const payload: CertificatePayload = {
    v: 2,
    kid: key.kid,
    ref: number,
    proc: template.title,
    iss: issuedAt.toISOString(),
    fields: Object.fromEntries(keyFields.map((field) => [field.label.slice(0, 60), field.value.slice(0, 200)])),
  };
  const token = signPayload(payload, key.private_key);
  // Who signs: the name the procedure gives, else the municipality's first official, else whoever accepted.
  const signatory = { office: template.signatory, name: template.signatoryName ?? (await firstOfficial(tx, municipality.id))?.name ?? ctx.actor?.name ?? "" };
  const verificationCode = await freshVerificationCode(tx);
  const placeholders: Record<string, string> = { reference: dossier.reference ?? "", applicant: dossier.applicant_name };
  const body = template.body
    .split("\n")
    .map((line) => line.replace(/\{([a-z][a-z0-9_]*)\}/g, (_, id: string) => placeholders[id] ?? displayAnswer(procedure.form, dossier.answers, id, t, fmt) ?? "…"));
  const pdf = await renderCertificatePdf({
    heading: headingOf(municipality.country_code, t),
    municipalityName: municipality.name,
    title: template.title,
    reference: number,
    issuedOn: t("eservices.certificate.issued_on", { date: fmt.date(issuedAt, municipality.time_zone) }),
    issuedAt,
    fields: keyFields,
    bodyLines: body,
    verifyUrl: `${ctx.publicUrl}${verifyPath(number)}#${token}`,
    verifyHint: t("eservices.certificate.verify_hint"),
    manualCheck: { intro: t("eservices.certificate.manual_check"), address: verifyAddress(ctx.publicUrl), code: formatVerificationCode(verificationCode) },
    signatory,
    lang,
  });
  const file = await storeFile(tx, ctx.filesDir, { municipalityId: municipality.id, data: Buffer.from(pdf), mediaType: "application/pdf", originalName: `${number}.pdf`, createdBy: ctx.actor?.id ?? null });
  await store.insertCertificate(tx, municipality.id, {
    dossierId: dossier.id,
    number,
    kid: key.kid,
    token,
    fileId: file.id,
    pdfSha256: sha256Hex(pdf),
    pdfSignature: signDigest(pdf, key.private_key),
    issuedAt,
    signatory,
    verificationCode,
  });
  await recordAudit(tx, { actorId: ctx.actor?.id ?? null, municipalityId: municipality.id, action: "eservices.certificate.issue", subjectType: "certificate", subjectId: number, data: { dossier: dossier.id, kid: key.kid, sha256: sha256Hex(pdf) } });
}

export async function revokeCertificate(db: Tx, municipalityId: string, actorId: string, certificateId: string, reason: string): Promise<void> {
  await db.transaction(async (tx) => {
    if (!(await store.revokeCertificate(tx, municipalityId, certificateId, actorId, reason))) throw new AppError("NOT_FOUND");
    await recordAudit(tx, { actorId, municipalityId, action: "eservices.certificate.revoke", subjectType: "certificate", subjectId: certificateId, data: { reason } });
  });
}

// ---------------------------------------------------------------------------------------------
// Retention

/** Erases the personal data of dossiers past their procedure's retention; statistics stay. */
export async function eraseExpiredDossiers(db: Tx, filesDir: string): Promise<number> {
  const due = await store.dossiersPastRetention(db, 500);
  for (const dossier of due) {
    const removed = await db.transaction(async (tx) => {
      const row = await store.getDossier(tx, dossier.municipality_id, dossier.id);
      const attached = collectFiles(row?.answers ?? {}).map((file) => file.fileId);
      const digests = await store.eraseDossier(tx, dossier.municipality_id, dossier.id, attached);
      await recordAudit(tx, { actorId: null, municipalityId: dossier.municipality_id, action: "eservices.dossier.erase", subjectType: "dossier", subjectId: dossier.id });
      return digests;
    });
    await removeUnreferencedBlobs(db, filesDir, removed);
  }
  return due.length;
}
