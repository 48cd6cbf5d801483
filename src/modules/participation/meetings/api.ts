import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { IdParam, MunicipalityParams, PageQuery, PUBLIC_READ_ERRORS, pageOf, type Page } from "../../../core/http/api-schemas.js";
import { AppError, uuidOr404 } from "../../../core/http/errors.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { AGE_BANDS, attendanceTotals, GENDERS, meetingTiming, seatsLeft, type MeetingRow } from "./service.js";
import * as store from "./store.js";

/*
 * Public meetings as open data, under /api/v1/{slug}/meetings. Who registered or came is never
 * in an answer: registrations and the headcount are counts, as on the meeting's page and in
 * attendance.csv. The response schemas list every field, so nothing else can be serialised.
 */

const counts = (keys: readonly string[]) => Type.Object(Object.fromEntries(keys.map((key) => [key, Type.Integer({ minimum: 0 })])));

const Attendance = Type.Object({
  total: Type.Integer({ minimum: 0, description: "People counted at the door." }),
  by_gender: counts(GENDERS),
  by_age_band: counts(AGE_BANDS),
  recorded_at: Type.String({ format: "date-time" }),
});

const Meeting = Type.Object({
  id: Type.String({ format: "uuid" }),
  title: Type.String(),
  description: Type.String(),
  agenda: Type.String({ description: "One item a line." }),
  starts_at: Type.String({ format: "date-time" }),
  ends_at: Type.String({ format: "date-time" }),
  place: Type.String(),
  online_url: Type.Union([Type.String({ format: "uri" }), Type.Null()]),
  status: Type.Union([Type.Literal("published"), Type.Literal("cancelled")]),
  timing: Type.Union([Type.Literal("upcoming"), Type.Literal("ongoing"), Type.Literal("past")]),
  capacity: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: "null: as many as come." }),
  registered: Type.Integer({ minimum: 0, description: "How many people registered." }),
  seats_left: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  attendance: Type.Union([Attendance, Type.Null()], { description: "The headcount by gender and age band; null until it is recorded." }),
  minutes: Type.Union([Type.String(), Type.Null()], { description: "null until the minutes are published." }),
  minutes_published_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  process: Type.Union([Type.String(), Type.Null()], { description: "The slug of the published participatory process it belongs to." }),
  url: Type.String({ format: "uri" }),
});

const MeetingParams = Type.Object({ ...MunicipalityParams.properties, meeting: IdParam("The meeting's id") });

export async function meetingsApiRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app;

  async function describe(municipality: Municipality, meetings: MeetingRow[]) {
    const [cells, processes] = await Promise.all([
      store.headcountsOf(db, municipality.id, meetings.map((meeting) => meeting.id)),
      store.processChoices(db, municipality.id),
    ]);
    const published = new Map(processes.filter((process) => process.status === "published").map((process) => [process.id, process.slug]));
    const now = new Date();
    return meetings.map((meeting) => {
      const own = cells.filter((cell) => cell.meeting_id === meeting.id);
      const totals = own.length > 0 ? attendanceTotals(own) : undefined;
      const recordedAt = own.reduce((latest, cell) => (cell.recorded_at > latest ? cell.recorded_at : latest), new Date(0));
      return {
        id: meeting.id,
        title: meeting.title,
        description: meeting.description,
        agenda: meeting.agenda,
        starts_at: meeting.starts_at.toISOString(),
        ends_at: meeting.ends_at.toISOString(),
        place: meeting.place,
        online_url: meeting.online_url,
        status: meeting.status as "published" | "cancelled",
        timing: meetingTiming(meeting, now),
        capacity: meeting.capacity,
        registered: meeting.registrations,
        seats_left: seatsLeft(meeting),
        attendance: totals ? { total: totals.total, by_gender: totals.byGender, by_age_band: totals.byAgeBand, recorded_at: recordedAt.toISOString() } : null,
        minutes: meeting.minutes_published_at ? meeting.minutes : null,
        minutes_published_at: meeting.minutes_published_at?.toISOString() ?? null,
        process: (meeting.process_id && published.get(meeting.process_id)) || null,
        url: `${config.publicUrl}/${municipality.slug}/meetings/${meeting.id}`,
      };
    });
  }

  app.get(
    "/api/v1/:slug/meetings",
    {
      schema: {
        tags: ["participation"],
        operationId: "listMeetings",
        summary: "Public meetings of a municipality, with their attendance totals",
        description: "Published and cancelled meetings, in the order they take place. Attendance is counts only; no person is named.",
        params: MunicipalityParams,
        querystring: PageQuery,
        response: { 200: pageOf("meetings", Meeting, { calendar: Type.String({ format: "uri", description: "The same meetings as an iCalendar feed." }) }), ...PUBLIC_READ_ERRORS },
      },
    },
    async (request) => {
      const municipality = request.requireMunicipality();
      const page = request.query as Page;
      const { total, rows } = await store.pagePublicMeetings(db, municipality.id, page);
      return {
        municipality: municipality.slug,
        calendar: `${config.publicUrl}/${municipality.slug}/meetings.ics`,
        total,
        limit: page.limit,
        offset: page.offset,
        meetings: await describe(municipality, rows),
      };
    },
  );

  app.get(
    "/api/v1/:slug/meetings/:meeting",
    {
      schema: {
        tags: ["participation"],
        operationId: "getMeeting",
        summary: "A public meeting, with its attendance totals and published minutes",
        params: MeetingParams,
        response: { 200: Type.Object({ municipality: Type.String(), meeting: Meeting }), ...PUBLIC_READ_ERRORS },
      },
    },
    async (request) => {
      const municipality = request.requireMunicipality();
      const meeting = await store.getMeeting(db, municipality.id, uuidOr404((request.params as { meeting: string }).meeting));
      if (!meeting || meeting.status === "draft") throw new AppError("NOT_FOUND");
      const [described] = await describe(municipality, [meeting]);
      return { municipality: municipality.slug, meeting: described! };
    },
  );
}
