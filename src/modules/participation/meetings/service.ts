import { toCsv } from "../../../core/export/csv.js";
import { recordAudit } from "../../../core/audit/index.js";
import type { Queryable, Tx } from "../../../core/db/index.js";
import { storeFile } from "../../../core/files/index.js";
import { AppError, refusedOnField, ruleRefused, type Reason } from "../../../core/http/errors.js";
import { formatters, isLocale, translator } from "../../../core/i18n/index.js";
import { sendMessage, type ChannelAdapter } from "../../../core/notify/index.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { PARTICIPATION_REASONS as REASONS } from "../reasons.js";
import { getProcess } from "../store.js";
import * as store from "./store.js";
import { AGE_BANDS, GENDERS, type AgeBand, type AttendanceCell, type Gender, type MeetingInput, type MeetingRow, type OpenAttendanceRow } from "./store.js";

/*
 * Public meetings (réunions publiques) of participation: the municipality announces a meeting
 * with its agenda, residents register while seats are left, an agent counts who came at the
 * door — most have no account, so the count is by gender and age band, which is also what the
 * programme's inclusion goals (women, young people) are measured with — and the minutes and
 * photos are published once it is over. Every change is audited.
 */

export { AGE_BANDS, GENDERS } from "./store.js";
export type { AgeBand, AttendanceCell, Gender, MeetingInput, MeetingRow, MeetingStatus, OpenAttendanceRow, PhotoRow, RegistrationRow } from "./store.js";

export type MeetingTiming = "upcoming" | "ongoing" | "past";

export interface AttendanceTotals {
  total: number;
  byGender: Record<Gender, number>;
  byAgeBand: Record<AgeBand, number>;
}

// ---------------------------------------------------------------------------------------------
// Time: staff type a local date and time; the database keeps UTC.

// Wall-clock conversions live in core: meetings keep their names for the callers that use them.

export function meetingTiming(meeting: Pick<MeetingRow, "starts_at" | "ends_at">, now: Date): MeetingTiming {
  if (now.getTime() < meeting.starts_at.getTime()) return "upcoming";
  if (now.getTime() < meeting.ends_at.getTime()) return "ongoing";
  return "past";
}

export const seatsLeft = (meeting: Pick<MeetingRow, "capacity" | "registrations">): number | null => (meeting.capacity === null ? null : Math.max(0, meeting.capacity - meeting.registrations));

// ---------------------------------------------------------------------------------------------
// Rules, pure: the same answers decide the buttons shown and the changes accepted.

/** Why a resident may not register now; null when they may. */
export function registrationRefusal(meeting: Pick<MeetingRow, "status" | "starts_at" | "capacity" | "registrations">, now: Date): Reason | null {
  if (meeting.status === "cancelled") return REASONS.MEETING_CANCELLED;
  if (meeting.status !== "published") return REASONS.MEETING_NOT_PUBLISHED;
  if (now.getTime() >= meeting.starts_at.getTime()) return REASONS.MEETING_REGISTRATION_CLOSED;
  if (meeting.capacity !== null && meeting.registrations >= meeting.capacity) return REASONS.MEETING_FULL;
  return null;
}

/** Why attendance may not be recorded now; counting starts with the meeting. */
export function attendanceRefusal(meeting: Pick<MeetingRow, "status" | "starts_at">, now: Date): Reason | null {
  if (meeting.status === "cancelled") return REASONS.MEETING_CANCELLED;
  if (meeting.status !== "published") return REASONS.MEETING_NOT_PUBLISHED;
  if (now.getTime() < meeting.starts_at.getTime()) return REASONS.MEETING_NOT_STARTED;
  return null;
}

/** Why minutes and photos may not be published now: they tell what happened, so only afterwards. */
export function minutesRefusal(meeting: Pick<MeetingRow, "status" | "ends_at">, now: Date): Reason | null {
  if (meeting.status === "cancelled") return REASONS.MEETING_CANCELLED;
  if (meeting.status !== "published") return REASONS.MEETING_NOT_PUBLISHED;
  if (now.getTime() < meeting.ends_at.getTime()) return REASONS.MEETING_NOT_ENDED;
  return null;
}

export function attendanceTotals(cells: Pick<AttendanceCell, "gender" | "age_band" | "count">[]): AttendanceTotals {
  const byGender = Object.fromEntries(GENDERS.map((gender) => [gender, 0])) as Record<Gender, number>;
  const byAgeBand = Object.fromEntries(AGE_BANDS.map((band) => [band, 0])) as Record<AgeBand, number>;
  let total = 0;
  for (const cell of cells) {
    byGender[cell.gender] += cell.count;
    byAgeBand[cell.age_band] += cell.count;
    total += cell.count;
  }
  return { total, byGender, byAgeBand };
}

// ---------------------------------------------------------------------------------------------
// Changes, each in one transaction with its audit entry

async function lockedMeeting(tx: Queryable, municipalityId: string, id: string): Promise<MeetingRow> {
  const meeting = await store.getMeeting(tx, municipalityId, id, { forUpdate: true });
  if (!meeting) throw new AppError("NOT_FOUND");
  return meeting;
}

async function checkProcess(tx: Queryable, municipalityId: string, processId: string | null): Promise<void> {
  if (processId === null) return;
  if (!(await getProcess(tx, municipalityId, processId))) throw new AppError("CONFLICT", { process_id: { key: "form.invalid_choice" } });
}

export async function createMeeting(db: Tx, municipalityId: string, actorId: string, input: MeetingInput): Promise<string> {
  return db.transaction(async (tx) => {
    await checkProcess(tx, municipalityId, input.processId);
    const id = await store.insertMeeting(tx, municipalityId, actorId, input);
    await recordAudit(tx, { actorId, municipalityId, action: "participation.meeting.create", subjectType: "meeting", subjectId: id, data: { title: input.title, starts_at: input.startsAt.toISOString() } });
    return id;
  });
}

export async function updateMeeting(db: Tx, municipalityId: string, actorId: string, id: string, input: MeetingInput, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const meeting = await lockedMeeting(tx, municipalityId, id);
    if (meeting.status === "cancelled") throw ruleRefused(REASONS.MEETING_CANCELLED);
    await checkProcess(tx, municipalityId, input.processId);
    // Seats already given are not taken back: lowering the capacity stops at the registrations.
    if (input.capacity !== null && input.capacity < meeting.registrations) {
      throw refusedOnField("capacity", REASONS.MEETING_CAPACITY_BELOW_REGISTRATIONS, { count: meeting.registrations });
    }
    if (meeting.minutes_published_at && input.endsAt.getTime() > meeting.minutes_published_at.getTime()) {
      throw refusedOnField("date", REASONS.MEETING_MINUTES_BEFORE_END);
    }
    // A headcount is of people who came: the meeting cannot be moved to a time still to come.
    const counted = await store.hasHeadcount(tx, municipalityId, id);
    if (counted && input.startsAt.getTime() > now.getTime()) throw refusedOnField("date", REASONS.MEETING_COUNTED_BEFORE_START);
    await store.updateMeeting(tx, municipalityId, id, input);
    const changed: Record<string, unknown> = { title: input.title };
    if (input.startsAt.getTime() !== meeting.starts_at.getTime() || input.endsAt.getTime() !== meeting.ends_at.getTime()) {
      changed.starts_at = input.startsAt.toISOString();
      changed.ends_at = input.endsAt.toISOString();
    }
    if (input.capacity !== meeting.capacity) changed.capacity = input.capacity;
    await recordAudit(tx, { actorId, municipalityId, action: "participation.meeting.update", subjectType: "meeting", subjectId: id, data: changed });
  });
}

export async function publishMeeting(db: Tx, municipalityId: string, actorId: string, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const meeting = await lockedMeeting(tx, municipalityId, id);
    if (meeting.status === "cancelled") throw ruleRefused(REASONS.MEETING_CANCELLED);
    if (meeting.status === "published") return;
    await store.setMeetingStatus(tx, municipalityId, id, "published");
    await recordAudit(tx, { actorId, municipalityId, action: "participation.meeting.publish", subjectType: "meeting", subjectId: id });
  });
}

interface Reach {
  db: Tx;
  notifier: ChannelAdapter;
  publicUrl: string;
  municipality: Municipality;
}

/**
 * Cancels a meeting that has not ended yet and tells every registered person, in their language,
 * by SMS (or email without a phone). The message goes out after the change is committed.
 */
export async function cancelMeeting(reach: Reach, actorId: string, id: string, now = new Date()): Promise<void> {
  const { municipality } = reach;
  const { meeting, people } = await reach.db.transaction(async (tx) => {
    const meeting = await lockedMeeting(tx, municipality.id, id);
    if (meeting.status === "cancelled") throw ruleRefused(REASONS.MEETING_CANCELLED);
    if (now.getTime() >= meeting.ends_at.getTime()) throw ruleRefused(REASONS.MEETING_ALREADY_ENDED);
    await store.setMeetingStatus(tx, municipality.id, id, "cancelled");
    await recordAudit(tx, { actorId, municipalityId: municipality.id, action: "participation.meeting.cancel", subjectType: "meeting", subjectId: id, data: { registrations: meeting.registrations } });
    const people = await store.registrantContacts(tx, municipality.id, id);
    return { meeting, people };
  });
  for (const person of people) {
    const recipient = person.phone ?? person.email;
    if (!recipient) continue;
    const locale = isLocale(person.locale) ? person.locale : "fr";
    const t = translator(locale);
    const when = formatters(locale).dateTime(meeting.starts_at, municipality.time_zone);
    await sendMessage(reach.db, reach.notifier, {
      municipalityId: municipality.id,
      channel: person.phone ? "sms" : "email",
      recipient,
      subject: t("participation.meetings.notify.subject", { municipality: municipality.name }),
      body: t("participation.meetings.notify.cancelled", { title: meeting.title, when, municipality: municipality.name, url: `${reach.publicUrl}/${municipality.slug}/meetings/${meeting.id}` }),
    });
  }
}

/**
 * Registers a person under the meeting's row lock, so that two requests for the last seat are
 * counted one after the other and only the first gets it. The primary key refuses a second
 * registration of the same person even if this check were bypassed.
 */
export async function register(db: Tx, municipalityId: string, meetingId: string, userId: string, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const meeting = await lockedMeeting(tx, municipalityId, meetingId);
    if (await store.isRegistered(tx, municipalityId, meetingId, userId)) throw ruleRefused(REASONS.MEETING_ALREADY_REGISTERED);
    const refusal = registrationRefusal(meeting, now);
    // The message says how many seats there were.
    if (refusal) throw ruleRefused(refusal, refusal === REASONS.MEETING_FULL ? { capacity: meeting.capacity ?? 0 } : {});
    await store.insertRegistration(tx, municipalityId, meetingId, userId);
    await recordAudit(tx, { actorId: userId, municipalityId, action: "participation.meeting.register", subjectType: "meeting", subjectId: meetingId });
  });
}

/** Frees the seat; once the meeting has started the list is the one the agent works from. */
export async function unregister(db: Tx, municipalityId: string, meetingId: string, userId: string, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const meeting = await lockedMeeting(tx, municipalityId, meetingId);
    if (now.getTime() >= meeting.starts_at.getTime()) throw ruleRefused(REASONS.MEETING_REGISTRATION_CLOSED);
    if (!(await store.deleteRegistration(tx, municipalityId, meetingId, userId))) throw ruleRefused(REASONS.MEETING_NOT_REGISTERED);
    await recordAudit(tx, { actorId: userId, municipalityId, action: "participation.meeting.unregister", subjectType: "meeting", subjectId: meetingId });
  });
}

/**
 * Replaces the whole headcount (every gender × age band, zeros included) and the list of
 * registered people ticked present, in one transaction: a second recording corrects the first,
 * never adds to it. The headcount includes everyone in the room, so it cannot be smaller than
 * the number of registered people ticked.
 */
export async function recordAttendance(db: Tx, municipalityId: string, actorId: string, meetingId: string, cells: AttendanceCell[], presentUserIds: string[], now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const meeting = await lockedMeeting(tx, municipalityId, meetingId);
    const refusal = attendanceRefusal(meeting, now);
    if (refusal) throw ruleRefused(refusal);
    const totals = attendanceTotals(cells);
    const present = [...new Set(presentUserIds)];
    if (totals.total < present.length) throw refusedOnField("counts", REASONS.MEETING_COUNT_BELOW_PRESENT, { total: totals.total, present: present.length });
    const grid = GENDERS.flatMap((gender) =>
      AGE_BANDS.map((band) => ({ gender, age_band: band, count: cells.filter((cell) => cell.gender === gender && cell.age_band === band).reduce((sum, cell) => sum + cell.count, 0) })),
    );
    await store.replaceHeadcount(tx, municipalityId, meetingId, grid, actorId);
    await store.replaceAttendees(tx, municipalityId, meetingId, present, actorId);
    await recordAudit(tx, {
      actorId,
      municipalityId,
      action: "participation.meeting.attendance",
      subjectType: "meeting",
      subjectId: meetingId,
      data: { total: totals.total, by_gender: totals.byGender, by_age_band: totals.byAgeBand, registered_present: present.length },
    });
  });
}

/**
 * Publishes (or corrects) the minutes once the meeting is over, with a photo when one is given;
 * the photo's bytes were already checked to be a JPEG or a PNG.
 */
export async function publishMinutes(
  db: Tx,
  filesDir: string,
  municipalityId: string,
  actorId: string,
  meetingId: string,
  input: { minutes: string; photo?: { data: Buffer; mediaType: string; filename: string; caption: string } },
  now = new Date(),
): Promise<void> {
  await db.transaction(async (tx) => {
    const meeting = await lockedMeeting(tx, municipalityId, meetingId);
    const refusal = minutesRefusal(meeting, now);
    if (refusal) throw ruleRefused(refusal);
    await store.saveMinutes(tx, municipalityId, meetingId, input.minutes, now);
    let photoId: string | undefined;
    if (input.photo) {
      const stored = await storeFile(tx, filesDir, { municipalityId, data: input.photo.data, mediaType: input.photo.mediaType, originalName: input.photo.filename, createdBy: actorId });
      photoId = await store.insertPhoto(tx, municipalityId, meetingId, stored.id, input.photo.caption, actorId);
    }
    await recordAudit(tx, { actorId, municipalityId, action: "participation.meeting.minutes", subjectType: "meeting", subjectId: meetingId, data: { minutes_length: input.minutes.length, ...(photoId ? { photo: photoId } : {}) } });
  });
}

// ---------------------------------------------------------------------------------------------
// Demo data: written directly, as a municipality's archive would be imported.

/** A meeting as it stands after the fact, for the demo: its status, registrations, headcount, minutes. */
export async function insertMeetingAsIs(
  tx: Tx,
  municipalityId: string,
  actorId: string,
  input: MeetingInput,
  extra: { registrants?: string[]; counts?: AttendanceCell[]; countedBy?: string; minutes?: string },
): Promise<string> {
  const id = await store.insertMeeting(tx, municipalityId, actorId, input, "published");
  for (const userId of extra.registrants ?? []) await store.insertRegistration(tx, municipalityId, id, userId);
  for (const cell of extra.counts ?? []) await store.insertHeadcountAsIs(tx, municipalityId, id, cell, extra.countedBy ?? actorId, input.endsAt);
  if (extra.minutes) await store.setMinutesAsIs(tx, municipalityId, id, extra.minutes, new Date(input.endsAt.getTime() + 2 * 86_400_000));
  await recordAudit(tx, { actorId, municipalityId, action: "participation.meeting.create", subjectType: "meeting", subjectId: id, data: { title: input.title, starts_at: input.startsAt.toISOString() } });
  return id;
}

// ---------------------------------------------------------------------------------------------
// Open data

/**
 * Headcounts as open data, one row per meeting × gender × age band (long format: sums by gender,
 * band or period are one pivot away). Header names are stable and in English, like the other
 * exports; nobody's name, account or contact is in it.
 */
export function attendanceCsv(rows: OpenAttendanceRow[]): string {
  const header = ["meeting_id", "meeting_title", "starts_at", "ends_at", "gender", "age_band", "count"];
  return toCsv(
    header,
    rows.map((row) => [row.meeting_id, row.title, row.starts_at, row.ends_at, row.gender, row.age_band, row.count]),
  );
}
