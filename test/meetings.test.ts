import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import type { AppModule } from "../src/core/http/server.js";
import { MODULES } from "../src/modules/index.js";
import { formatters } from "../src/core/i18n/index.js";
import { wallClock, zonedInstant } from "../src/core/tenancy/clock.js";
import { attendanceTotals, registrationRefusal, type MeetingRow } from "../src/modules/participation/meetings/service.js";
import { meetingsRoutes } from "../src/modules/participation/meetings/routes.js";
import { seedMeetings } from "../src/modules/participation/demo/meetings.js";
import { fieldErrors, fieldReasons, fr, reasonOf, shown } from "./answers.js";
import { Browser, createTestApp, DEMO, idOf, visibleText, type TestContext } from "./helpers.js";

const DAY_MS = 86_400_000;
/** What a meeting with a script for a link, its end before its start and negative seats is told. */
const ERRORS_OF_WRONG_MEETING = {
  online_url: "participation.meetings.error.url",
  capacity: "form.too_small",
  end_time: "participation.meetings.error.ends_before_start",
};
const ZONE = "Africa/Dakar";
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("not really an image, but it starts like one")]);
const RESIDENTS = ["+221770000111", "+221770000112", "+221770000113"];

/** The meetings' routes, unless the participation module already registers them. */
const meetingsTestModule: AppModule = {
  name: "meetings-test",
  plugin: async (app: FastifyInstance) => {
    if (!app.hasRoute({ method: "GET", url: "/:slug/meetings" })) await meetingsRoutes(app);
  },
  nav: [],
};

/** A local date `days` from today in Rufisque. */
const localDate = (days: number) => wallClock(new Date(Date.now() + days * DAY_MS), ZONE).date;

function meetingFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    title: "Forum des quartiers",
    date: localDate(3),
    start_time: "10:00",
    end_time: "12:00",
    place: "Hôtel de ville, salle des délibérations",
    online_url: "",
    capacity: "",
    description: "Présentation des engagements du Plan d'action local.",
    agenda: "Accueil\nPrésentation\nQuestions",
    ...overrides,
  };
}

/** Logical lines of an iCalendar text (RFC 5545 §3.1 unfolding). */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, "").split("\r\n").slice(0, -1);

describe("meetings: rules and time zones", () => {
  it("reads a wall-clock time in the municipality's zone, and refuses dates that do not exist", () => {
    assert.equal(zonedInstant("2027-03-14", "09:30", "Africa/Dakar")!.toISOString(), "2027-03-14T09:30:00.000Z");
    assert.equal(zonedInstant("2027-03-14", "09:30", "Africa/Lagos")!.toISOString(), "2027-03-14T08:30:00.000Z");
    // Across a change of daylight saving time the offset of the day itself is used.
    assert.equal(zonedInstant("2027-07-01", "18:00", "Europe/Lisbon")!.toISOString(), "2027-07-01T17:00:00.000Z");
    assert.equal(zonedInstant("2027-01-15", "18:00", "Europe/Lisbon")!.toISOString(), "2027-01-15T18:00:00.000Z");
    assert.equal(zonedInstant("2027-02-30", "09:00", ZONE), undefined);
    assert.equal(zonedInstant("2027-03-14", "24:00", ZONE), undefined);
    assert.deepEqual(wallClock(new Date("2027-03-14T08:30:00Z"), "Africa/Lagos"), { date: "2027-03-14", time: "09:30" });
  });

  it("closes registration when the meeting is cancelled, started or full", () => {
    const now = new Date("2027-03-10T12:00:00Z");
    const meeting = (over: Partial<MeetingRow>) => ({ status: "published" as const, starts_at: new Date("2027-03-14T09:00:00Z"), capacity: 2, registrations: 1, ...over });
    assert.equal(registrationRefusal(meeting({}), now), null);
    assert.equal(registrationRefusal(meeting({ capacity: null, registrations: 500 }), now), null);
    assert.equal(registrationRefusal(meeting({ registrations: 2 }), now)?.code, "MEETING_FULL");
    assert.equal(registrationRefusal(meeting({ status: "cancelled" }), now)?.code, "MEETING_CANCELLED");
    assert.equal(registrationRefusal(meeting({ status: "draft" }), now)?.code, "MEETING_NOT_PUBLISHED");
    assert.equal(registrationRefusal(meeting({ starts_at: new Date("2027-03-10T11:59:00Z") }), now)?.code, "MEETING_REGISTRATION_CLOSED");
  });

  it("adds up a headcount by gender and by age band", () => {
    const totals = attendanceTotals([
      { gender: "woman", age_band: "18_24", count: 3 },
      { gender: "man", age_band: "18_24", count: 2 },
      { gender: "man", age_band: "60_plus", count: 4 },
    ]);
    assert.equal(totals.total, 9);
    assert.deepEqual(totals.byGender, { woman: 3, man: 6, other_or_undisclosed: 0 });
    assert.equal(totals.byAgeBand["18_24"], 5);
    assert.equal(totals.byAgeBand.under_18, 0);
  });
});

describe("meetings: from announcement to minutes", () => {
  let ctx: TestContext;
  let editor: Browser;
  let agent: Browser;
  let citizen: Browser;
  let residents: Browser[];
  let anonymous: Browser;
  let rufisque: string;
  /** The meeting with two seats that the tests follow from creation to minutes. */
  let forumId: string;
  let pastId: string;

  async function create(browser: Browser, fields: Record<string, string>): Promise<string> {
    const response = await browser.post("/rufisque/admin/meetings", fields);
    assert.equal(response.statusCode, 303, visibleText(response.body));
    const location = String(response.headers.location);
    assert.match(location, /^\/rufisque\/admin\/meetings\/[0-9a-f-]{36}$/);
    return location.split("/").pop()!;
  }

  async function createPublished(fields: Record<string, string>): Promise<string> {
    const id = await create(editor, meetingFields(fields));
    assert.equal((await editor.post(`/rufisque/admin/meetings/${id}/publish`)).statusCode, 303);
    return id;
  }

  const registrations = async (id: string) => (await ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM meeting_registrations WHERE municipality_id = $1 AND meeting_id = $2", [rufisque, id]))[0]!.n;

  before(async () => {
    ctx = await createTestApp({ modules: [...MODULES, meetingsTestModule] });
    rufisque = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    agent = new Browser(ctx.app);
    await agent.signIn(DEMO.rufisque.agent);
    citizen = new Browser(ctx.app);
    await citizen.signIn(DEMO.rufisque.citizen);
    residents = [];
    for (const phone of RESIDENTS) {
      const browser = new Browser(ctx.app);
      await browser.signIn(phone);
      residents.push(browser);
    }
    anonymous = new Browser(ctx.app);
  });
  after(() => ctx.close());

  it("lets an editor create a meeting, keeping what was typed when something is wrong", async () => {
    const form = await editor.get("/rufisque/admin/meetings/new");
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="start_time"/);
    assert.match(visibleText(form.body), shown(fr("participation.meetings.field.time_zone", { zone: "Africa/Dakar" })));

    const wrong = await editor.post("/rufisque/admin/meetings", meetingFields({ place: "", online_url: "javascript:alert(1)", end_time: "09:00", capacity: "-3" }));
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(fieldErrors(wrong.body), ERRORS_OF_WRONG_MEETING);
    assert.match(visibleText(wrong.body), shown(fr("form.too_small", { min: 1 })));
    assert.match(wrong.body, /value="Forum des quartiers"/);
    assert.match(wrong.body, /id="error-summary"/);

    forumId = await create(editor, meetingFields({ title: "Forum <b>des quartiers</b>", capacity: "2" }));
    const [row] = await ctx.db.query<{ starts_at: Date; ends_at: Date; status: string; capacity: number }>("SELECT starts_at, ends_at, status, capacity FROM meetings WHERE id = $1", [forumId]);
    // Rufisque keeps UTC all year: 10:00 typed is 10:00Z.
    assert.equal(row!.starts_at.toISOString(), `${localDate(3)}T10:00:00.000Z`);
    assert.equal(row!.status, "draft");
    assert.equal(row!.capacity, 2);
    const [audit] = await ctx.db.query<{ actor_id: string }>("SELECT actor_id FROM audit_log WHERE action = 'participation.meeting.create' AND subject_id = $1", [forumId]);
    assert.ok(audit, "the creation is audited");
  });

  it("keeps a draft out of public pages until it is published, and shows titles escaped", async () => {
    assert.equal((await anonymous.get(`/rufisque/meetings/${forumId}`)).statusCode, 404);
    assert.doesNotMatch((await anonymous.get("/rufisque/meetings")).body, /des quartiers/);
    assert.equal((await editor.post(`/rufisque/admin/meetings/${forumId}/publish`)).statusCode, 303);

    const list = await anonymous.get("/rufisque/meetings");
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Forum &lt;b>des quartiers&lt;\/b>/);
    assert.doesNotMatch(list.body, /<b>des quartiers<\/b>/);
    assert.match(visibleText(list.body), /2 places restantes sur 2/);
    assert.match(visibleText(list.body), /Hôtel de ville, salle des délibérations/);

    const page = await anonymous.get(`/rufisque/meetings/${forumId}`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /<b>des quartiers<\/b>/);
    const text = visibleText(page.body);
    assert.match(text, /Ordre du jour Accueil Présentation Questions/);
    assert.match(text, /de 10:00 à 12:00/);
    assert.match(text, shown(fr("participation.meetings.sign_in_to_register")));
    assert.equal((await anonymous.post(`/rufisque/meetings/${forumId}/register`)).statusCode, 401);
  });

  it("takes registrations up to the capacity, one per person, and frees a seat when someone unregisters", async () => {
    assert.equal((await citizen.post(`/rufisque/meetings/${forumId}/register`)).statusCode, 303);
    assert.match(visibleText((await citizen.get(`/rufisque/meetings/${forumId}`)).body), shown(fr("participation.meetings.you_are_registered")));

    const twice = await citizen.post(`/rufisque/meetings/${forumId}/register`);
    assert.equal(twice.statusCode, 409);
    assert.equal(reasonOf(twice), "MEETING_ALREADY_REGISTERED");
    // The database itself refuses a second registration of the same person.
    const citizenId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.citizen]);
    await assert.rejects(ctx.db.query("INSERT INTO meeting_registrations (municipality_id, meeting_id, user_id) VALUES ($1, $2, $3)", [rufisque, forumId, citizenId]));

    assert.equal((await residents[0]!.post(`/rufisque/meetings/${forumId}/register`)).statusCode, 303);
    const full = await residents[1]!.post(`/rufisque/meetings/${forumId}/register`);
    assert.equal(full.statusCode, 409);
    assert.equal(reasonOf(full), "MEETING_FULL");
    // The words themselves, once, so that the catalogue and the capacity are known to reach the page.
    assert.match(visibleText(full.body), /Cette réunion est complète : les 2 places sont déjà réservées\./);
    assert.equal(await registrations(forumId), 2);
    const page = visibleText((await residents[1]!.get(`/rufisque/meetings/${forumId}`)).body);
    assert.match(page, shown(fr("participation.meetings.seats_full")));
    assert.match(page, shown(fr("participation.meetings.error.full", { capacity: 2 })));
    assert.doesNotMatch(page, shown(fr("participation.meetings.register")));

    // Capacity cannot drop below the seats already given.
    const lower = await editor.post(`/rufisque/admin/meetings/${forumId}`, meetingFields({ title: "Forum <b>des quartiers</b>", capacity: "1" }));
    assert.equal(lower.statusCode, 400);
    assert.deepEqual(fieldReasons(lower.body), { capacity: "MEETING_CAPACITY_BELOW_REGISTRATIONS" });
    assert.match(visibleText(lower.body), shown(fr("participation.meetings.error.capacity_below_registrations", { count: 2 })));

    assert.equal((await citizen.post(`/rufisque/meetings/${forumId}/unregister`)).statusCode, 303);
    assert.equal(await registrations(forumId), 1);
    assert.equal((await residents[1]!.post(`/rufisque/meetings/${forumId}/register`)).statusCode, 303);
    assert.equal(await registrations(forumId), 2);
  });

  it("gives the last seat to one of two people who ask for it at the same moment", async () => {
    const id = await createPublished({ title: "Atelier budget", capacity: "1" });
    const answers = await Promise.all([residents[0]!.post(`/rufisque/meetings/${id}/register`), residents[2]!.post(`/rufisque/meetings/${id}/register`)]);
    assert.deepEqual(answers.map((answer) => answer.statusCode).sort(), [303, 409]);
    assert.equal(await registrations(id), 1);
  });

  it("refuses registration to a cancelled meeting and tells those registered", async () => {
    const id = await createPublished({ title: "Réunion de quartier Keury Souf", capacity: "" });
    assert.equal((await residents[2]!.post(`/rufisque/meetings/${id}/register`)).statusCode, 303);
    const before = ctx.notifier.sent.length;
    assert.equal((await editor.post(`/rufisque/admin/meetings/${id}/cancel`)).statusCode, 303);
    const told = ctx.notifier.sent.slice(before);
    assert.equal(told.length, 1);
    assert.equal(told[0]!.recipient, RESIDENTS[2]);
    const [meeting] = await ctx.db.query<{ starts_at: Date }>("SELECT starts_at FROM meetings WHERE id = $1", [id]);
    const when = formatters("fr").dateTime(meeting!.starts_at, ZONE);
    assert.equal(told[0]!.body, fr("participation.meetings.notify.cancelled", { title: "Réunion de quartier Keury Souf", when, municipality: "Rufisque", url: `http://localhost:3000/rufisque/meetings/${id}` }));

    const refused = await citizen.post(`/rufisque/meetings/${id}/register`);
    assert.equal(refused.statusCode, 409);
    assert.equal(reasonOf(refused), "MEETING_CANCELLED");
    assert.match(visibleText((await anonymous.get(`/rufisque/meetings/${id}`)).body), shown(fr("participation.meetings.cancelled_notice")));
    const republished = await editor.post(`/rufisque/admin/meetings/${id}/publish`);
    assert.equal(republished.statusCode, 409);
    assert.equal(reasonOf(republished), "MEETING_CANCELLED");
    const inPortuguese = await new Browser(ctx.app, { "accept-language": "pt" }).get(`/rufisque/meetings/${id}`);
    assert.match(visibleText(inPortuguese.body), /Esta reunião foi cancelada\./);
  });

  it("lets an agent count who came, people without an account included, and replaces a count rather than adding to it", async () => {
    const early = await agent.get(`/rufisque/admin/meetings/${forumId}/attendance`);
    assert.equal(early.statusCode, 409);
    assert.equal(reasonOf(early), "MEETING_NOT_STARTED");

    // The forum took place three days ago (moved there by the editor, as when a date is corrected).
    assert.equal((await editor.post(`/rufisque/admin/meetings/${forumId}`, meetingFields({ title: "Forum <b>des quartiers</b>", capacity: "2", date: localDate(-3) }))).statusCode, 303);
    const grid = await agent.get(`/rufisque/admin/meetings/${forumId}/attendance`);
    assert.equal(grid.statusCode, 200);
    assert.match(grid.body, /<legend>Femmes<\/legend>/);
    assert.match(grid.body, /<legend>Autre ou non précisé<\/legend>/);
    assert.match(grid.body, /for="f-c_woman_18_24"/);
    assert.match(visibleText(grid.body), /Aminata Diouf/);
    const [aminata, babacar] = [await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [RESIDENTS[0]]), await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [RESIDENTS[1]])];

    const first = await agent.post(`/rufisque/admin/meetings/${forumId}/attendance`, { c_woman_18_24: "1", present: aminata });
    assert.equal(first.statusCode, 303, "one person counted, one ticked: consistent");
    const unknown = await agent.post(`/rufisque/admin/meetings/${forumId}/attendance`, { c_woman_18_24: "1", present: [aminata, babacar].join(",") });
    assert.equal(unknown.statusCode, 400, "only a registered person can be ticked");
    const negative = await agent.post(`/rufisque/admin/meetings/${forumId}/attendance`, { c_man_25_34: "-2" });
    assert.equal(negative.statusCode, 400);
    assert.equal(fieldErrors(negative.body).c_man_25_34, "form.too_small");

    const counts = { c_woman_under_18: "1", c_woman_18_24: "3", c_woman_35_59: "2", c_man_25_34: "4", c_man_60_plus: "2", c_other_or_undisclosed_undisclosed: "1", present: aminata };
    assert.equal((await agent.post(`/rufisque/admin/meetings/${forumId}/attendance`, counts)).statusCode, 303);
    // The same count sent again (a double submit) leaves the same numbers.
    assert.equal((await agent.post(`/rufisque/admin/meetings/${forumId}/attendance`, counts)).statusCode, 303);
    const [stored] = await ctx.db.query<{ rows: number; total: number }>("SELECT count(*)::int AS rows, sum(count)::int AS total FROM meeting_attendance WHERE municipality_id = $1 AND meeting_id = $2", [rufisque, forumId]);
    assert.deepEqual(stored, { rows: 18, total: 13 });
    const ticked = await ctx.db.query<{ user_id: string }>("SELECT user_id FROM meeting_attendees WHERE meeting_id = $1", [forumId]);
    assert.deepEqual(ticked.map((row) => row.user_id), [aminata]);
    const [audit] = await ctx.db.query<{ data: { total: number; by_gender: Record<string, number> } }>(
      "SELECT data FROM audit_log WHERE action = 'participation.meeting.attendance' AND subject_id = $1 ORDER BY seq DESC LIMIT 1",
      [forumId],
    );
    assert.equal(audit!.data.total, 13);
    assert.deepEqual(audit!.data.by_gender, { woman: 6, man: 6, other_or_undisclosed: 1 });

    const below = await agent.post(`/rufisque/admin/meetings/${forumId}/attendance`, { present: aminata });
    assert.equal(below.statusCode, 400);
    assert.deepEqual(fieldReasons(below.body), { counts: "MEETING_COUNT_BELOW_PRESENT" });
    assert.match(visibleText(below.body), shown(fr("participation.meetings.error.count_below_present", { total: 0, present: 1 })));
    assert.equal((await ctx.db.query<{ total: number }>("SELECT sum(count)::int AS total FROM meeting_attendance WHERE meeting_id = $1", [forumId]))[0]!.total, 13, "a refused count changes nothing");

    assert.equal((await residents[0]!.post(`/rufisque/meetings/${forumId}/unregister`)).statusCode, 409, "the list is closed once the meeting started");
    const moved = await editor.post(`/rufisque/admin/meetings/${forumId}`, meetingFields({ title: "Forum <b>des quartiers</b>", capacity: "2", date: localDate(4) }));
    assert.equal(moved.statusCode, 400);
    assert.deepEqual(fieldReasons(moved.body), { date: "MEETING_COUNTED_BEFORE_START" });
  });

  it("publishes totals by gender and age band, and open data with no personal data in it", async () => {
    const page = visibleText((await anonymous.get(`/rufisque/meetings/${forumId}`)).body);
    assert.match(page, /13 personnes présentes\. Dont 1 personne inscrite en ligne\./);
    assert.match(page, /Femmes 6 46 %/);
    assert.match(page, /18 à 24 ans 3 23 %/);

    pastId = await createPublished({ title: '=HYPERLINK("http://evil.example","clic")', date: localDate(-5), capacity: "" });
    assert.equal((await agent.post(`/rufisque/admin/meetings/${pastId}/attendance`, { c_man_35_59: "5", c_woman_35_59: "2" })).statusCode, 303);

    const csv = await anonymous.get("/rufisque/meetings/attendance.csv");
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers["content-type"]), /^text\/csv; charset=utf-8/);
    const lines = csv.body.trimEnd().split("\r\n");
    assert.equal(lines[0], "meeting_id,meeting_title,starts_at,ends_at,gender,age_band,count");
    const forumLines = lines.filter((line) => line.startsWith(forumId));
    assert.equal(forumLines.length, 18);
    assert.ok(forumLines.some((line) => line.endsWith(",woman,18_24,3")));
    const sum = forumLines.reduce((total, line) => total + Number(line.split(",").pop()), 0);
    assert.equal(sum, 13);
    // A title that would run as a formula is quoted as text.
    assert.ok(lines.some((line) => line.includes(`"'=HYPERLINK(""http://evil.example"",""clic"")"`)), csv.body);
    // The seeded headcounts of other municipalities stay out; nobody's name, phone or account is in it.
    for (const personal of ["Aminata", "Diouf", "Babacar", "Habitant", "+22177", "770000"]) assert.doesNotMatch(csv.body, new RegExp(personal.replace("+", "\\+")));
    const userIds = await ctx.db.query<{ id: string }>("SELECT id FROM users");
    for (const { id } of userIds) assert.ok(!csv.body.includes(id), "no account id in open data");
  });

  it("accepts minutes and photos only once the meeting is over, and only JPEG or PNG", async () => {
    const upcoming = await createPublished({ title: "Réunion en ligne", place: "", online_url: "https://meet.jit.si/rufisque-pal", date: localDate(6) });
    const edit = visibleText((await editor.get(`/rufisque/admin/meetings/${upcoming}`)).body);
    assert.match(edit, shown(fr("participation.meetings.admin.minutes_after")));
    const tooEarly = await editor.postMultipart(`/rufisque/admin/meetings/${upcoming}/minutes`, { minutes: "Compte rendu écrit d'avance" }, { field: "photo", filename: "salle.png", data: PNG, type: "image/png" });
    assert.equal(tooEarly.statusCode, 409);
    assert.equal(reasonOf(tooEarly), "MEETING_NOT_ENDED");
    assert.equal((await ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM meeting_photos WHERE meeting_id = $1", [upcoming]))[0]!.n, 0);

    const notAnImage = await editor.postMultipart(`/rufisque/admin/meetings/${forumId}/minutes`, { minutes: "Treize personnes." }, { field: "photo", filename: "photo.png", data: Buffer.from("<svg onload=alert(1)>"), type: "image/png" });
    assert.equal(notAnImage.statusCode, 400);
    assert.equal(fieldErrors(notAnImage.body).photo, "participation.meetings.error.photo_type");
    assert.match(notAnImage.body, /Treize personnes\./, "the minutes typed are kept");

    const minutes = "Treize personnes ont débattu des priorités.\n\nLes <script>alert(1)</script> jeunes demandent une réunion le samedi.";
    const published = await editor.postMultipart(`/rufisque/admin/meetings/${forumId}/minutes`, { minutes, caption: "La salle des délibérations" }, { field: "photo", filename: "salle.png", data: PNG, type: "image/png" });
    assert.equal(published.statusCode, 303);
    const page = await anonymous.get(`/rufisque/meetings/${forumId}`);
    assert.match(visibleText(page.body), /Compte rendu Publié le .* Treize personnes ont débattu des priorités\./);
    assert.doesNotMatch(page.body, /<script>alert/);
    const src = /<img src="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(src, "the photo is shown");
    assert.match(page.body, /alt="La salle des délibérations"/);
    const photo = await anonymous.get(src!);
    assert.equal(photo.statusCode, 200);
    assert.equal(photo.headers["content-type"], "image/png");
    assert.deepEqual(photo.rawPayload, PNG);
    assert.equal((await anonymous.get(`/rufisque/meetings/${upcoming}/photos/${src!.split("/").pop()}`)).statusCode, 404, "a photo belongs to its meeting");
  });

  it("serves an iCalendar feed of public meetings that a hostile title cannot break", async () => {
    const hostile = await create(editor, meetingFields({ title: "Réunion <script>alert(1)</script>\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:piège; virgule, fin", date: localDate(8) }));
    assert.equal((await editor.post(`/rufisque/admin/meetings/${hostile}/publish`)).statusCode, 303);
    const draft = await create(editor, meetingFields({ title: "Brouillon secret", date: localDate(9) }));

    const feed = await anonymous.get("/rufisque/meetings.ics");
    assert.equal(feed.statusCode, 200);
    assert.equal(feed.headers["content-type"], "text/calendar; charset=utf-8");
    const lines = unfold(feed.body);
    assert.equal(lines[0], "BEGIN:VCALENDAR");
    assert.equal(lines.at(-1), "END:VCALENDAR");
    const expected = (await ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM meetings WHERE municipality_id = $1 AND status <> 'draft' AND ends_at > now() - interval '365 days'", [rufisque]))[0]!.n;
    assert.equal(lines.filter((line) => line === "BEGIN:VEVENT").length, expected);
    assert.equal(lines.filter((line) => line === "END:VEVENT").length, expected);
    assert.ok(expected >= 6, `${expected} public meetings`);
    assert.ok(lines.includes(`UID:meeting-${hostile}@localhost:3000`));
    assert.ok(!feed.body.includes(draft), "a draft is not announced");
    assert.ok(!feed.body.includes("Brouillon secret"));
    const summary = lines.find((line) => line.startsWith("SUMMARY:Réunion <script>"));
    assert.equal(summary, "SUMMARY:Réunion <script>alert(1)</script>\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:piège\\; virgule\\, fin");
    assert.ok(!lines.includes("SUMMARY:piège; virgule, fin"));
    assert.ok(lines.includes("STATUS:CANCELLED"), "a cancellation reaches subscribers");
    for (const line of feed.body.split("\r\n")) assert.ok(Buffer.byteLength(line) <= 75, line);
  });

  it("keeps the back office to those it belongs to", async () => {
    for (const url of ["/rufisque/admin/meetings", "/rufisque/admin/meetings/new", `/rufisque/admin/meetings/${forumId}`, `/rufisque/admin/meetings/${forumId}/attendance`]) {
      assert.equal((await citizen.get(url)).statusCode, 403, url);
    }
    assert.equal((await citizen.post(`/rufisque/admin/meetings/${forumId}/cancel`)).statusCode, 403);
    assert.equal((await citizen.post("/rufisque/admin/meetings", meetingFields())).statusCode, 403);
    assert.equal((await citizen.post(`/rufisque/admin/meetings/${forumId}/attendance`, { c_man_25_34: "99" })).statusCode, 403);
    const signIn = await anonymous.get("/rufisque/admin/meetings");
    assert.equal(signIn.statusCode, 303);
    assert.match(String(signIn.headers.location), /^\/account\/signin/);
    // An agent counts attendance but does not run meetings.
    assert.equal((await agent.get("/rufisque/admin/meetings/new")).statusCode, 403);
    assert.equal((await agent.post(`/rufisque/admin/meetings/${forumId}/publish`)).statusCode, 403);
    assert.equal((await editor.get(`/rufisque/admin/meetings/${forumId}/attendance`)).statusCode, 200);

    const labe = new Browser(ctx.app);
    await labe.signIn(DEMO.labe.editor);
    assert.equal((await labe.get(`/rufisque/admin/meetings/${forumId}`)).statusCode, 403);
    assert.equal((await labe.post(`/rufisque/admin/meetings/${forumId}/cancel`)).statusCode, 403);
    assert.equal((await labe.post(`/rufisque/admin/meetings/${forumId}`, meetingFields({ title: "Détournée" }))).statusCode, 403);
    // Under Labé's address, a Rufisque meeting does not exist.
    assert.equal((await labe.get(`/labe/admin/meetings/${forumId}`)).statusCode, 404);
    assert.equal((await labe.post(`/labe/admin/meetings/${forumId}/publish`)).statusCode, 404);
    assert.equal((await labe.post(`/labe/admin/meetings/${forumId}`, meetingFields({ title: "Détournée" }))).statusCode, 404);
    assert.equal((await labe.get(`/labe/meetings/${forumId}`)).statusCode, 404);
    assert.equal((await labe.post(`/labe/meetings/${forumId}/register`)).statusCode, 404);
    assert.equal((await ctx.db.query<{ title: string }>("SELECT title FROM meetings WHERE id = $1", [forumId]))[0]!.title, "Forum <b>des quartiers</b>");
    assert.equal((await anonymous.get("/rufisque/meetings/not-a-uuid")).statusCode, 404);
  });

  it("keeps the public pages within one round trip on a slow link", async () => {
    for (const url of ["/rufisque/meetings", `/rufisque/meetings/${forumId}`, `/rufisque/meetings/${pastId}`]) {
      const page = await anonymous.get(url);
      assert.equal(page.statusCode, 200);
      const size = gzipSync(page.body).length;
      assert.ok(size <= 14 * 1024, `${url} is ${size} bytes gzipped`);
      assert.doesNotMatch(page.body, /<script(?![^>]*\bdefer\b)/, `${url} has no blocking script`);
    }
  });
});

describe("meetings: the demo", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ modules: [...MODULES, meetingsTestModule] });
    const labe = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'labe'", []);
    const [existing] = await ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM meetings WHERE municipality_id = $1", [labe]);
    // Once the demo seeds meetings itself, they are already there.
    if (existing!.n === 0) {
      const editorId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.labe.editor]);
      const agentId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.labe.agent]);
      await ctx.db.transaction((tx) => seedMeetings(tx, labe, { editorId, agentId }));
    }
  });
  after(() => ctx.close());

  it("shows a past workshop with its minutes and headcount, a town-hall forum with registrations and an online meeting", async () => {
    const anonymous = new Browser(ctx.app);
    const list = await anonymous.get("/labe/meetings");
    const text = visibleText(list.body);
    assert.match(text, /Forum public : les propositions pour le Plan d'action local/);
    assert.match(text, /places restantes sur 80/);
    assert.match(text, /Réunion en ligne : suivre les engagements/);
    assert.match(text, /En ligne/);
    assert.match(text, /Réunions passées Atelier de diagnostic/);
    const [workshop] = await ctx.db.query<{ id: string }>("SELECT m.id FROM meetings m JOIN municipalities c ON c.id = m.municipality_id WHERE c.slug = 'labe' AND m.title LIKE 'Atelier de diagnostic%'");
    const page = await anonymous.get(`/labe/meetings/${workshop!.id}`);
    const pageText = visibleText(page.body);
    assert.match(pageText, /64 personnes présentes/);
    assert.match(pageText, /Femmes 22 34/);
    assert.match(pageText, /Hommes 39 61/);
    assert.match(pageText, /Compte rendu/);
    assert.match(pageText, /Démarche de participation Plan d'action local de gouvernement ouvert 2027/);
    assert.ok(gzipSync(page.body).length <= 14 * 1024);
    const [forum] = await ctx.db.query<{ registrations: number; capacity: number }>(
      "SELECT m.capacity, (SELECT count(*)::int FROM meeting_registrations r WHERE r.municipality_id = m.municipality_id AND r.meeting_id = m.id) AS registrations FROM meetings m JOIN municipalities c ON c.id = m.municipality_id WHERE c.slug = 'labe' AND m.title LIKE 'Forum public%'",
    );
    assert.equal(forum!.capacity, 80);
    assert.ok(forum!.registrations >= 2);
    const feed = unfold((await anonymous.get("/labe/meetings.ics")).body);
    assert.ok(feed.filter((line) => line === "BEGIN:VEVENT").length >= 3);
    assert.ok(feed.includes("LOCATION:https://meet.jit.si/plan-action-local-gouvernement-ouvert"));
  });
});
