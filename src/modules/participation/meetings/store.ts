import type { Queryable } from "../../../core/db/index.js";

/** The SQL of public meetings: every query names the municipality it works in. */

// The export's order of genders and age bands (openAttendance) is this order too.
export const GENDERS = ["woman", "man", "other_or_undisclosed"] as const;
export type Gender = (typeof GENDERS)[number];
export const AGE_BANDS = ["under_18", "18_24", "25_34", "35_59", "60_plus", "undisclosed"] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export type MeetingStatus = "draft" | "published" | "cancelled";

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

export interface OpenAttendanceRow {
  meeting_id: string;
  title: string;
  starts_at: Date;
  ends_at: Date;
  gender: Gender;
  age_band: AgeBand;
  count: number;
}

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

export async function insertMeeting(db: Queryable, municipalityId: string, actorId: string | null, input: MeetingInput, status: MeetingStatus = "draft"): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO meetings (municipality_id, process_id, title, description, agenda, starts_at, ends_at, place, online_url, capacity, status, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [municipalityId, input.processId, input.title, input.description, input.agenda, input.startsAt, input.endsAt, input.place, input.onlineUrl, input.capacity, status, actorId],
  );
  return row!.id;
}

export async function updateMeeting(db: Queryable, municipalityId: string, id: string, input: MeetingInput): Promise<void> {
  await db.query(
    `UPDATE meetings SET process_id = $3, title = $4, description = $5, agenda = $6, starts_at = $7, ends_at = $8, place = $9, online_url = $10, capacity = $11, updated_at = now()
     WHERE municipality_id = $1 AND id = $2`,
    [municipalityId, id, input.processId, input.title, input.description, input.agenda, input.startsAt, input.endsAt, input.place, input.onlineUrl, input.capacity],
  );
}

export async function setMeetingStatus(db: Queryable, municipalityId: string, id: string, status: Exclude<MeetingStatus, "draft">): Promise<void> {
  await db.query("UPDATE meetings SET status = $3, updated_at = now() WHERE municipality_id = $1 AND id = $2", [municipalityId, id, status]);
}

export async function isRegistered(db: Queryable, municipalityId: string, meetingId: string, userId: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM meeting_registrations WHERE municipality_id = $1 AND meeting_id = $2 AND user_id = $3", [municipalityId, meetingId, userId])).length > 0;
}

export async function insertRegistration(db: Queryable, municipalityId: string, meetingId: string, userId: string): Promise<void> {
  await db.query("INSERT INTO meeting_registrations (municipality_id, meeting_id, user_id) VALUES ($1, $2, $3)", [municipalityId, meetingId, userId]);
}

/** Whether there was a registration to remove. */
export async function deleteRegistration(db: Queryable, municipalityId: string, meetingId: string, userId: string): Promise<boolean> {
  const removed = await db.query("DELETE FROM meeting_registrations WHERE municipality_id = $1 AND meeting_id = $2 AND user_id = $3 RETURNING user_id", [municipalityId, meetingId, userId]);
  return removed.length > 0;
}

/** How to reach the people registered, to tell them of a cancellation. */
export async function registrantContacts(db: Queryable, municipalityId: string, meetingId: string): Promise<{ phone: string | null; email: string | null; locale: string | null }[]> {
  return db.query<{ phone: string | null; email: string | null; locale: string | null }>(
    "SELECT u.phone, u.email, u.locale FROM meeting_registrations r JOIN users u ON u.id = r.user_id WHERE r.municipality_id = $1 AND r.meeting_id = $2",
    [municipalityId, meetingId],
  );
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

export async function hasHeadcount(db: Queryable, municipalityId: string, meetingId: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM meeting_attendance WHERE municipality_id = $1 AND meeting_id = $2 LIMIT 1", [municipalityId, meetingId])).length > 0;
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

/** The headcount replaced by these cells: a second recording corrects the first, never adds to it. */
export async function replaceHeadcount(db: Queryable, municipalityId: string, meetingId: string, cells: AttendanceCell[], recordedBy: string): Promise<void> {
  await db.query("DELETE FROM meeting_attendance WHERE municipality_id = $1 AND meeting_id = $2", [municipalityId, meetingId]);
  for (const cell of cells) {
    await db.query("INSERT INTO meeting_attendance (municipality_id, meeting_id, gender, age_band, count, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)", [
      municipalityId,
      meetingId,
      cell.gender,
      cell.age_band,
      cell.count,
      recordedBy,
    ]);
  }
}

/** One cell of a headcount taken at a known time, as an archive is imported. */
export async function insertHeadcountAsIs(db: Queryable, municipalityId: string, meetingId: string, cell: AttendanceCell, recordedBy: string, recordedAt: Date): Promise<void> {
  await db.query("INSERT INTO meeting_attendance (municipality_id, meeting_id, gender, age_band, count, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", [
    municipalityId,
    meetingId,
    cell.gender,
    cell.age_band,
    cell.count,
    recordedBy,
    recordedAt,
  ]);
}

/** The registered people ticked present, replaced; anyone not registered is left out by the foreign key's rule. */
export async function replaceAttendees(db: Queryable, municipalityId: string, meetingId: string, userIds: string[], recordedBy: string): Promise<void> {
  await db.query("DELETE FROM meeting_attendees WHERE municipality_id = $1 AND meeting_id = $2", [municipalityId, meetingId]);
  if (userIds.length === 0) return;
  // Only registered people can be ticked: the foreign key to registrations refuses anyone else.
  await db.query(
    "INSERT INTO meeting_attendees (municipality_id, meeting_id, user_id, recorded_by) SELECT $1, $2, r.user_id, $4 FROM meeting_registrations r WHERE r.municipality_id = $1 AND r.meeting_id = $2 AND r.user_id = ANY($3::uuid[])",
    [municipalityId, meetingId, userIds, recordedBy],
  );
}

/** The minutes, dated the first time they are published; a correction keeps that date. */
export async function saveMinutes(db: Queryable, municipalityId: string, meetingId: string, minutes: string, publishedAt: Date): Promise<void> {
  await db.query("UPDATE meetings SET minutes = $3, minutes_published_at = COALESCE(minutes_published_at, $4), updated_at = now() WHERE municipality_id = $1 AND id = $2", [
    municipalityId,
    meetingId,
    minutes,
    publishedAt,
  ]);
}

/** Minutes with the date they were published elsewhere, as an archive is imported. */
export async function setMinutesAsIs(db: Queryable, municipalityId: string, meetingId: string, minutes: string, publishedAt: Date): Promise<void> {
  await db.query("UPDATE meetings SET minutes = $3, minutes_published_at = $4 WHERE municipality_id = $1 AND id = $2", [municipalityId, meetingId, minutes, publishedAt]);
}

export async function insertPhoto(db: Queryable, municipalityId: string, meetingId: string, fileId: string, caption: string, addedBy: string): Promise<string> {
  const [row] = await db.query<{ id: string }>("INSERT INTO meeting_photos (municipality_id, meeting_id, file_id, caption, added_by) VALUES ($1, $2, $3, $4, $5) RETURNING id", [
    municipalityId,
    meetingId,
    fileId,
    caption,
    addedBy,
  ]);
  return row!.id;
}

export async function listPhotos(db: Queryable, municipalityId: string, meetingId: string): Promise<PhotoRow[]> {
  return db.query<PhotoRow>("SELECT id, file_id, caption, created_at FROM meeting_photos WHERE municipality_id = $1 AND meeting_id = $2 ORDER BY created_at, id", [municipalityId, meetingId]);
}

export async function getPhoto(db: Queryable, municipalityId: string, meetingId: string, photoId: string): Promise<PhotoRow | undefined> {
  const [row] = await db.query<PhotoRow>("SELECT id, file_id, caption, created_at FROM meeting_photos WHERE municipality_id = $1 AND meeting_id = $2 AND id = $3", [municipalityId, meetingId, photoId]);
  return row;
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

/** One page of the public meetings (published or cancelled), in the order they take place, and how many there are. */
export async function pagePublicMeetings(db: Queryable, municipalityId: string, page: { limit: number; offset: number }): Promise<{ total: number; rows: MeetingRow[] }> {
  const [count] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM meetings WHERE municipality_id = $1 AND status <> 'draft'", [municipalityId]);
  const rows = await db.query<MeetingRow>(`SELECT ${MEETING_COLUMNS} FROM meetings m WHERE m.municipality_id = $1 AND m.status <> 'draft' ORDER BY m.starts_at, m.id LIMIT $2 OFFSET $3`, [
    municipalityId,
    page.limit,
    page.offset,
  ]);
  return { total: count?.n ?? 0, rows };
}

/** The headcount cells of several meetings, and when each was recorded: counts only, nobody in them. */
export async function headcountsOf(db: Queryable, municipalityId: string, meetingIds: string[]): Promise<(AttendanceCell & { meeting_id: string; recorded_at: Date })[]> {
  if (meetingIds.length === 0) return [];
  return db.query(
    "SELECT meeting_id, gender, age_band, count, recorded_at FROM meeting_attendance WHERE municipality_id = $1 AND meeting_id = ANY($2::uuid[])",
    [municipalityId, meetingIds],
  );
}
