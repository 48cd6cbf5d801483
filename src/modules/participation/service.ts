import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import type { Queryable, Tx } from "../../core/db/index.js";
import { recordAudit } from "../../core/audit/index.js";
import { confirmAccount } from "../../core/auth/accounts.js";
import type { Actor } from "../../core/auth/roles.js";
import { AppError, refusedOnField, ruleRefused } from "../../core/http/errors.js";
import { isLocale, translator } from "../../core/i18n/index.js";
import { sendMessage, type ChannelAdapter } from "../../core/notify/index.js";
import { localToday, zonedInstant } from "../../core/tenancy/clock.js";
import { findMunicipalitiesByIds, type Municipality } from "../../core/tenancy/index.js";
import { PARTICIPATION_REASONS as REASONS } from "./reasons.js";
import * as store from "./store.js";
import type { PhaseRow, ProcessRow } from "./store.js";

/*
 * The rules shared by the parts of participation: a process runs through dated phases, each
 * saying whether residents may submit proposals or support them; only verified residents take
 * part, and people are told what concerns them in their own language. What residents do within a
 * process (proposals, surveys, budgets) and public meetings are the parts' own, in their folders.
 */

export type ProcessTiming = "upcoming" | "open" | "closed";

export { localToday };

/**
 * The instant a person means by a date (YYYY-MM-DD) and a time (HH:MM) on the municipality's
 * clock, for the windows of surveys and votes; undefined when either names no real moment
 * (30 February, 25:00) or the year is not one a vote can take place in.
 */
export function zonedToUtc(date: string, time: string, timeZone: string): Date | undefined {
  const year = Number(date.slice(0, 4));
  return year < 2000 || year > 2200 ? undefined : zonedInstant(date, time, timeZone);
}

export function processTiming(phases: Pick<PhaseRow, "starts_on" | "ends_on">[], today: string): ProcessTiming {
  if (phases.length === 0 || phases.every((phase) => phase.starts_on > today)) return "upcoming";
  if (phases.every((phase) => phase.ends_on < today)) return "closed";
  return "open";
}

export function currentPhase<T extends Pick<PhaseRow, "starts_on" | "ends_on">>(phases: T[], today: string): T | undefined {
  return phases.find((phase) => phase.starts_on <= today && today <= phase.ends_on);
}

// ---------------------------------------------------------------------------------------------
// Processes

async function ensureSlugFree(tx: Queryable, municipalityId: string, slug: string, selfId: string | null): Promise<void> {
  const clash = await store.getProcessBySlug(tx, municipalityId, slug);
  if (clash && clash.id !== selfId) throw refusedOnField("slug", REASONS.PROCESS_SLUG_TAKEN);
}

export async function createProcess(db: Tx, municipalityId: string, actorId: string, input: store.ProcessInput): Promise<string> {
  return db.transaction(async (tx) => {
    await ensureSlugFree(tx, municipalityId, input.slug, null);
    const id = await store.insertProcess(tx, municipalityId, actorId, input);
    await recordAudit(tx, { actorId, municipalityId, action: "participation.process.create", subjectType: "process", subjectId: id, data: { slug: input.slug } });
    return id;
  });
}

export async function updateProcess(db: Tx, municipalityId: string, actorId: string, id: string, input: store.ProcessInput): Promise<void> {
  await db.transaction(async (tx) => {
    await ensureSlugFree(tx, municipalityId, input.slug, id);
    if (!(await store.updateProcess(tx, municipalityId, id, input))) throw new AppError("NOT_FOUND");
    await recordAudit(tx, { actorId, municipalityId, action: "participation.process.update", subjectType: "process", subjectId: id });
  });
}

export async function setProcessStatus(db: Tx, municipalityId: string, actorId: string, id: string, status: ProcessRow["status"]): Promise<void> {
  await db.transaction(async (tx) => {
    if (status === "published" && (await store.listPhases(tx, municipalityId, [id])).length === 0) throw ruleRefused(REASONS.PROCESS_WITHOUT_PHASE);
    if (!(await store.setProcessStatus(tx, municipalityId, id, status))) throw new AppError("NOT_FOUND");
    await recordAudit(tx, { actorId, municipalityId, action: `participation.process.${status}`, subjectType: "process", subjectId: id });
  });
}

export async function addPhase(db: Tx, municipalityId: string, actorId: string, processId: string, phase: Parameters<typeof store.insertPhase>[3]): Promise<void> {
  await db.transaction(async (tx) => {
    if (!(await store.getProcess(tx, municipalityId, processId))) throw new AppError("NOT_FOUND");
    const id = await store.insertPhase(tx, municipalityId, processId, phase);
    await recordAudit(tx, { actorId, municipalityId, action: "participation.phase.add", subjectType: "process", subjectId: processId, data: { phase: id, ...phase } });
  });
}

export async function removePhase(db: Tx, municipalityId: string, actorId: string, processId: string, phaseId: string): Promise<void> {
  await db.transaction(async (tx) => {
    if (!(await store.deletePhase(tx, municipalityId, processId, phaseId))) throw new AppError("NOT_FOUND");
    await recordAudit(tx, { actorId, municipalityId, action: "participation.phase.remove", subjectType: "process", subjectId: processId, data: { phase: phaseId } });
  });
}

// ---------------------------------------------------------------------------------------------
// Messages to people, in their language

/** What a use case needs to tell people something: the outbox, and the municipality it speaks for. */
export interface Reach {
  db: Queryable;
  notifier: ChannelAdapter;
  publicUrl: string;
  municipality: Municipality;
}

export async function tell(reach: Reach, person: { phone: string | null; email: string | null; locale: string | null }, key: string, params: Record<string, string>): Promise<void> {
  const recipient = person.phone ?? person.email;
  if (!recipient) return;
  const t = translator(isLocale(person.locale) ? person.locale : "fr");
  await sendMessage(reach.db, reach.notifier, {
    municipalityId: reach.municipality.id,
    channel: person.phone ? "sms" : "email",
    recipient,
    subject: t("participation.notify.subject", { municipality: reach.municipality.name }),
    body: t(key, { municipality: reach.municipality.name, ...params }),
  });
}

// ---------------------------------------------------------------------------------------------
// Verified residents

const CODE_TTL_MS = 15 * 60 * 1000;
const MAX_CODE_ATTEMPTS = 5;
const hashCode = (userId: string, code: string) => createHash("sha256").update(`${userId}:${code}`).digest("hex");

/** Sends a one-time code to the account's phone; entering it makes the person a verified resident. */
export async function sendVerificationCode(reach: Reach, actor: Actor): Promise<void> {
  if (!actor.phone) throw ruleRefused(REASONS.VERIFICATION_NO_PHONE);
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  await store.saveVerificationCode(reach.db, reach.municipality.id, actor.id, hashCode(actor.id, code), actor.phone, new Date(Date.now() + CODE_TTL_MS));
  await tell(reach, { phone: actor.phone, email: null, locale: actor.locale }, "participation.notify.verification_code", { code });
}

/** Checks the code under the row's lock: five wrong tries and it is gone. */
export async function confirmVerificationCode(db: Tx, municipalityId: string, actor: Actor, code: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const saved = await store.verificationCode(tx, municipalityId, actor.id);
    if (!saved || saved.expires_at.getTime() < Date.now() || saved.attempts >= MAX_CODE_ATTEMPTS) return false;
    const expected = Buffer.from(saved.code_hash, "hex");
    const given = Buffer.from(hashCode(actor.id, code.replace(/\s/g, "")), "hex");
    if (!timingSafeEqual(expected, given)) {
      await store.countFailedCode(tx, municipalityId, actor.id);
      return false;
    }
    await store.dropVerificationCode(tx, municipalityId, actor.id);
    await store.verify(tx, municipalityId, actor.id, "sms_code", null);
    await recordAudit(tx, { actorId: actor.id, municipalityId, action: "participation.resident.verify", subjectType: "user", subjectId: actor.id, data: { method: "sms_code" } });
    return true;
  });
}

/**
 * An agent saw the person's identity document: who verified is kept, never the document. The
 * person stood at the counter with their phone, so their account's number is confirmed too.
 */
export async function verifyInPerson(db: Tx, municipalityId: string, agentId: string, userId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const done = await store.verify(tx, municipalityId, userId, "document", agentId);
    if (done) await recordAudit(tx, { actorId: agentId, municipalityId, action: "participation.resident.verify", subjectType: "user", subjectId: userId, data: { method: "document" } });
    const confirmed = await confirmAccount(tx, userId, { method: "in_person", agentId, municipalityId });
    return done || confirmed;
  });
}

/** Refuses, with the reason, anyone not verified as a resident of this municipality. */
export async function requireVerified(db: Queryable, municipalityId: string, actor: Actor): Promise<void> {
  if (!(await store.verification(db, municipalityId, actor.id))) throw ruleRefused(REASONS.RESIDENT_NOT_VERIFIED);
}

// ---------------------------------------------------------------------------------------------
// Phases opening

/** Tells each process's followers, once, that a phase has opened. Run by the job worker. */
export async function announceOpenedPhases(db: Tx, notifier: ChannelAdapter, publicUrl: string): Promise<number> {
  let told = 0;
  for (const phase of await store.phasesToAnnounce(db)) {
    if (!(await store.markPhaseAnnounced(db, phase.municipality_id, phase.id))) continue;
    const [municipality] = await findMunicipalitiesByIds(db, [phase.municipality_id]);
    if (!municipality) continue;
    for (const person of await store.followers(db, phase.municipality_id, phase.process_id)) {
      await tell({ db, notifier, publicUrl, municipality }, person, "participation.notify.phase_opened", {
        process: phase.process_title,
        phase: phase.title,
        url: `${publicUrl}/${municipality.slug}/participation/${phase.process_slug}`,
      });
      told++;
    }
  }
  return told;
}
