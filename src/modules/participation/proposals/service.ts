import type { Queryable, Tx } from "../../../core/db/index.js";
import { recordAudit } from "../../../core/audit/index.js";
import type { Actor } from "../../../core/auth/roles.js";
import { storeFile } from "../../../core/files/index.js";
import { AppError, ruleRefused, type Reason } from "../../../core/http/errors.js";
import { isLocale, translator } from "../../../core/i18n/index.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { PARTICIPATION_REASONS as REASONS } from "../reasons.js";
import { currentPhase, localToday, requireVerified, tell, type Reach } from "../service.js";
import { listPhases, userContact, type PhaseRow, type ProcessRow } from "../store.js";
import * as store from "./store.js";
import type { ProposalRow, ProposalStatus } from "./store.js";

/*
 * Proposals of a process: verified residents submit and support them, once each, while the
 * running phase allows it; the municipality answers every proposal publicly; anyone signed in
 * comments and flags; moderators hide what breaks the rules, and the author is told why.
 */

// ---------------------------------------------------------------------------------------------
// Proposals

async function phaseNow(db: Queryable, municipality: Municipality, processId: string): Promise<PhaseRow | undefined> {
  return currentPhase(await listPhases(db, municipality.id, [processId]), localToday(municipality.time_zone));
}

export async function createProposal(
  db: Tx,
  filesDir: string,
  municipality: Municipality,
  actor: Actor,
  process: ProcessRow,
  input: { title: string; body: string; category: string; location: string; photo: { data: Buffer; mediaType: string; filename: string } | null },
): Promise<string> {
  return db.transaction(async (tx) => {
    if (process.status !== "published") throw new AppError("NOT_FOUND");
    await requireVerified(tx, municipality.id, actor);
    if (!(await phaseNow(tx, municipality, process.id))?.proposals_open) throw ruleRefused(REASONS.PROPOSALS_CLOSED);
    // The photo is kept only with a proposal the rules accepted.
    const photoId = input.photo
      ? (await storeFile(tx, filesDir, { municipalityId: municipality.id, data: input.photo.data, mediaType: input.photo.mediaType, originalName: input.photo.filename, createdBy: actor.id })).id
      : null;
    const { photo: _photo, ...fields } = input;
    const id = await store.insertProposal(tx, municipality.id, { processId: process.id, authorId: actor.id, ...fields, photoId });
    await recordAudit(tx, { actorId: actor.id, municipalityId: municipality.id, action: "participation.proposal.create", subjectType: "proposal", subjectId: id, data: { title: input.title } });
    return id;
  });
}

export async function setSupport(db: Tx, municipality: Municipality, actor: Actor, proposalId: string, on: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    const proposal = await store.getProposal(tx, municipality.id, proposalId, { forUpdate: true });
    if (!proposal || proposal.hidden_at) throw new AppError("NOT_FOUND");
    await requireVerified(tx, municipality.id, actor);
    if (!(await phaseNow(tx, municipality, proposal.process_id))?.supports_open) throw ruleRefused(REASONS.SUPPORTS_CLOSED);
    if (on && (proposal.status === "withdrawn" || proposal.status === "rejected")) throw ruleRefused(REASONS.PROPOSAL_NOT_SUPPORTABLE);
    const changed = on ? await store.addSupport(tx, municipality.id, proposalId, actor.id) : await store.removeSupport(tx, municipality.id, proposalId, actor.id);
    if (on && !changed) throw ruleRefused(REASONS.PROPOSAL_ALREADY_SUPPORTED);
    if (changed) await recordAudit(tx, { actorId: actor.id, municipalityId: municipality.id, action: on ? "participation.support.add" : "participation.support.remove", subjectType: "proposal", subjectId: proposalId });
  });
}

/**
 * A proposal's life, in one table: which answers the municipality may give from each status, and
 * whether the author may still withdraw it. Once withdrawn by its author, a proposal is theirs no
 * longer to change and the municipality's no longer to answer; a decision may be reconsidered
 * (back to evaluation) or its text amended, never turned into the opposite decision at once.
 */
export const PROPOSAL_TRANSITIONS: Record<ProposalStatus, { answers: readonly ProposalStatus[]; authorMayWithdraw: boolean }> = {
  published: { answers: ["evaluating", "accepted", "rejected", "withdrawn"], authorMayWithdraw: true },
  evaluating: { answers: ["evaluating", "accepted", "rejected", "withdrawn"], authorMayWithdraw: true },
  accepted: { answers: ["accepted", "evaluating"], authorMayWithdraw: false },
  rejected: { answers: ["rejected", "evaluating"], authorMayWithdraw: false },
  withdrawn: { answers: [], authorMayWithdraw: false },
};

/** Every status an answer can give; which of them fits a given proposal is the table's to say. */
export const ANSWER_STATUSES: readonly ProposalStatus[] = ["evaluating", "accepted", "rejected", "withdrawn"];

/** Why an answer with `to` is refused for a proposal in `from`, or null when it is allowed. */
export function answerRefusal(from: ProposalStatus, to: ProposalStatus): Reason | null {
  if (PROPOSAL_TRANSITIONS[from].answers.includes(to)) return null;
  return from === "withdrawn" ? REASONS.PROPOSAL_WITHDRAWN_BY_AUTHOR : REASONS.PROPOSAL_ANSWER_NOT_ALLOWED;
}

export async function withdrawProposal(db: Tx, municipalityId: string, actor: Actor, proposalId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const proposal = await store.getProposal(tx, municipalityId, proposalId, { forUpdate: true });
    if (!proposal || proposal.author_id !== actor.id) throw new AppError("NOT_FOUND");
    if (!PROPOSAL_TRANSITIONS[proposal.status].authorMayWithdraw) throw ruleRefused(REASONS.PROPOSAL_ALREADY_ANSWERED);
    await store.withdrawProposal(tx, municipalityId, proposalId);
    await recordAudit(tx, { actorId: actor.id, municipalityId, action: "participation.proposal.withdraw", subjectType: "proposal", subjectId: proposalId });
  });
}

/** The municipality's official answer: a status with its reason, told to the author. */
export async function answerProposal(reach: Reach & { db: Tx }, actorId: string, proposal: ProposalRow, process: ProcessRow, status: ProposalStatus, answer: string): Promise<void> {
  await reach.db.transaction(async (tx) => {
    // Read again under lock: the author may have withdrawn it since the page was drawn.
    const current = await store.getProposal(tx, reach.municipality.id, proposal.id, { forUpdate: true });
    if (!current) throw new AppError("NOT_FOUND");
    const refusal = answerRefusal(current.status, status);
    if (refusal) throw ruleRefused(refusal);
    await store.answerProposal(tx, reach.municipality.id, proposal.id, status, answer, actorId);
    await recordAudit(tx, { actorId, municipalityId: reach.municipality.id, action: "participation.proposal.answer", subjectType: "proposal", subjectId: proposal.id, data: { status, answer } });
  });
  const author = await userContact(reach.db, proposal.author_id);
  if (author) {
    const t = translator(isLocale(author.locale) ? author.locale : "fr");
    await tell(reach, author, "participation.notify.answered", {
      title: proposal.title,
      status: t(proposalStatusKey(status)),
      url: `${reach.publicUrl}/${reach.municipality.slug}/participation/${process.slug}/proposals/${proposal.id}`,
    });
  }
}

const STATUS_KEYS: Record<ProposalStatus, string> = {
  published: "participation.proposal.status.published",
  evaluating: "participation.proposal.status.evaluating",
  accepted: "participation.proposal.status.accepted",
  rejected: "participation.proposal.status.rejected",
  withdrawn: "participation.proposal.status.withdrawn",
};
export const proposalStatusKey = (status: ProposalStatus) => STATUS_KEYS[status];

// ---------------------------------------------------------------------------------------------
// Comments and moderation

export async function addComment(reach: Reach & { db: Tx }, actor: Actor, proposal: ProposalRow, process: ProcessRow, parentId: string | null, body: string): Promise<string> {
  const parent = parentId ? await store.getComment(reach.db, reach.municipality.id, parentId) : undefined;
  if (parentId && (!parent || parent.proposal_id !== proposal.id)) throw new AppError("NOT_FOUND");
  const id = await reach.db.transaction(async (tx) => {
    const created = await store.insertComment(tx, reach.municipality.id, { proposalId: proposal.id, parentId, authorId: actor.id, body });
    await recordAudit(tx, { actorId: actor.id, municipalityId: reach.municipality.id, action: "participation.comment.create", subjectType: "comment", subjectId: created, data: { proposal: proposal.id } });
    return created;
  });
  if (parent && parent.author_id !== actor.id) {
    await tell(reach, { phone: parent.author_phone, email: parent.author_email, locale: parent.author_locale }, "participation.notify.reply", {
      title: proposal.title,
      url: `${reach.publicUrl}/${reach.municipality.slug}/participation/${process.slug}/proposals/${proposal.id}#c-${id}`,
    });
  }
  return id;
}

export const FLAG_REASONS = ["spam", "offensive", "personal_data", "off_topic", "other"] as const;

export async function flagContent(db: Tx, municipalityId: string, actorId: string, subjectType: "proposal" | "comment", subjectId: string, reason: (typeof FLAG_REASONS)[number], details: string): Promise<void> {
  await db.transaction(async (tx) => {
    const exists = subjectType === "proposal" ? await store.getProposal(tx, municipalityId, subjectId) : await store.getComment(tx, municipalityId, subjectId);
    if (!exists) throw new AppError("NOT_FOUND");
    if (!(await store.flag(tx, municipalityId, { subjectType, subjectId, reporterId: actorId, reason, details }))) throw ruleRefused(REASONS.CONTENT_ALREADY_FLAGGED);
    await recordAudit(tx, { actorId, municipalityId, action: "participation.flag", subjectType, subjectId, data: { reason } });
  });
}

/**
 * Hides a proposal or a comment with a reason. The content leaves public pages but stays in the
 * audit trail, copied there as it was; its author is told why.
 */
export async function hideContent(reach: Reach & { db: Tx }, actorId: string, subjectType: "proposal" | "comment", subjectId: string, reason: string): Promise<void> {
  const content = subjectType === "proposal" ? await store.getProposal(reach.db, reach.municipality.id, subjectId) : await store.getComment(reach.db, reach.municipality.id, subjectId);
  if (!content) throw new AppError("NOT_FOUND");
  await reach.db.transaction(async (tx) => {
    if (!(await store.hide(tx, reach.municipality.id, subjectType, subjectId, reason, actorId))) throw ruleRefused(REASONS.CONTENT_ALREADY_HIDDEN);
    await recordAudit(tx, {
      actorId,
      municipalityId: reach.municipality.id,
      action: `participation.${subjectType}.hide`,
      subjectType,
      subjectId,
      data: { reason, content: { ...("title" in content ? { title: content.title } : {}), body: content.body, author: content.author_id } },
    });
  });
  const author = await userContact(reach.db, content.author_id);
  if (author) await tell(reach, author, "participation.notify.hidden", { reason, excerpt: ("title" in content ? content.title : content.body).slice(0, 80) });
}

export async function dismissFlags(db: Tx, municipalityId: string, actorId: string, subjectType: "proposal" | "comment", subjectId: string): Promise<void> {
  await db.transaction(async (tx) => {
    if (!(await store.dismissFlags(tx, municipalityId, subjectType, subjectId))) throw new AppError("NOT_FOUND");
    await recordAudit(tx, { actorId, municipalityId, action: "participation.flag.dismiss", subjectType, subjectId });
  });
}

