import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import type { Municipality } from "../src/core/tenancy/index.js";
import { addProject, castBallot, createBudget, publishBudget, publishResults } from "../src/modules/participation/budgets/service.js";
import { register } from "../src/modules/participation/meetings/service.js";
import { insertMeeting } from "../src/modules/participation/meetings/store.js";
import { createSurvey } from "../src/modules/participation/surveys/service.js";
import { createProcedure, createResident, createStaff, type Person } from "./factories.js";
import { createTestApp, idOf, type TestContext } from "./helpers.js";

/**
 * The JSON API of everything published (/api/v1/{slug}/budgets, meetings, surveys, procedures),
 * read as an outside client reads it: shapes, pages, other municipalities, drafts, and nobody's
 * name, number or address in any answer.
 */

type Json = Record<string, unknown>;
const DAY_MS = 86_400_000;
const LIST_KEYS = ["limit", "municipality", "offset", "total"];

describe("the public JSON API of budgets, meetings, surveys and procedures", () => {
  let ctx: TestContext;
  let rufisque: Municipality;
  let labe: Municipality;
  const residents: Person[] = [];
  const ids: Record<string, string> = {};
  /** Every answer, to look for personal data and drafts in all of them at the end. */
  const bodies: string[] = [];

  async function get(url: string): Promise<LightMyRequestResponse> {
    const response = await ctx.app.inject({ method: "GET", url, headers: { accept: "application/json" } });
    bodies.push(response.body);
    return response;
  }

  async function json<T = Json>(url: string): Promise<T> {
    const response = await get(url);
    assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    assert.match(response.headers["content-type"] as string, /^application\/json/);
    return response.json() as T;
  }

  async function problem(url: string, status: number): Promise<Json> {
    const response = await get(url);
    assert.equal(response.statusCode, status, `${url}: ${response.body}`);
    assert.match(response.headers["content-type"] as string, /^application\/problem\+json/);
    const body = response.json() as Json;
    assert.equal(body.status, status);
    return body;
  }

  before(async () => {
    ctx = await createTestApp();
    const { db } = ctx;
    const municipality = async (slug: string) => (await db.query<Municipality>("SELECT * FROM municipalities WHERE slug = $1", [slug]))[0]!;
    rufisque = await municipality("rufisque");
    labe = await municipality("labe");
    const editor = await createStaff(db, rufisque, "editor");
    const administrator = await createStaff(db, rufisque, "administrator");

    // Residents with a number and a name of their own, registered to a meeting and voting.
    for (const n of [1, 2, 3]) residents.push(await createResident(db, rufisque, { phone: `+22177123450${n}`, name: `Awa Témoin${n} Ndiaye`, verified: true }));
    await db.query("UPDATE users SET email = 'temoin' || right(phone, 1) || '@courriel.example' WHERE id = ANY($1::uuid[])", [residents.map((person) => person.id)]);
    ids.forum = await idOf(db, "SELECT id FROM meetings WHERE municipality_id = $1 AND status = 'published' AND starts_at > now() ORDER BY starts_at LIMIT 1", [rufisque.id]);
    for (const person of residents) await register(db, rufisque.id, ids.forum, person.id);

    // A budget whose vote is over and counted, beside the demo's open one.
    const budgetProcess = await idOf(db, "SELECT id FROM processes WHERE municipality_id = $1 AND slug = 'budget-participatif-2027'", [rufisque.id]);
    const now = Date.now();
    ids.counted = await createBudget(db, rufisque.id, editor.id, budgetProcess, {
      title: "Budget des quartiers (dépouillé)",
      description: "",
      kind: "knapsack",
      totalAmount: 1_000_000,
      maxProjects: null,
      minProjects: 1,
      opensAt: new Date(now + DAY_MS),
      closesAt: new Date(now + 2 * DAY_MS),
    });
    ids.well = await addProject(db, rufisque.id, editor.id, ids.counted, { title: "Puits", description: "", cost: 600_000, location: "Keury Kao" });
    ids.lamps = await addProject(db, rufisque.id, editor.id, ids.counted, { title: "Lampadaires", description: "", cost: 500_000, location: "" });
    await publishBudget(db, rufisque.id, editor.id, ids.counted);
    await db.query("UPDATE budgets SET voting_opens_at = now() - interval '2 days', voting_closes_at = now() + interval '1 day' WHERE id = $1", [ids.counted]);
    await castBallot(db, rufisque.id, residents[0]!.id, ids.counted, [ids.well]);
    await castBallot(db, rufisque.id, residents[1]!.id, ids.counted, [ids.well]);
    await castBallot(db, rufisque.id, residents[2]!.id, ids.counted, [ids.lamps]);
    await db.query("UPDATE budgets SET voting_closes_at = now() - interval '1 minute' WHERE id = $1", [ids.counted]);
    await publishResults(db, rufisque.id, editor.id, ids.counted);

    // Drafts, which no answer may show.
    ids.draftBudget = await createBudget(db, rufisque.id, editor.id, budgetProcess, {
      title: "Budget brouillon invisible",
      description: "",
      kind: "approval",
      totalAmount: 10,
      maxProjects: 1,
      minProjects: 1,
      opensAt: new Date(now + DAY_MS),
      closesAt: new Date(now + 2 * DAY_MS),
    });
    ids.draftMeeting = await insertMeeting(db, rufisque.id, editor.id, {
      processId: null,
      title: "Réunion brouillon invisible",
      description: "",
      agenda: "",
      startsAt: new Date(now + DAY_MS),
      endsAt: new Date(now + DAY_MS + 3_600_000),
      place: "Salle secrète",
      onlineUrl: null,
      capacity: null,
    });
    const process = await idOf(db, "SELECT id FROM processes WHERE municipality_id = $1 AND slug = 'plan-action-local-2027'", [rufisque.id]);
    ids.draftSurvey = await createSurvey(db, rufisque.id, editor.id, process, { title: "Questionnaire brouillon invisible", description: "", opensAt: null, closesAt: null, publishTexts: false, resultsPublic: true });
    ids.demoSurvey = await idOf(db, "SELECT id FROM surveys WHERE municipality_id = $1 AND status = 'open' LIMIT 1", [rufisque.id]);
    // A closed survey whose results the municipality keeps to itself.
    ids.privateSurvey = await idOf(
      db,
      `INSERT INTO surveys (municipality_id, process_id, title, description, definition, status, results_public, publish_texts)
       SELECT municipality_id, process_id, 'Questionnaire aux résultats internes', '', definition, 'closed', false, false FROM surveys WHERE id = $1 RETURNING id`,
      [ids.demoSurvey],
    );
    await createProcedure(db, rufisque, administrator, { slug: "demarche-brouillon", title: "Démarche brouillon invisible", published: false });
  });
  after(() => ctx.close());

  it("lists the published budgets with their projects and, once counted, their results", async () => {
    const list = await json<Json & { budgets: Json[] }>("/api/v1/rufisque/budgets");
    assert.deepEqual(Object.keys(list).sort(), [...LIST_KEYS, "budgets"].sort());
    assert.equal(list.total, 2);
    const counted = list.budgets.find((budget) => budget.id === ids.counted)!;
    assert.deepEqual(Object.keys(counted).sort(), ["description", "id", "kind", "max_projects", "min_projects", "phase", "process", "projects", "results_published_at", "title", "total", "url", "voting_closes_at", "voting_opens_at"]);
    assert.deepEqual([counted.phase, counted.projects, counted.total, counted.process], ["closed", 2, { amount: 1_000_000, currency: "XOF" }, "budget-participatif-2027"]);

    const detail = await json<{ budget: Json; projects: Json[]; results: Json & { ranking: Json[] } }>(`/api/v1/rufisque/budgets/${ids.counted}`);
    assert.deepEqual(detail.projects.map((project) => [project.title, project.cost]), [["Puits", { amount: 600_000, currency: "XOF" }], ["Lampadaires", { amount: 500_000, currency: "XOF" }]]);
    assert.deepEqual(detail.results.ranking.map((entry) => [entry.project, entry.votes, entry.selected]), [[ids.well, 2, true], [ids.lamps, 1, false]]);
    assert.equal(detail.results.ballots, 3);
    assert.equal(detail.results.spent, 600_000);
    assert.match(detail.results.csv as string, /\/results\.csv$/);

    const open = list.budgets.find((budget) => budget.id !== ids.counted)!;
    const openDetail = await json<{ projects: Json[]; results: unknown }>(`/api/v1/rufisque/budgets/${open.id}`);
    assert.equal(open.phase, "open");
    assert.equal(openDetail.projects.length, 6);
    assert.equal(openDetail.results, null, "no count before it is published");
  });

  it("lists public meetings with their attendance totals, and counts registrations without naming anyone", async () => {
    const list = await json<Json & { meetings: Json[] }>("/api/v1/rufisque/meetings");
    assert.deepEqual(Object.keys(list).sort(), [...LIST_KEYS, "calendar", "meetings"].sort());
    assert.equal(list.calendar, "http://localhost:3000/rufisque/meetings.ics");
    assert.equal(list.total, 3);
    const [workshop] = list.meetings;
    assert.deepEqual(Object.keys(workshop!).sort(), [
      "agenda", "attendance", "capacity", "description", "ends_at", "id", "minutes", "minutes_published_at", "online_url", "place", "process", "registered", "seats_left", "starts_at", "status", "timing", "title", "url",
    ]);
    assert.equal(workshop!.timing, "past");
    const attendance = workshop!.attendance as { total: number; by_gender: Json; by_age_band: Json };
    assert.equal(attendance.total, 64);
    assert.deepEqual(attendance.by_gender, { woman: 22, man: 39, other_or_undisclosed: 3 });
    assert.equal(Object.values(attendance.by_age_band).reduce((sum: number, n) => sum + (n as number), 0), 64);
    assert.match(workshop!.minutes as string, /Soixante-quatre personnes/);

    const forum = await json<{ meeting: Json }>(`/api/v1/rufisque/meetings/${ids.forum}`);
    const registered = forum.meeting.registered as number;
    assert.ok(registered >= 3);
    assert.equal(forum.meeting.seats_left, (forum.meeting.capacity as number) - registered);
    assert.equal(forum.meeting.attendance, null);
    assert.equal(forum.meeting.minutes, null);
  });

  it("pages through a list with limit and offset, and refuses a page it cannot give with problem+json", async () => {
    const all = await json<{ meetings: Json[] }>("/api/v1/rufisque/meetings");
    const second = await json<Json & { meetings: Json[] }>("/api/v1/rufisque/meetings?limit=1&offset=1");
    assert.deepEqual([second.total, second.limit, second.offset], [3, 1, 1]);
    assert.deepEqual(second.meetings.map((meeting) => meeting.id), [all.meetings[1]!.id]);
    assert.deepEqual((await json<{ meetings: Json[] }>("/api/v1/rufisque/meetings?offset=10")).meetings, []);
    for (const query of ["limit=0", "limit=101", "limit=abc", "offset=-1"]) {
      const refused = await problem(`/api/v1/rufisque/meetings?${query}`, 400);
      assert.equal(refused.code, "VALIDATION", query);
    }
  });

  it("lists surveys with their questions, and their results only where the municipality made them public", async () => {
    const list = await json<Json & { surveys: Json[] }>("/api/v1/rufisque/surveys");
    assert.deepEqual(Object.keys(list).sort(), [...LIST_KEYS, "surveys"].sort());
    const demo = list.surveys.find((survey) => survey.id === ids.demoSurvey)!;
    const kept = list.surveys.find((survey) => survey.id === ids.privateSurvey)!;
    assert.deepEqual(Object.keys(demo).sort(), ["closes_at", "description", "id", "opens_at", "phase", "process", "questions", "results", "results_public", "title", "url"]);
    assert.equal(demo.results, `http://localhost:3000/api/v1/rufisque/surveys/${ids.demoSurvey}/results`);
    assert.deepEqual([kept.phase, kept.results_public, kept.results], ["closed", false, null]);

    const detail = await json<{ questions: Json[] }>(`/api/v1/rufisque/surveys/${ids.demoSurvey}`);
    assert.equal(detail.questions.length, demo.questions);
    assert.ok(detail.questions.every((question) => typeof question.id === "string" && typeof question.type === "string" && typeof question.title === "string"));

    const results = await json<{ responses: number; questions: Json[] }>(`/api/v1/rufisque/surveys/${ids.demoSurvey}/results`);
    assert.ok(results.responses > 0);
    assert.ok(results.questions.some((question) => Array.isArray(question.options)));
    await problem(`/api/v1/rufisque/surveys/${ids.privateSurvey}/results`, 404);
    // Its questions are public all the same.
    await json(`/api/v1/rufisque/surveys/${ids.privateSurvey}`);
  });

  it("lists the e-services catalogue with documents, fees and delays", async () => {
    const list = await json<Json & { procedures: Json[] }>("/api/v1/rufisque/procedures");
    assert.deepEqual(Object.keys(list).sort(), [...LIST_KEYS, "procedures"].sort());
    assert.equal(list.total, list.procedures.length);
    const birth = list.procedures.find((procedure) => procedure.slug === "extrait-acte-naissance")!;
    assert.deepEqual(Object.keys(birth).sort(), ["category", "description", "documents", "fee", "processing_days", "slug", "statistics", "title", "url"]);
    assert.equal((birth.fee as Json).currency, "XOF");
    assert.ok(Number.isInteger(birth.processing_days));
    assert.ok(Array.isArray(birth.documents));
    const one = await json<{ procedure: Json }>("/api/v1/rufisque/procedures/extrait-acte-naissance");
    assert.deepEqual(one.procedure, birth);
    const page = await json<{ procedures: Json[]; total: number }>("/api/v1/rufisque/procedures?limit=2&offset=1");
    assert.deepEqual(page.procedures.map((procedure) => procedure.slug), list.procedures.slice(1, 3).map((procedure) => procedure.slug));
  });

  it("never shows a draft: not in a list, not by its address", async () => {
    const budgets = await json<{ budgets: Json[] }>("/api/v1/rufisque/budgets?limit=100");
    const meetings = await json<{ meetings: Json[] }>("/api/v1/rufisque/meetings?limit=100");
    const surveys = await json<{ surveys: Json[] }>("/api/v1/rufisque/surveys?limit=100");
    const procedures = await json<{ procedures: Json[] }>("/api/v1/rufisque/procedures?limit=100");
    assert.ok(!budgets.budgets.some((budget) => budget.id === ids.draftBudget));
    assert.ok(!meetings.meetings.some((meeting) => meeting.id === ids.draftMeeting));
    assert.ok(!surveys.surveys.some((survey) => survey.id === ids.draftSurvey));
    assert.ok(!procedures.procedures.some((procedure) => procedure.slug === "demarche-brouillon"));
    await problem(`/api/v1/rufisque/budgets/${ids.draftBudget}`, 404);
    await problem(`/api/v1/rufisque/meetings/${ids.draftMeeting}`, 404);
    await problem(`/api/v1/rufisque/surveys/${ids.draftSurvey}`, 404);
    await problem(`/api/v1/rufisque/surveys/${ids.draftSurvey}/results`, 404);
    await problem("/api/v1/rufisque/procedures/demarche-brouillon", 404);
  });

  it("answers for one municipality only: another's objects are not found under its slug", async () => {
    const labeMeetings = await json<{ meetings: Json[] }>("/api/v1/labe/meetings?limit=100");
    const rufisqueIds = new Set((await json<{ meetings: Json[] }>("/api/v1/rufisque/meetings?limit=100")).meetings.map((meeting) => meeting.id));
    assert.ok(labeMeetings.meetings.length > 0);
    assert.ok(labeMeetings.meetings.every((meeting) => !rufisqueIds.has(meeting.id)));
    assert.equal((await json<Json>("/api/v1/labe/budgets")).municipality, "labe");
    await problem(`/api/v1/labe/meetings/${ids.forum}`, 404);
    await problem(`/api/v1/labe/budgets/${ids.counted}`, 404);
    await problem(`/api/v1/labe/surveys/${ids.demoSurvey}`, 404);
    await problem(`/api/v1/labe/surveys/${ids.demoSurvey}/results`, 404);
    const labeProcedures = await json<{ procedures: Json[] }>("/api/v1/labe/procedures?limit=100");
    assert.ok(labeProcedures.procedures.every((procedure) => (procedure.url as string).startsWith("http://localhost:3000/labe/")));
    assert.equal(labe.slug, "labe");
  });

  it("answers an unknown municipality or a malformed id with a 404 in problem+json", async () => {
    for (const path of ["budgets", "meetings", "surveys", "procedures", `meetings/${ids.forum}`, `budgets/${ids.counted}`, `surveys/${ids.demoSurvey}`, "procedures/extrait-acte-naissance"]) {
      const body = await problem(`/api/v1/nulle-part/${path}`, 404);
      assert.equal(body.code, "NOT_FOUND");
    }
    for (const path of ["meetings/not-a-uuid", "budgets/42", "surveys/x", "procedures/nothing-here"]) await problem(`/api/v1/rufisque/${path}`, 404);
  });

  it("puts nobody's name, phone number or address in any answer", async () => {
    const registrants = await ctx.db.query<{ name: string; phone: string | null; email: string | null }>(
      `SELECT DISTINCT u.name, u.phone, u.email FROM users u
       WHERE u.id IN (SELECT user_id FROM meeting_registrations UNION SELECT user_id FROM budget_ballots UNION SELECT user_id FROM survey_responses)`,
    );
    assert.ok(registrants.length >= 4, "the demo's registrants and voters, and ours");
    const secrets = registrants.flatMap((person) => [person.name, person.phone, person.email, person.phone?.slice(4)]).filter((value): value is string => !!value);
    assert.ok(bodies.length > 30);
    for (const body of bodies) {
      for (const secret of secrets) assert.ok(!body.includes(secret), `an answer holds ${secret}`);
      assert.doesNotMatch(body, /"(user_id|author_id|created_by|recorded_by|phone|email)"/);
      for (const draft of [ids.draftBudget!, ids.draftMeeting!, ids.draftSurvey!, "invisible"]) assert.ok(!body.includes(draft), `an answer holds the draft ${draft}`);
    }
  });
});
