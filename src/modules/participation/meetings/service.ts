import { toCsv } from "../../../core/export/csv.js";
import { recordAudit } from "../../../core/audit/index.js";
import type { Queryable, Tx } from "../../../core/db/index.js";
import { storeFile } from "../../../core/files/index.js";
import { AppError, ruleRefused } from "../../../core/http/errors.js";
import { formatters, isLocale, translator } from "../../../core/i18n/index.js";
import { sendMessage, type ChannelAdapter } from "../../../core/notify/index.js";
import type { Municipality } from "../../../core/tenancy/index.js";

/*
 * Public meetings (réunions publiques) of participation: the municipality announces a meeting
 * with its agenda, residents register while seats are left, an agent counts who came at the
 * door — most have no account, so the count is by gender and age band, which is also what the
 * programme's inclusion goals (women, young people) are measured with — and the minutes and
 * photos are published once it is over. Every change is audited.
 */

export const GENDERS = ["woman", "man", "other_or_undisclosed"] as const;
export type Gender = (typeof GENDERS)[number];
export const AGE_BANDS = ["under_18", "18_24", "25_34", "35_59", "60_plus", "undisclosed"] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export type MeetingStatus = "draft" | "published" | "cancelled";
export type MeetingTiming = "upcoming" | "ongoing" | "past";

export interface MeetingRow {
  municipality_id: string;
  id: string;
  process_id: string | null;
  title: string;
  description: string;
  agenda: string;
  starts_at: Date;
  ends_at: Date;
  place: string;
  online_url: string | null;
  capacity: number | null;
  status: MeetingStatus;
  minutes: string;
  minutes_published_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  /** People registered, for the seats left. */
  registrations: number;
}

export interface MeetingInput {
  processId: string | null;
  title: string;
  description: string;
  agenda: string;
  startsAt: Date;
  endsAt: Date;
  place: string;
  onlineUrl: string | null;
  /** null: as many as come. */
  capacity: number | null;
}

export interface AttendanceCell {
  gender: Gender;
  age_band: AgeBand;
  count: number;
}

export interface AttendanceTotals {
  total: number;
  byGender: Record<Gender, number>;
  byAgeBand: Record<AgeBand, number>;
}

export interface RegistrationRow {
  user_id: string;
  name: string;
  created_at: Date;
  present: boolean;
}

export interface PhotoRow {
  id: string;
  file_id: string;
  caption: string;
  created_at: Date;
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

/** Why a resident may not register now, as a message key; null when they may. */
export function registrationRefusal(meeting: Pick<MeetingRow, "status" | "starts_at" | "capacity" | "registrations">, now: Date): string | null {
  if (meeting.status === "cancelled") return "participation.meetings.error.cancelled";
  if (meeting.status !== "published") return "participation.meetings.error.not_published";
  if (now.getTime() >= meeting.starts_at.getTime()) return "participation.meetings.error.registration_closed";
  if (meeting.capacity !== null && meeting.registrations >= meeting.capacity) return "participation.meetings.error.full";
  return null;
}

/** Why attendance may not be recorded now; counting starts with the meeting. */
export function attendanceRefusal(meeting: Pick<MeetingRow, "status" | "starts_at">, now: Date): string | null {
  if (meeting.status === "cancelled") return "participation.meetings.error.cancelled";
  if (meeting.status !== "published") return "participation.meetings.error.not_published";
  if (now.getTime() < meeting.starts_at.getTime()) return "participation.meetings.error.not_started";
  return null;
}

/** Why minutes and photos may not be published now: they tell what happened, so only afterwards. */
export function minutesRefusal(meeting: Pick<MeetingRow, "status" | "ends_at">, now: Date): string | null {
  if (meeting.status === "cancelled") return "participation.meetings.error.cancelled";
  if (meeting.status !== "published") return "participation.meetings.error.not_published";
  if (now.getTime() < meeting.ends_at.getTime()) return "participation.meetings.error.not_ended";
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
// Store

const MEETING_COLUMNS = `m.municipality_id, m.id, m.process_id, m.title, m.description, m.agenda, m.starts_at, m.ends_at, m.place, m.online_url,
  m.capacity, m.status, m.minutes, m.minutes_published_at, m.created_by, m.created_at, m.updated_at,
  (SELECT count(*)::int FROM meeting_registrations r WHERE r.municipality_id = m.municipality_id AND r.meeting_id = m.id) AS registrations`;

export async function listMeetings(db: Queryable, municipalityId: string, options: { publicOnly: boolean }): Promise<MeetingRow[]> {
  return db.query<MeetingRow>(
    `SELECT ${MEETING_COLUMNS} FROM meetings m WHERE m.municipality_id = $1 ${options.publicOnly ? "AND m.status <> 'draft'" : ""} ORDER BY m.starts_at, m.id`,
    [municipalityId],
  );
}

/** Published and cancelled meetings from a year back, for the calendar feed: a cancellation must reach subscribers. */
export async function calendarMeetings(db: Queryable, municipalityId: string, since: Date): Promise<MeetingRow[]> {
  return db.query<MeetingRow>(`SELECT ${MEETING_COLUMNS} FROM meetings m WHERE m.municipality_id = $1 AND m.status <> 'draft' AND m.ends_at >= $2 ORDER BY m.starts_at, m.id`, [
    municipalityId,
    since,
  ]);
}

export async function getMeeting(db: Queryable, municipalityId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<MeetingRow | undefined> {
  // The lock is taken on the meeting's row alone; the count is read after it, under it.
  if (options.forUpdate) await db.query("SELECT 1 FROM meetings WHERE municipality_id = $1 AND id = $2 FOR UPDATE", [municipalityId, id]);
  const [row] = await db.query<MeetingRow>(`SELECT ${MEETING_COLUMNS} FROM meetings m WHERE m.municipality_id = $1 AND m.id = $2`, [municipalityId, id]);
  return row;
}

async function insertMeeting(db: Queryable, municipalityId: string, actorId: string | null, input: MeetingInput, status: MeetingStatus = "draft"): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO meetings (municipality_id, process_id, title, description, agenda, starts_at, ends_at, place, online_url, capacity, status, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [municipalityId, input.processId, input.title, input.description, input.agenda, input.startsAt, input.endsAt, input.place, input.onlineUrl, input.capacity, status, actorId],
  );
  return row!.id;
}

export async function isRegistered(db: Queryable, municipalityId: string, meetingId: string, userId: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM meeting_registrations WHERE municipality_id = $1 AND meeting_id = $2 AND user_id = $3", [municipalityId, meetingId, userId])).length > 0;
}

/** Who registered, for the agent at the door: names only, never contacts. */
export async function listRegistrations(db: Queryable, municipalityId: string, meetingId: string): Promise<RegistrationRow[]> {
  return db.query<RegistrationRow>(
    `SELECT r.user_id, u.name, r.created_at,
       EXISTS (SELECT 1 FROM meeting_attendees a WHERE a.municipality_id = r.municipality_id AND a.meeting_id = r.meeting_id AND a.user_id = r.user_id) AS present
     FROM meeting_registrations r JOIN users u ON u.id = r.user_id
     WHERE r.municipality_id = $1 AND r.meeting_id = $2 ORDER BY u.name, r.user_id`,
    [municipalityId, meetingId],
  );
}

export async function attendanceCells(db: Queryable, municipalityId: string, meetingId: string): Promise<AttendanceCell[]> {
  return db.query<AttendanceCell>("SELECT gender, age_band, count FROM meeting_attendance WHERE municipality_id = $1 AND meeting_id = $2", [municipalityId, meetingId]);
}

/** When the headcount was last recorded and how many registered accounts were ticked present. */
export async function attendanceSummary(db: Queryable, municipalityId: string, meetingId: string): Promise<{ recorded_at: Date | null; registered_present: number }> {
  const [row] = await db.query<{ recorded_at: Date | null; registered_present: number }>(
    `SELECT (SELECT max(recorded_at) FROM meeting_attendance WHERE municipality_id = $1 AND meeting_id = $2) AS recorded_at,
       (SELECT count(*)::int FROM meeting_attendees WHERE municipality_id = $1 AND meeting_id = $2) AS registered_present`,
    [municipalityId, meetingId],
  );
  return row ?? { recorded_at: null, registered_present: 0 };
}

export async function listPhotos(db: Queryable, municipalityId: string, meetingId: string): Promise<PhotoRow[]> {
  return db.query<PhotoRow>("SELECT id, file_id, caption, created_at FROM meeting_photos WHERE municipality_id = $1 AND meeting_id = $2 ORDER BY created_at, id", [municipalityId, meetingId]);
}

export async function getPhoto(db: Queryable, municipalityId: string, meetingId: string, photoId: string): Promise<PhotoRow | undefined> {
  const [row] = await db.query<PhotoRow>("SELECT id, file_id, caption, created_at FROM meeting_photos WHERE municipality_id = $1 AND meeting_id = $2 AND id = $3", [municipalityId, meetingId, photoId]);
  return row;
}

export interface OpenAttendanceRow {
  meeting_id: string;
  title: string;
  starts_at: Date;
  ends_at: Date;
  gender: Gender;
  age_band: AgeBand;
  count: number;
}

/** Headcounts of every public meeting that has one: aggregates only, no person in them. */
export async function openAttendance(db: Queryable, municipalityId: string): Promise<OpenAttendanceRow[]> {
  return db.query<OpenAttendanceRow>(
    `SELECT m.id AS meeting_id, m.title, m.starts_at, m.ends_at, a.gender, a.age_band, a.count
     FROM meeting_attendance a JOIN meetings m ON m.municipality_id = a.municipality_id AND m.id = a.meeting_id
     WHERE a.municipality_id = $1 AND m.status = 'published'
     ORDER BY m.starts_at, m.id,
       array_position(ARRAY['woman', 'man', 'other_or_undisclosed'], a.gender),
       array_position(ARRAY['under_18', '18_24', '25_34', '35_59', '60_plus', 'undisclosed'], a.age_band)`,
    [municipalityId],
  );
}

/** The municipality's processes, to attach a meeting to one. */
export async function processChoices(db: Queryable, municipalityId: string): Promise<{ id: string; title: string; slug: string; status: string }[]> {
  return db.query("SELECT id, title, slug, status FROM processes WHERE municipality_id = $1 ORDER BY created_at DESC", [municipalityId]);
}

// ---------------------------------------------------------------------------------------------
// Changes, each in one transaction with its audit entry

async function lockedMeeting(tx: Queryable, municipalityId: string, id: string): Promise<MeetingRow> {
  const meeting = await getMeeting(tx, municipalityId, id, { forUpdate: true });
  if (!meeting) throw new AppError("NOT_FOUND");
  return meeting;
}

async function checkProcess(tx: Queryable, municipalityId: string, processId: string | null): Promise<void> {
  if (processId === null) return;
  const [found] = await tx.query("SELECT 1 FROM processes WHERE municipality_id = $1 AND id = $2", [municipalityId, processId]);
  if (!found) throw new AppError("CONFLICT", { process_id: { key: "form.invalid_choice" } });
}

export async function createMeeting(db: Tx, municipalityId: string, actorId: string, input: MeetingInput): Promise<string> {
  return db.transaction(async (tx) => {
    await checkProcess(tx, municipalityId, input.processId);
    const id = await insertMeeting(tx, municipalityId, actorId, input);
    await recordAudit(tx, { actorId, municipalityId, action: "participation.meeting.create", subjectType: "meeting", subjectId: id, data: { title: input.title, starts_at: input.startsAt.toISOString() } });
    return id;
  });
}

export async function updateMeeting(db: Tx, municipalityId: string, actorId: string, id: string, input: MeetingInput, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const meeting = await lockedMeeting(tx, municipalityId, id);
    if (meeting.status === "cancelled") throw ruleRefused("participation.meetings.error.cancelled");
    await checkProcess(tx, municipalityId, input.processId);
    // Seats already given are not taken back: lowering the capacity stops at the registrations.
    if (input.capacity !== null && input.capacity < meeting.registrations) {
      throw new AppError("CONFLICT", { capacity: { key: "participation.meetings.error.capacity_below_registrations", params: { count: meeting.registrations } } });
    }
    if (meeting.minutes_published_at && input.endsAt.getTime() > meeting.minutes_published_at.getTime()) {
      throw new AppError("CONFLICT", { date: { key: "participation.meetings.error.minutes_before_end" } });
    }
    // A headcount is of people who came: the meeting cannot be moved to a time still to come.
    const [counted] = await tx.query("SELECT 1 FROM meeting_attendance WHERE municipality_id = $1 AND meeting_id = $2 LIMIT 1", [municipalityId, id]);
    if (counted && input.startsAt.getTime() > now.getTime()) throw new AppError("CONFLICT", { date: { key: "participation.meetings.error.counted_before_start" } });
    await tx.query(
      `UPDATE meetings SET process_id = $3, title = $4, description = $5, agenda = $6, starts_at = $7, ends_at = $8, place = $9, online_url = $10, capacity = $11, updated_at = now()
       WHERE municipality_id = $1 AND id = $2`,
      [municipalityId, id, input.processId, input.title, input.description, input.agenda, input.startsAt, input.endsAt, input.place, input.onlineUrl, input.capacity],
    );
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
    if (meeting.status === "cancelled") throw ruleRefused("participation.meetings.error.cancelled");
    if (meeting.status === "published") return;
    await tx.query("UPDATE meetings SET status = 'published', updated_at = now() WHERE municipality_id = $1 AND id = $2", [municipalityId, id]);
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
    if (meeting.status === "cancelled") throw ruleRefused("participation.meetings.error.cancelled");
    if (now.getTime() >= meeting.ends_at.getTime()) throw ruleRefused("participation.meetings.error.already_ended");
    await tx.query("UPDATE meetings SET status = 'cancelled', updated_at = now() WHERE municipality_id = $1 AND id = $2", [municipality.id, id]);
    await recordAudit(tx, { actorId, municipalityId: municipality.id, action: "participation.meeting.cancel", subjectType: "meeting", subjectId: id, data: { registrations: meeting.registrations } });
    const people = await tx.query<{ phone: string | null; email: string | null; locale: string | null }>(
      "SELECT u.phone, u.email, u.locale FROM meeting_registrations r JOIN users u ON u.id = r.user_id WHERE r.municipality_id = $1 AND r.meeting_id = $2",
      [municipality.id, id],
    );
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
    if (await isRegistered(tx, municipalityId, meetingId, userId)) throw ruleRefused("participation.meetings.error.already_registered");
    const refusal = registrationRefusal(meeting, now);
    if (refusal === "participation.meetings.error.full") throw new AppError("CONFLICT", {}, { capacity: meeting.capacity ?? 0 }, refusal);
    if (refusal) throw ruleRefused(refusal);
    await tx.query("INSERT INTO meeting_registrations (municipality_id, meeting_id, user_id) VALUES ($1, $2, $3)", [municipalityId, meetingId, userId]);
    await recordAudit(tx, { actorId: userId, municipalityId, action: "participation.meeting.register", subjectType: "meeting", subjectId: meetingId });
  });
}

/** Frees the seat; once the meeting has started the list is the one the agent works from. */
export async function unregister(db: Tx, municipalityId: string, meetingId: string, userId: string, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const meeting = await lockedMeeting(tx, municipalityId, meetingId);
    if (now.getTime() >= meeting.starts_at.getTime()) throw ruleRefused("participation.meetings.error.registration_closed");
    const removed = await tx.query("DELETE FROM meeting_registrations WHERE municipality_id = $1 AND meeting_id = $2 AND user_id = $3 RETURNING user_id", [municipalityId, meetingId, userId]);
    if (removed.length === 0) throw ruleRefused("participation.meetings.error.not_registered");
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
    if (totals.total < present.length) throw new AppError("CONFLICT", { counts: { key: "participation.meetings.error.count_below_present", params: { total: totals.total, present: present.length } } });
    await tx.query("DELETE FROM meeting_attendance WHERE municipality_id = $1 AND meeting_id = $2", [municipalityId, meetingId]);
    for (const gender of GENDERS) {
      for (const band of AGE_BANDS) {
        const count = cells.filter((cell) => cell.gender === gender && cell.age_band === band).reduce((sum, cell) => sum + cell.count, 0);
        await tx.query("INSERT INTO meeting_attendance (municipality_id, meeting_id, gender, age_band, count, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)", [
          municipalityId,
          meetingId,
          gender,
          band,
          count,
          actorId,
        ]);
      }
    }
    await tx.query("DELETE FROM meeting_attendees WHERE municipality_id = $1 AND meeting_id = $2", [municipalityId, meetingId]);
    if (present.length > 0) {
      // Only registered people can be ticked: the foreign key to registrations refuses anyone else.
      await tx.query(
        "INSERT INTO meeting_attendees (municipality_id, meeting_id, user_id, recorded_by) SELECT $1, $2, r.user_id, $4 FROM meeting_registrations r WHERE r.municipality_id = $1 AND r.meeting_id = $2 AND r.user_id = ANY($3::uuid[])",
        [municipalityId, meetingId, present, actorId],
      );
    }
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
    await tx.query("UPDATE meetings SET minutes = $3, minutes_published_at = COALESCE(minutes_published_at, $4), updated_at = now() WHERE municipality_id = $1 AND id = $2", [
      municipalityId,
      meetingId,
      input.minutes,
      now,
    ]);
    let photoId: string | undefined;
    if (input.photo) {
      const stored = await storeFile(tx, filesDir, { municipalityId, data: input.photo.data, mediaType: input.photo.mediaType, originalName: input.photo.filename, createdBy: actorId });
      const [row] = await tx.query<{ id: string }>("INSERT INTO meeting_photos (municipality_id, meeting_id, file_id, caption, added_by) VALUES ($1, $2, $3, $4, $5) RETURNING id", [
        municipalityId,
        meetingId,
        stored.id,
        input.photo.caption,
        actorId,
      ]);
      photoId = row!.id;
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
  const id = await insertMeeting(tx, municipalityId, actorId, input, "published");
  for (const userId of extra.registrants ?? []) {
    await tx.query("INSERT INTO meeting_registrations (municipality_id, meeting_id, user_id) VALUES ($1, $2, $3)", [municipalityId, id, userId]);
  }
  for (const cell of extra.counts ?? []) {
    await tx.query("INSERT INTO meeting_attendance (municipality_id, meeting_id, gender, age_band, count, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", [
      municipalityId,
      id,
      cell.gender,
      cell.age_band,
      cell.count,
      extra.countedBy ?? actorId,
      input.endsAt,
    ]);
  }
  if (extra.minutes) {
    await tx.query("UPDATE meetings SET minutes = $3, minutes_published_at = $4 WHERE municipality_id = $1 AND id = $2", [municipalityId, id, extra.minutes, new Date(input.endsAt.getTime() + 2 * 86_400_000)]);
  }
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
