import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { requireAllowed, requireSignedIn } from "../../../core/auth/roles.js";
import { findStoredFile, MEDIA_TYPES, sendStoredFile, sniffMediaType } from "../../../core/files/index.js";
import { AppError, ruleRefused, uuidOr404 } from "../../../core/http/errors.js";
import { FormReader } from "../../../core/http/forms.js";
import { wallClock, zonedInstant } from "../../../core/tenancy/clock.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { emptyForm, type FormState } from "../../../core/views/context.js";
import { calendar, type CalendarEvent } from "./ical.js";
import * as meetings from "./service.js";
import { AGE_BANDS, GENDERS, type MeetingInput, type MeetingRow } from "./service.js";
import { meetingPolicy } from "./policy.js";
import * as store from "./store.js";
import { Type } from "@sinclair/typebox";
import { MunicipalityParams, PUBLIC_READ_ERRORS } from "../../../core/http/api-schemas.js";
import { AttendancePage, AdminMeetingsPage, countField, MeetingEditPage, MeetingPage, MeetingsPage } from "./views.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Browsers send HH:MM, or HH:MM:SS when a step asks for seconds; seconds are dropped.
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
const PHOTO_TYPES: string[] = [MEDIA_TYPES.jpeg, MEDIA_TYPES.png];
/** How far back the calendar feed goes: subscribers keep the year's past meetings. */
const CALENDAR_HISTORY_MS = 365 * 86_400_000;

/** An absolute http(s) address without spaces, normalised; undefined for anything else. */
function httpUrl(text: string): string | undefined {
  if (/\s/.test(text)) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the meeting form; times are the municipality's wall clock. */
function readMeetingInput(form: FormReader, municipality: Municipality, processIds: string[]): MeetingInput | undefined {
  const title = form.text("title", { required: true, max: 200 });
  const processId = form.choice("process_id", processIds, { required: false }) ?? null;
  const date = form.text("date", { required: true, pattern: DATE });
  const start = form.text("start_time", { required: true, pattern: TIME }).slice(0, 5);
  const end = form.text("end_time", { required: true, pattern: TIME }).slice(0, 5);
  const place = form.text("place", { max: 300 });
  const onlineText = form.text("online_url", { max: 500 });
  const onlineUrl = onlineText ? httpUrl(onlineText) : undefined;
  if (onlineText && !onlineUrl) form.fail("online_url", "participation.meetings.error.url");
  if (!place && !onlineText) form.fail("place", "participation.meetings.error.where");
  const capacity = form.integer("capacity", { min: 1, max: 100_000 }) ?? null;
  const description = form.text("description", { max: 20_000 });
  const agenda = form.text("agenda", { max: 20_000 });
  const startsAt = !form.errors.date && !form.errors.start_time ? zonedInstant(date, start, municipality.time_zone) : undefined;
  const endsAt = !form.errors.date && !form.errors.end_time ? zonedInstant(date, end, municipality.time_zone) : undefined;
  if (date && !form.errors.date && !startsAt && !endsAt) form.fail("date", "participation.meetings.error.date");
  if (startsAt && endsAt && endsAt.getTime() <= startsAt.getTime()) form.fail("end_time", "participation.meetings.error.ends_before_start");
  if (form.invalid || !startsAt || !endsAt) return undefined;
  return { processId, title, description, agenda, startsAt, endsAt, place, onlineUrl: onlineUrl ?? null, capacity };
}

function meetingForm(meeting: MeetingRow, municipality: Municipality): FormState {
  const start = wallClock(meeting.starts_at, municipality.time_zone);
  const end = wallClock(meeting.ends_at, municipality.time_zone);
  return emptyForm({
    title: meeting.title,
    process_id: meeting.process_id ?? "",
    date: start.date,
    start_time: start.time,
    end_time: end.time,
    place: meeting.place,
    online_url: meeting.online_url ?? "",
    capacity: meeting.capacity === null ? "" : String(meeting.capacity),
    description: meeting.description,
    agenda: meeting.agenda,
  });
}

/** Runs a change for a form: a refusal naming fields goes back on the form; any other refusal is shown as is. */
async function onForm<T>(form: FormReader, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError && error.code === "CONFLICT" && Object.keys(error.fields).length > 0) {
      for (const [field, message] of Object.entries(error.fields)) form.fail(field, message.key, message.params, message.reason);
      return undefined;
    }
    throw error;
  }
}

export async function meetingsRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app;

  /** The meeting of the URL in the URL's municipality; a draft exists only for those who manage meetings. */
  async function visibleMeeting(request: FastifyRequest): Promise<{ municipality: Municipality; meeting: MeetingRow }> {
    const municipality = request.requireMunicipality();
    const meeting = await store.getMeeting(db, municipality.id, uuidOr404((request.params as { id: string }).id));
    if (!meeting || (meeting.status === "draft" && !meetingPolicy.seeDrafts(request.actor, municipality))) throw new AppError("NOT_FOUND");
    return { municipality, meeting };
  }

  // Who may act is checked before the meeting is looked up: a refusal says nothing of what exists.
  function managing(request: FastifyRequest): Municipality {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, meetingPolicy.manage(request.actor, municipality));
    return municipality;
  }

  function counting(request: FastifyRequest): Municipality {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, meetingPolicy.recordAttendance(request.actor, municipality));
    return municipality;
  }

  async function meetingOf(request: FastifyRequest, municipality: Municipality): Promise<MeetingRow> {
    const meeting = await store.getMeeting(db, municipality.id, uuidOr404((request.params as { id: string }).id));
    if (!meeting) throw new AppError("NOT_FOUND");
    return meeting;
  }

  // ---- Public ------------------------------------------------------------------------------------

  app.get("/:slug/meetings", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const list = await store.listMeetings(db, municipality.id, { publicOnly: true });
    return reply.page(<MeetingsPage ctx={await request.view()} municipality={municipality} meetings={list} now={new Date()} />);
  });

  app.get(
    "/:slug/meetings.ics",
    {
      schema: {
        tags: ["calendars"],
        operationId: "meetingsCalendar",
        summary: "Public meetings of a municipality as an iCalendar feed",
        description: "Published and cancelled meetings from a year back (a cancellation reaches subscribers), in RFC 5545; a feed with no meeting yet is a valid calendar too.",
        params: MunicipalityParams,
        response: {
          200: { description: "The calendar.", content: { "text/calendar": { schema: Type.String() } } },
          404: PUBLIC_READ_ERRORS[404],
        },
      },
    },
    async (request, reply) => {
      const municipality = request.requireMunicipality();
      const now = Date.now();
      const list = await store.calendarMeetings(db, municipality.id, new Date(now - CALENDAR_HISTORY_MS));
      const host = new URL(config.publicUrl).host;
      const t = request.t;
      const events: CalendarEvent[] = list.map((meeting) => ({
        uid: `meeting-${meeting.id}@${host}`,
        start: meeting.starts_at,
        end: meeting.ends_at,
        title: meeting.title,
        description: [meeting.description, meeting.agenda ? `${t("participation.meetings.field.agenda")}\n${meeting.agenda}` : "", meeting.online_url ? `${t("participation.meetings.online")}\n${meeting.online_url}` : ""]
          .filter(Boolean)
          .join("\n\n"),
        location: meeting.place || meeting.online_url || "",
        url: `${config.publicUrl}/${municipality.slug}/meetings/${meeting.id}`,
        status: meeting.status === "cancelled" ? "CANCELLED" : "CONFIRMED",
        updated: meeting.updated_at,
      }));
      const body = calendar({
        prodId: "-//Cité Ouverte//Participation//FR",
        name: t("participation.meetings.calendar_name", { municipality: municipality.name }),
        url: `${config.publicUrl}/${municipality.slug}/meetings`,
        events,
      });
      return reply
        .type("text/calendar; charset=utf-8")
        .header("content-disposition", `inline; filename="${municipality.slug}-reunions.ics"`)
        .header("cache-control", "public, max-age=900")
        .send(body);
    },
  );

  app.get("/:slug/meetings/attendance.csv", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const rows = await store.openAttendance(db, municipality.id);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${municipality.slug}-reunions-participation.csv"`)
      .send(meetings.attendanceCsv(rows));
  });

  app.get("/:slug/meetings/:id", async (request, reply) => {
    const { municipality, meeting } = await visibleMeeting(request);
    const actor = request.actor;
    const [registered, cells, summary, photos, process] = await Promise.all([
      actor ? store.isRegistered(db, municipality.id, meeting.id, actor.id) : Promise.resolve(false),
      store.attendanceCells(db, municipality.id, meeting.id),
      store.attendanceSummary(db, municipality.id, meeting.id),
      meeting.minutes_published_at ? store.listPhotos(db, municipality.id, meeting.id) : Promise.resolve([]),
      meeting.process_id ? store.processChoices(db, municipality.id).then((all) => all.find((row) => row.id === meeting.process_id && row.status === "published")) : Promise.resolve(undefined),
    ]);
    return reply.page(
      <MeetingPage
        ctx={await request.view()}
        municipality={municipality}
        meeting={meeting}
        process={process}
        registered={registered}
        now={new Date()}
        totals={cells.length > 0 ? meetings.attendanceTotals(cells) : undefined}
        registeredPresent={summary.registered_present}
        photos={photos}
        canManage={meetingPolicy.manage(actor, municipality)}
        canCount={meetingPolicy.recordAttendance(actor, municipality)}
      />,
    );
  });

  app.get("/:slug/meetings/:id/photos/:photo", async (request, reply) => {
    const { municipality, meeting } = await visibleMeeting(request);
    const photoId = (request.params as { photo: string }).photo;
    const photo = meeting.minutes_published_at && UUID.test(photoId) ? await store.getPhoto(db, municipality.id, meeting.id, photoId) : undefined;
    const file = photo ? await findStoredFile(db, municipality.id, photo.file_id) : undefined;
    if (!file) throw new AppError("NOT_FOUND");
    return sendStoredFile(reply, config.filesDir, file, { cacheControl: "public, max-age=86400" });
  });

  // ---- Signed in: registration ---------------------------------------------------------------

  for (const verb of ["register", "unregister"] as const) {
    app.post(`/:slug/meetings/:id/${verb}`, async (request, reply) => {
      const municipality = request.requireMunicipality();
      const actor = requireSignedIn(request.actor);
      const { meeting } = await visibleMeeting(request);
      if (verb === "register") await meetings.register(db, municipality.id, meeting.id, actor.id);
      else await meetings.unregister(db, municipality.id, meeting.id, actor.id);
      return reply.redirectWithFlash(`/${municipality.slug}/meetings/${meeting.id}#registration`, {
        kind: "success",
        key: verb === "register" ? "participation.meetings.flash.registered" : "participation.meetings.flash.unregistered",
      });
    });
  }

  // ---- Back office: meetings -------------------------------------------------------------------

  async function editPage(request: FastifyRequest, reply: FastifyReply, municipality: Municipality, meeting: MeetingRow | undefined, forms: { form?: FormState; minutesForm?: FormState } = {}, status = 200) {
    const processes = await store.processChoices(db, municipality.id);
    return reply.page(
      <MeetingEditPage
        ctx={await request.view()}
        municipality={municipality}
        meeting={meeting}
        form={forms.form ?? (meeting ? meetingForm(meeting, municipality) : emptyForm())}
        minutesForm={forms.minutesForm ?? emptyForm(meeting ? { minutes: meeting.minutes } : {})}
        processes={processes}
        now={new Date()}
      />,
      status,
    );
  }

  app.get("/:slug/admin/meetings", async (request, reply) => {
    const municipality = managing(request);
    const list = await store.listMeetings(db, municipality.id, { publicOnly: false });
    return reply.page(<AdminMeetingsPage ctx={await request.view()} municipality={municipality} meetings={list} now={new Date()} />);
  });

  app.get("/:slug/admin/meetings/new", async (request, reply) => editPage(request, reply, managing(request), undefined));

  async function create(request: FastifyRequest, reply: FastifyReply) {
    const municipality = managing(request);
    const form = new FormReader(request.body);
    const processes = await store.processChoices(db, municipality.id);
    const input = readMeetingInput(form, municipality, processes.map((process) => process.id));
    form.text("_idem");
    const id = input ? await onForm(form, () => meetings.createMeeting(db, municipality.id, request.actor!.id, input)) : undefined;
    if (!id) return editPage(request, reply, municipality, undefined, { form }, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/meetings/${id}`, { kind: "success", key: "participation.meetings.flash.created" });
  }
  app.post("/:slug/admin/meetings", create);
  app.post("/:slug/admin/meetings/new", create);

  app.get("/:slug/admin/meetings/:id", async (request, reply) => {
    const municipality = managing(request);
    return editPage(request, reply, municipality, await meetingOf(request, municipality));
  });

  app.post("/:slug/admin/meetings/:id", async (request, reply) => {
    const municipality = managing(request);
    const meeting = await meetingOf(request, municipality);
    const form = new FormReader(request.body);
    const processes = await store.processChoices(db, municipality.id);
    const input = readMeetingInput(form, municipality, processes.map((process) => process.id));
    form.text("_idem");
    const saved = input ? await onForm(form, () => meetings.updateMeeting(db, municipality.id, request.actor!.id, meeting.id, input).then(() => true)) : undefined;
    if (!saved) return editPage(request, reply, municipality, meeting, { form }, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/meetings/${meeting.id}`, { kind: "success", key: "participation.meetings.flash.saved" });
  });

  app.post("/:slug/admin/meetings/:id/publish", async (request, reply) => {
    const municipality = managing(request);
    const meeting = await meetingOf(request, municipality);
    await meetings.publishMeeting(db, municipality.id, request.actor!.id, meeting.id);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/meetings/${meeting.id}`, { kind: "success", key: "participation.meetings.flash.published" });
  });

  app.post("/:slug/admin/meetings/:id/cancel", async (request, reply) => {
    const municipality = managing(request);
    const meeting = await meetingOf(request, municipality);
    await meetings.cancelMeeting({ db, notifier: app.notifier, publicUrl: config.publicUrl, municipality }, request.actor!.id, meeting.id);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/meetings/${meeting.id}`, { kind: "success", key: "participation.meetings.flash.cancelled" });
  });

  app.post("/:slug/admin/meetings/:id/minutes", async (request, reply) => {
    const municipality = managing(request);
    const meeting = await meetingOf(request, municipality);
    const form = new FormReader(request.body);
    const minutes = form.text("minutes", { required: true, max: 50_000 });
    const caption = form.text("caption", { max: 300 });
    form.text("_idem");
    const upload = form.file("photo");
    // The bytes decide what a file is, never its name or the type the browser claims.
    const mediaType = upload ? sniffMediaType(upload.data) : undefined;
    if (upload && (!mediaType || !PHOTO_TYPES.includes(mediaType))) form.fail("photo", "participation.meetings.error.photo_type");
    if (form.invalid) return editPage(request, reply, municipality, meeting, { minutesForm: form }, 400);
    await meetings.publishMinutes(db, config.filesDir, municipality.id, request.actor!.id, meeting.id, {
      minutes,
      ...(upload && mediaType ? { photo: { data: upload.data, mediaType, filename: upload.filename, caption } } : {}),
    });
    return reply.redirectWithFlash(`/${municipality.slug}/admin/meetings/${meeting.id}#minutes`, { kind: "success", key: "participation.meetings.flash.minutes_published" });
  });

  // ---- At the counter: attendance ----------------------------------------------------------------

  async function attendancePage(request: FastifyRequest, reply: FastifyReply, municipality: Municipality, meeting: MeetingRow, form: FormState | undefined, status = 200) {
    const [registrations, cells, summary] = await Promise.all([
      store.listRegistrations(db, municipality.id, meeting.id),
      store.attendanceCells(db, municipality.id, meeting.id),
      store.attendanceSummary(db, municipality.id, meeting.id),
    ]);
    const current =
      form ??
      emptyForm({
        // Nothing recorded yet: empty cells (read as zero) are quicker to fill on a phone than zeros to erase.
        ...Object.fromEntries(cells.map((cell) => [countField(cell.gender, cell.age_band), String(cell.count)])),
        present: registrations
          .filter((registration) => registration.present)
          .map((registration) => registration.user_id)
          .join(","),
      });
    return reply.page(
      <AttendancePage
        ctx={await request.view()}
        municipality={municipality}
        meeting={meeting}
        form={current}
        registrations={registrations}
        totals={meetings.attendanceTotals(cells)}
        recordedAt={summary.recorded_at}
      />,
      status,
    );
  }

  /** A meeting whose attendance can be recorded now; otherwise the rule's refusal, said plainly. */
  async function countedMeeting(request: FastifyRequest, municipality: Municipality): Promise<MeetingRow> {
    const meeting = await meetingOf(request, municipality);
    const refusal = meetings.attendanceRefusal(meeting, new Date());
    if (refusal) throw ruleRefused(refusal);
    return meeting;
  }

  app.get("/:slug/admin/meetings/:id/attendance", async (request, reply) => {
    const municipality = counting(request);
    return attendancePage(request, reply, municipality, await countedMeeting(request, municipality), undefined);
  });

  app.post("/:slug/admin/meetings/:id/attendance", async (request, reply) => {
    const municipality = counting(request);
    const meeting = await countedMeeting(request, municipality);
    const form = new FormReader(request.body);
    const cells = GENDERS.flatMap((gender) => AGE_BANDS.map((band) => ({ gender, age_band: band, count: form.integer(countField(gender, band), { min: 0, max: 100_000 }) ?? 0 })));
    const registrations = await store.listRegistrations(db, municipality.id, meeting.id);
    const present = form.list(
      "present",
      registrations.map((registration) => registration.user_id),
    );
    form.text("_idem");
    const saved = form.invalid ? undefined : await onForm(form, () => meetings.recordAttendance(db, municipality.id, request.actor!.id, meeting.id, cells, present).then(() => true));
    if (!saved) return attendancePage(request, reply, municipality, meeting, form, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/meetings/${meeting.id}/attendance`, { kind: "success", key: "participation.meetings.flash.attendance_saved" });
  });
}
