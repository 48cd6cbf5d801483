import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import type { LightMyRequestResponse } from "fastify";
import { hashPassword } from "../src/core/auth/accounts.js";
import { formatters } from "../src/core/i18n/index.js";
import { wallClock } from "../src/core/tenancy/clock.js";
import { castBallot } from "../src/modules/participation/budgets/service.js";
import { zonedToUtc } from "../src/modules/participation/service.js";
import { seedBudgets } from "../src/modules/participation/demo/budgets.js";
import { fieldErrors, fieldReasons, fr as message, reasonOf, shown as inText } from "./answers.js";
import { Browser, createTestApp, DEMO, DEMO_PASSWORD, idOf, visibleText, type TestContext } from "./helpers.js";

const fr = formatters("fr");
/** As visibleText() shows it: the narrow no-break spaces of French numbers become plain spaces. */
const plain = (text: string) => text.replace(/\s+/g, " ");
const xof = (amount: number) => plain(fr.money(amount, "XOF"));
const DAY_MS = 86_400_000;

describe("participatory budgets: times typed on the municipality's clock", () => {
  it("reads a date and time in the municipality's time zone and shows them back", () => {
    assert.equal(zonedToUtc("2027-01-10", "08:00", "Africa/Niamey")?.toISOString(), "2027-01-10T07:00:00.000Z");
    assert.equal(zonedToUtc("2027-01-10", "08:00", "Africa/Dakar")?.toISOString(), "2027-01-10T08:00:00.000Z");
    // Summer time is Intl's business, not ours: a zone with it still comes out right.
    assert.equal(zonedToUtc("2027-07-01", "12:00", "Europe/Paris")?.toISOString(), "2027-07-01T10:00:00.000Z");
    assert.deepEqual(wallClock(new Date("2027-01-10T23:30:00Z"), "Africa/Niamey"), { date: "2027-01-11", time: "00:30" });
  });

  it("refuses moments that do not exist", () => {
    for (const [date, time] of [["2027-02-30", "08:00"], ["2027-13-01", "08:00"], ["2027-01-10", "24:00"], ["10/01/2027", "08:00"], ["2027-01-10", "8h"]] as const) {
      assert.equal(zonedToUtc(date, time, "Africa/Dakar"), undefined, `${date} ${time}`);
    }
  });
});

describe("participatory budgets: from the back office to published results", () => {
  let ctx: TestContext;
  let rufisque: string;
  let labe: string;
  let agentId: string;
  let processId: string;
  let otherProcessId: string;
  let editor: Browser;
  let labeEditor: Browser;
  let citizen: Browser;
  let anonymous: Browser;
  let voter: Browser;
  let voterId: string;
  let newcomer: Browser;
  let newcomerId: string;
  const others: string[] = [];
  let knapsackId: string;
  const p: Record<string, string> = {};
  let approvalId: string;
  let approvalProjects: string[] = [];
  let draftId: string;
  let seededId: string;

  const PROCESS = "test-budgets-2027";
  const page = (id: string, process = PROCESS, slug = "rufisque") => `/${slug}/participation/${process}/budgets/${id}`;
  const admin = (id: string, slug = "rufisque") => `/${slug}/admin/budgets/${id}`;

  /** Posts a ballot the way a browser sends ticked checkboxes: one `projects` field per box. */
  async function postBallot(browser: Browser, budgetId: string, projectIds: string[]): Promise<LightMyRequestResponse> {
    await browser.ensureCsrfToken();
    const body = new URLSearchParams([["_csrf", browser.cookies.get("csrf")!], ...projectIds.map((id) => ["projects", id] as [string, string])]).toString();
    const response = await ctx.app.inject({
      method: "POST",
      url: `${page(budgetId)}/ballot`,
      payload: body,
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", cookie: browser.cookieHeader() },
    });
    // The flash cookie of the redirect, for the page the browser opens next.
    for (const cookie of response.cookies as { name: string; value: string }[]) browser.cookies.set(cookie.name, cookie.value);
    return response;
  }

  /** A resident account with a confirmed number, signed in when a browser is wanted. */
  async function resident(name: string, phone: string, hash: string): Promise<string> {
    const id = await idOf(ctx.db, "INSERT INTO users (name, phone, password_hash, locale, confirmed_at) VALUES ($1, $2, $3, 'fr', now()) RETURNING id", [name, phone, hash]);
    await ctx.db.query("INSERT INTO municipal_roles (municipality_id, user_id, role) VALUES ($1, $2, 'citizen')", [rufisque, id]);
    return id;
  }

  /** What an agent does at the counter after seeing an identity document. */
  const verifyResident = (userId: string) =>
    ctx.db.query("INSERT INTO resident_verifications (municipality_id, user_id, method, verified_by) VALUES ($1, $2, 'document', $3)", [rufisque, userId, agentId]);

  const ballotRows = (budgetId: string, userId: string) =>
    ctx.db.query<{ project_ids: string[]; total: number; cast_at: Date; updated_at: Date }>("SELECT project_ids, total, cast_at, updated_at FROM budget_ballots WHERE budget_id = $1 AND user_id = $2", [budgetId, userId]);

  /** Time passes: voting opened a minute ago (the only way to test a window without waiting). */
  const openVoting = (budgetId: string) => ctx.db.query("UPDATE budgets SET voting_opens_at = now() - interval '1 minute', voting_closes_at = now() + interval '10 days' WHERE id = $1", [budgetId]);

  const localDay = (offsetDays: number) => wallClock(new Date(Date.now() + offsetDays * DAY_MS), "Africa/Dakar").date;

  async function createBudget(fields: Record<string, string>): Promise<LightMyRequestResponse> {
    return editor.post(`/rufisque/admin/participation/${processId}/budgets`, {
      title: "Budget",
      description: "",
      kind: "knapsack",
      total_amount: "10 000 000",
      max_projects: "",
      min_projects: "1",
      opens_date: localDay(1),
      opens_time: "08:00",
      closes_date: localDay(20),
      closes_time: "18:00",
      ...fields,
    });
  }

  async function addProject(budgetId: string, title: string, cost: string, location = ""): Promise<string> {
    const response = await editor.post(`${admin(budgetId)}/projects`, { project_title: title, project_cost: cost, project_location: location, project_description: "Description du projet." });
    assert.equal(response.statusCode, 303, visibleText(response.body));
    return idOf(ctx.db, "SELECT id FROM budget_projects WHERE budget_id = $1 AND title = $2", [budgetId, title]);
  }

  before(async () => {
    ctx = await createTestApp();
    rufisque = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    labe = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'labe'", []);
    agentId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.agent]);
    const editorId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.editor]);
    processId = await idOf(ctx.db, "INSERT INTO processes (municipality_id, slug, title, status, created_by) VALUES ($1, $2, 'Budget participatif 2027', 'published', $3) RETURNING id", [rufisque, PROCESS, editorId]);
    otherProcessId = await idOf(ctx.db, "INSERT INTO processes (municipality_id, slug, title, status, created_by) VALUES ($1, 'autre-processus', 'Autre processus', 'published', $2) RETURNING id", [rufisque, editorId]);
    const hash = await hashPassword(DEMO_PASSWORD);
    voterId = await resident("Ndèye Fatou Sall", "+221770009001", hash);
    newcomerId = await resident("Omar Sy", "+221770009002", hash);
    for (const [index, name] of ["Awa Ba", "Modou Fall", "Seynabou Cissé"].entries()) {
      const id = await resident(name, `+22177000910${index}`, hash);
      await verifyResident(id);
      others.push(id);
    }
    editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    labeEditor = new Browser(ctx.app);
    await labeEditor.signIn(DEMO.labe.editor);
    citizen = new Browser(ctx.app);
    await citizen.signIn(DEMO.rufisque.citizen);
    anonymous = new Browser(ctx.app);
    voter = new Browser(ctx.app);
    await voter.signIn("+221770009001");
    newcomer = new Browser(ctx.app);
    await newcomer.signIn("+221770009002");
  });
  after(() => ctx.close());

  it("an editor creates a knapsack budget with its window on Rufisque's clock, adds projects and publishes it", async () => {
    const created = await createBudget({ title: "Budget participatif 2027 des quartiers", description: "Cinq projets pour les quartiers." });
    assert.equal(created.statusCode, 303, visibleText(created.body));
    knapsackId = String(created.headers.location).split("/").pop()!;
    const [row] = await ctx.db.query<{ voting_opens_at: Date; total_amount: number; status: string }>("SELECT voting_opens_at, total_amount, status FROM budgets WHERE id = $1", [knapsackId]);
    assert.equal(row!.voting_opens_at.toISOString(), `${localDay(1)}T08:00:00.000Z`, "Africa/Dakar is UTC+0");
    assert.equal(row!.total_amount, 10_000_000);
    assert.equal(row!.status, "draft");
    // A draft is the editors' business only.
    assert.equal((await anonymous.get(page(knapsackId))).statusCode, 404);

    p.a = await addProject(knapsackId, "Forage de Keury Kao", "4 000 000", "Keury Kao");
    p.b = await addProject(knapsackId, "Latrines de l'école de Diokoul", "6000000", "Diokoul");
    p.c = await addProject(knapsackId, "Charte de l'eau", "1");
    p.d = await addProject(knapsackId, "Marché couvert", "10 000 000");
    p.e = await addProject(knapsackId, '=HYPERLINK("http://x.example") <script>alert(1)</script>', "5 000 000");
    const extra = await addProject(knapsackId, "Projet retiré", "1 000");
    assert.equal((await editor.post(`${admin(knapsackId)}/projects/${extra}/delete`)).statusCode, 303);
    assert.equal((await ctx.db.query("SELECT 1 FROM budget_projects WHERE id = $1", [extra])).length, 0);

    const badCost = await editor.post(`${admin(knapsackId)}/projects`, { project_title: "Virgule", project_cost: "1,5" });
    assert.equal(badCost.statusCode, 400);
    assert.equal(fieldErrors(badCost.body).project_cost, "participation.budgets.error.amount");

    assert.equal((await editor.post(`${admin(knapsackId)}/publish`)).statusCode, 303);
    const shown = visibleText((await anonymous.get(page(knapsackId))).body);
    assert.match(shown, /Budget participatif 2027 des quartiers/);
    assert.ok(shown.includes(xof(10_000_000)), "the envelope in CFA francs");
    assert.ok(shown.includes(xof(4_000_000)), "each project's cost");
    assert.match(shown, /Le vote ouvrira le/);
  });

  it("refuses bad settings with their reasons, the typed values kept", async () => {
    const reversed = await createBudget({ title: "À l'envers", opens_date: localDay(10), closes_date: localDay(2) });
    assert.equal(reversed.statusCode, 400);
    assert.deepEqual(fieldReasons(reversed.body), { closes_date: "BUDGET_CLOSES_BEFORE_OPENS" });
    assert.match(reversed.body, /value="À l&#39;envers"|value="À l'envers"/);
    const minOverMax = await createBudget({ title: "Sélection", kind: "approval", max_projects: "2", min_projects: "3" });
    assert.equal(minOverMax.statusCode, 400);
    assert.deepEqual(fieldReasons(minOverMax.body), { min_projects: "BUDGET_MIN_OVER_MAX" });
    const noDay = await createBudget({ title: "Trente février", opens_date: "2027-02-30" });
    assert.equal(noDay.statusCode, 400);
    assert.equal(fieldErrors(noDay.body).opens_date, "participation.budgets.error.moment");
  });

  it("before voting opens, even a verified resident is told when it will open", async () => {
    await verifyResident(voterId);
    const early = await postBallot(voter, knapsackId, [p.a!]);
    assert.equal(early.statusCode, 409);
    assert.deepEqual(fieldReasons(early.body), { projects: "BALLOT_NOT_OPEN" });
    await assert.rejects(
      ctx.db.query("INSERT INTO budget_ballots (municipality_id, budget_id, user_id, project_ids, total) VALUES ($1, $2, $3, $4::uuid[], 1)", [rufisque, knapsackId, voterId, [p.c]]),
      /budget_ballot_locked/,
    );
  });

  it("asks a visitor to sign in and an unverified resident to get verified; the database refuses the latter's ballot too", async () => {
    await openVoting(knapsackId);
    const visitorPage = await anonymous.get(page(knapsackId));
    assert.match(visibleText(visitorPage.body), inText(message("participation.budgets.ballot.sign_in")));
    assert.doesNotMatch(visitorPage.body, /name="projects"/);
    assert.equal((await postBallot(anonymous, knapsackId, [p.a!])).statusCode, 401);

    const unverified = await newcomer.get(page(knapsackId));
    assert.match(unverified.body, /href="\/rufisque\/participation\/verify"/);
    assert.doesNotMatch(unverified.body, /name="projects"/);
    const refused = await postBallot(newcomer, knapsackId, [p.a!]);
    assert.equal(refused.statusCode, 409);
    assert.deepEqual(fieldReasons(refused.body), { projects: "BALLOT_NOT_VERIFIED" });
    newcomer.cookies.set("lang", "pt");
    const inPortuguese = await postBallot(newcomer, knapsackId, [p.a!]);
    newcomer.cookies.delete("lang");
    assert.deepEqual(fieldReasons(inPortuguese.body), { projects: "BALLOT_NOT_VERIFIED" });
    assert.match(visibleText(inPortuguese.body), /Só os moradores verificados podem votar\./);
    assert.equal((await ballotRows(knapsackId, newcomerId)).length, 0);
    await assert.rejects(
      ctx.db.query("INSERT INTO budget_ballots (municipality_id, budget_id, user_id, project_ids, total) VALUES ($1, $2, $3, $4::uuid[], 1)", [rufisque, knapsackId, newcomerId, [p.c]]),
      /foreign key|violates/i,
    );
  });

  it("refuses a ballot one franc over the envelope, saying by how much, and keeps the boxes ticked", async () => {
    const form = await voter.get(page(knapsackId));
    assert.match(form.body, /<fieldset id="f-projects"/);
    assert.match(form.body, /<legend>Les projets que vous choisissez<\/legend>/);
    const over = await postBallot(voter, knapsackId, [p.a!, p.b!, p.c!]);
    assert.equal(over.statusCode, 400);
    const text = visibleText(over.body);
    assert.ok(text.includes(`Votre choix dépasse l'enveloppe de ${xof(1)} : il totalise ${xof(10_000_001)} pour une enveloppe de ${xof(10_000_000)}`), text);
    assert.deepEqual(fieldReasons(over.body), { projects: "BALLOT_OVER_BUDGET" });
    assert.match(over.body, new RegExp(`value="${p.c}" checked`));
    assert.equal((await ballotRows(knapsackId, voterId)).length, 0);

    const empty = await postBallot(voter, knapsackId, []);
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(fieldReasons(empty.body), { projects: "BALLOT_EMPTY" });
    const foreign = await postBallot(voter, knapsackId, ["00000000-0000-4000-8000-000000000000"]);
    assert.equal(foreign.statusCode, 400);
  });

  it("accepts a ballot within the envelope, then replaces it while voting is open: never two rows", async () => {
    const cast = await postBallot(voter, knapsackId, [p.a!, p.b!]);
    assert.equal(cast.statusCode, 303, visibleText(cast.body));
    const [first] = await ballotRows(knapsackId, voterId);
    assert.deepEqual([...first!.project_ids].sort(), [p.a, p.b].sort());
    assert.equal(first!.total, 10_000_000);
    const shown = visibleText((await voter.get(page(knapsackId))).body);
    assert.match(shown, inText(message("participation.budgets.flash.ballot_cast")));
    assert.match(shown, inText(message("participation.budgets.ballot.yours", { cast: "\u0000" }).split("\u0000")[0]!));
    assert.ok(shown.includes(`Total : ${xof(10_000_000)}`));

    const replaced = await postBallot(voter, knapsackId, [p.a!, p.c!]);
    assert.equal(replaced.statusCode, 303);
    const rows = await ballotRows(knapsackId, voterId);
    assert.equal(rows.length, 1);
    assert.deepEqual([...rows[0]!.project_ids].sort(), [p.a, p.c].sort());
    assert.equal(rows[0]!.total, 4_000_001);
    assert.equal(rows[0]!.cast_at.getTime(), first!.cast_at.getTime(), "the first cast time is kept");
    assert.match(visibleText((await voter.get(page(knapsackId))).body), inText(message("participation.budgets.flash.ballot_replaced")));
  });

  it("locks the projects and the rules once voting has opened, but lets a typo be fixed", async () => {
    const removal = await editor.post(`${admin(knapsackId)}/projects/${p.e}/delete`);
    assert.equal(removal.statusCode, 409);
    assert.equal(reasonOf(removal), "BUDGET_PROJECTS_LOCKED");
    const settings = await editor.get(admin(knapsackId));
    assert.match(visibleText(settings.body), inText(message("participation.budgets.admin.locked")));
    const [row] = await ctx.db.query<{ voting_opens_at: Date; voting_closes_at: Date }>("SELECT voting_opens_at, voting_closes_at FROM budgets WHERE id = $1", [knapsackId]);
    const opens = wallClock(row!.voting_opens_at, "Africa/Dakar");
    const closes = wallClock(row!.voting_closes_at, "Africa/Dakar");
    const fields = { title: "Budget participatif 2027 des quartiers", description: "Cinq projets.", kind: "knapsack", total_amount: "10000000", opens_date: opens.date, opens_time: opens.time, closes_date: closes.date, closes_time: closes.time };
    const richer = await editor.post(admin(knapsackId), { ...fields, total_amount: "20000000" });
    assert.equal(richer.statusCode, 400);
    assert.deepEqual(fieldReasons(richer.body), { total_amount: "BUDGET_LOCKED_AFTER_OPENING" });
    // The form carries minutes, the stored times have seconds (openVoting): still "unchanged".
    const typo = await editor.post(admin(knapsackId), fields);
    assert.equal(typo.statusCode, 303, visibleText(typo.body));
    const [kept] = await ctx.db.query<{ description: string; voting_opens_at: Date }>("SELECT description, voting_opens_at FROM budgets WHERE id = $1", [knapsackId]);
    assert.equal(kept!.description, "Cinq projets.");
    assert.equal(kept!.voting_opens_at.getTime(), row!.voting_opens_at.getTime(), "the window is left exactly as it was");
    await assert.rejects(ctx.db.query("UPDATE budgets SET total_amount = 1 WHERE id = $1", [knapsackId]), /budget_rules_locked/);
    await assert.rejects(ctx.db.query("DELETE FROM budget_projects WHERE id = $1", [p.d]), /budget_projects_locked/);
  });

  it("under approval rules, refuses one project more than allowed", async () => {
    const created = await createBudget({ title: "Choix des priorités", kind: "approval", max_projects: "2", min_projects: "1", total_amount: "20 000 000" });
    assert.equal(created.statusCode, 303, visibleText(created.body));
    approvalId = String(created.headers.location).split("/").pop()!;
    approvalProjects = [await addProject(approvalId, "Bancs publics", "3 000 000"), await addProject(approvalId, "Arbres d'ombrage", "3 000 000"), await addProject(approvalId, "Poubelles de tri", "3 000 000")];
    assert.equal((await editor.post(`${admin(approvalId)}/publish`)).statusCode, 303);
    await openVoting(approvalId);
    assert.match(visibleText((await voter.get(page(approvalId))).body), inText(message("participation.budgets.rule.approval", { max: 2 })));
    const three = await postBallot(voter, approvalId, approvalProjects);
    assert.equal(three.statusCode, 400);
    assert.deepEqual(fieldReasons(three.body), { projects: "BALLOT_TOO_MANY" });
    assert.match(visibleText(three.body), inText(message("participation.budgets.error.too_many", { count: 3, max: 2 })));
    assert.equal((await ballotRows(approvalId, voterId)).length, 0);
    const two = await postBallot(voter, approvalId, approvalProjects.slice(0, 2));
    assert.equal(two.statusCode, 303);
    assert.equal((await ballotRows(approvalId, voterId)).length, 1);
  });

  it("refuses results before closing; after closing refuses a change with a clear message and keeps the ballot as cast", async () => {
    for (const [index, ballot] of [[p.d!], [p.d!], [p.a!, p.b!]].entries()) await castBallot(ctx.db, rufisque, others[index]!, knapsackId, ballot);
    const early = await editor.post(`${admin(knapsackId)}/results`);
    assert.equal(early.statusCode, 409);
    assert.equal(reasonOf(early), "BUDGET_NOT_CLOSED_YET");

    await ctx.db.query("UPDATE budgets SET voting_closes_at = now() - interval '1 second' WHERE id = $1", [knapsackId]);
    const [before] = await ballotRows(knapsackId, voterId);
    const late = await postBallot(voter, knapsackId, [p.d!]);
    assert.equal(late.statusCode, 409);
    assert.deepEqual(fieldReasons(late.body), { projects: "BALLOT_CLOSED" });
    // The words themselves, once, so that the catalogue and the closing moment are known to reach the page.
    assert.match(visibleText(late.body), /Le vote est clos depuis le .+ : aucun bulletin ne peut plus être déposé ni modifié\. Un bulletin déjà enregistré est conservé tel quel\./);
    const [after_] = await ballotRows(knapsackId, voterId);
    assert.deepEqual(after_, before);
    assert.match(visibleText((await voter.get(page(knapsackId))).body), inText(message("participation.budgets.ballot.kept")));

    // The database keeps it too, whoever writes to it.
    await assert.rejects(ctx.db.query("UPDATE budget_ballots SET project_ids = $3::uuid[], total = 10000000 WHERE budget_id = $1 AND user_id = $2", [knapsackId, voterId, [p.d]]), /budget_ballot_locked/);
    await assert.rejects(ctx.db.query("DELETE FROM budget_ballots WHERE budget_id = $1 AND user_id = $2", [knapsackId, voterId]), /budget_ballot_locked/);
    // Closed comes before everything else, even for someone who could never have voted.
    const unverifiedLate = await postBallot(newcomer, knapsackId, [p.d!]);
    assert.equal(unverifiedLate.statusCode, 409);
    assert.deepEqual(fieldReasons(unverifiedLate.body), { projects: "BALLOT_CLOSED" });
    await verifyResident(newcomerId);
    await assert.rejects(
      ctx.db.query("INSERT INTO budget_ballots (municipality_id, budget_id, user_id, project_ids, total) VALUES ($1, $2, $3, $4::uuid[], 1)", [rufisque, knapsackId, newcomerId, [p.c]]),
      /budget_ballot_locked/,
    );
    assert.deepEqual((await ballotRows(knapsackId, voterId))[0], before);
  });

  it("counts greedily by votes, publishes the results once with the turnout, as a table, a chart and open data", async () => {
    assert.equal((await anonymous.get(`${page(knapsackId)}/results.csv`)).statusCode, 404, "no results before publication");
    const preview = await editor.get(admin(knapsackId));
    assert.match(visibleText(preview.body), inText(message("participation.budgets.admin.preview")));
    assert.doesNotMatch(visibleText((await anonymous.get(page(knapsackId))).body), /Résultats/);

    assert.equal((await editor.post(`${admin(knapsackId)}/results`)).statusCode, 303);
    const [row] = await ctx.db.query<{ results: { selected: string[]; spent: number; remaining: number; turnout: { ballots: number; eligible: number } }; eligible_voters: number }>(
      "SELECT results, eligible_voters FROM budgets WHERE id = $1",
      [knapsackId],
    );
    // A and D have two votes each, A is cheaper; D no longer fits, C does; B is one franc too dear.
    assert.deepEqual(row!.results.selected, [p.a, p.c]);
    assert.equal(row!.results.spent, 4_000_001);
    assert.equal(row!.results.remaining, 5_999_999);
    const [verified] = await ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM resident_verifications WHERE municipality_id = $1 AND verified_at <= (SELECT voting_closes_at FROM budgets WHERE id = $2)", [rufisque, knapsackId]);
    assert.equal(row!.eligible_voters, verified!.n, "residents verified before closing, not the newcomer verified after");
    assert.equal(row!.results.turnout.ballots, 4);

    const html = (await anonymous.get(page(knapsackId))).body;
    const shown = visibleText(html);
    const rate = plain(`${fr.number(Math.round((4 / verified!.n) * 1000) / 10)} %`);
    assert.ok(shown.includes(`4 bulletins pour ${verified!.n} habitants vérifiés : participation de ${rate}.`), shown);
    assert.ok(shown.includes(`2 projets retenus, pour ${xof(4_000_001)} sur une enveloppe de ${xof(10_000_000)} (reste ${xof(5_999_999)})`), shown);
    assert.match(shown, /1 Forage de Keury Kao .+ 2 Oui/);
    assert.match(shown, /Marché couvert .+ 2 Non/);
    assert.match(html, /<svg [^>]*role="img"/);
    assert.equal((html.match(/<rect [^>]*height="18"/g) ?? []).length, 5, "one bar per project");
    assert.equal((html.match(/<rect [^>]*height="18" fill="#0b4f8a"/g) ?? []).length, 2, "funded projects in the bar colour, the others grey");
    assert.match(html, /href="[^"]*\/results\.csv"/);

    const again = await editor.post(`${admin(knapsackId)}/results`);
    assert.equal(again.statusCode, 409);
    assert.equal(reasonOf(again), "BUDGET_RESULTS_ALREADY_PUBLISHED");
    await assert.rejects(ctx.db.query("UPDATE budgets SET results = '{}'::jsonb WHERE id = $1", [knapsackId]), /budget_results_locked/);

    const csv = await anonymous.get(`${page(knapsackId)}/results.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers["content-type"]), /^text\/csv/);
    const lines = csv.body.trim().split("\r\n");
    assert.equal(lines[0], "rank,project_id,title,location,cost,currency,votes,selected,budget_total,ballots,eligible_voters,turnout");
    assert.equal(lines.length, 6);
    assert.ok(lines[1]!.startsWith(`1,${p.a},Forage de Keury Kao,Keury Kao,4000000,XOF,2,true,10000000,4,${verified!.n},`), lines[1]);
    const hostile = lines.find((line) => line.includes(p.e!))!;
    assert.ok(hostile.includes(`"'=HYPERLINK(""http://x.example"") <script>alert(1)</script>"`), hostile);
    for (const id of [voterId, ...others]) assert.ok(!csv.body.includes(id), "no voter in the open data");
    assert.ok(!csv.body.includes("+22177"), "no phone number in the open data");
  });

  it("escapes what editors type in project titles", async () => {
    const html = (await anonymous.get(page(knapsackId))).body;
    assert.ok(!html.includes("<script>alert"));
    // Escaping "<" is enough for no tag to open; kitajs leaves ">" as it is.
    assert.equal((html.match(/&lt;script>alert\(1\)&lt;\/script>/g) ?? []).length, 2, "in the results table and the project list");
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;</text>"), "and in the chart, escaped by the chart helper");
  });

  it("keeps each budget to its municipality, its process and its editors", async () => {
    const created = await createBudget({ title: "Brouillon" });
    draftId = String(created.headers.location).split("/").pop()!;

    assert.equal((await citizen.get(`/rufisque/admin/participation/${processId}/budgets`)).statusCode, 403);
    assert.equal((await citizen.get(admin(knapsackId))).statusCode, 403);
    assert.equal((await citizen.post(`${admin(draftId)}/publish`)).statusCode, 403);
    assert.equal((await anonymous.get(admin(knapsackId))).statusCode, 303, "to the sign-in page");
    assert.equal((await anonymous.post(`${admin(draftId)}/publish`)).statusCode, 401);

    assert.equal((await labeEditor.get(admin(knapsackId))).statusCode, 403);
    assert.equal((await labeEditor.post(`${admin(draftId)}/projects`, { project_title: "Intrus", project_cost: "1" })).statusCode, 403);
    assert.equal((await labeEditor.get(admin(knapsackId, "labe"))).statusCode, 404);
    assert.equal((await labeEditor.post(`${admin(draftId, "labe")}/publish`)).statusCode, 404);
    assert.equal((await labeEditor.post(`${admin(knapsackId, "labe")}/results`)).statusCode, 404);
    assert.equal((await labeEditor.get(`/labe/admin/participation/${processId}/budgets`)).statusCode, 404);
    assert.equal((await ctx.db.query("SELECT 1 FROM budget_projects WHERE title = 'Intrus'")).length, 0);

    // A project is reached only through its own budget.
    assert.equal((await editor.post(`${admin(draftId)}/projects/${approvalProjects[0]}/delete`)).statusCode, 404);
    assert.equal((await ctx.db.query("SELECT 1 FROM budget_projects WHERE id = $1", [approvalProjects[0]])).length, 1);

    assert.equal((await anonymous.get(page(knapsackId, "autre-processus"))).statusCode, 404);
    assert.equal((await anonymous.get(page(knapsackId, PROCESS, "labe"))).statusCode, 404);
    assert.equal((await anonymous.get(page("not-a-uuid"))).statusCode, 404);
    assert.equal((await anonymous.get(page(draftId))).statusCode, 404);
    assert.equal((await editor.get(page(draftId))).statusCode, 200);
    assert.equal((await postBallot(voter, draftId, [])).statusCode, 404);
    assert.ok(otherProcessId);
  });

  it("the demo budget: published, open for thirty days, six costed projects in the municipality's currency, each page within its byte budget", async () => {
    const editorId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.editor]);
    seededId = await ctx.db.transaction((tx) => seedBudgets(tx, rufisque, processId, editorId));
    const [budget] = await ctx.db.query<{ status: string; kind: string; total_amount: number; voting_opens_at: Date; voting_closes_at: Date }>(
      "SELECT status, kind, total_amount, voting_opens_at, voting_closes_at FROM budgets WHERE id = $1",
      [seededId],
    );
    assert.equal(budget!.status, "published");
    assert.equal(budget!.kind, "knapsack");
    assert.equal(budget!.total_amount, 50_000_000);
    assert.ok(budget!.voting_opens_at.getTime() <= Date.now() && budget!.voting_closes_at.getTime() > Date.now() + 29 * DAY_MS);
    assert.equal((await ctx.db.query("SELECT 1 FROM budget_projects WHERE budget_id = $1", [seededId])).length, 6);

    const labeEditorId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.labe.editor]);
    const labeProcess = await idOf(ctx.db, "INSERT INTO processes (municipality_id, slug, title, status) VALUES ($1, 'budget-labe', 'Budget participatif', 'published') RETURNING id", [labe]);
    const labeBudget = await ctx.db.transaction((tx) => seedBudgets(tx, labe, labeProcess, labeEditorId));
    assert.ok(visibleText((await anonymous.get(page(labeBudget, "budget-labe", "labe"))).body).includes(plain(fr.money(750_000_000, "GNF"))));

    const pages: [string, Browser, string][] = [
      ["open budget, visitor", anonymous, page(seededId)],
      ["open budget, ballot form", voter, page(seededId)],
      ["published results", anonymous, page(knapsackId)],
    ];
    for (const [name, browser, url] of pages) {
      const response = await browser.get(url);
      assert.equal(response.statusCode, 200, name);
      const gzipped = gzipSync(response.body).length;
      assert.ok(gzipped <= 14 * 1024, `${name}: ${gzipped} bytes gzipped`);
    }
    assert.match((await voter.get(page(seededId))).body, /Deux forages équipés de pompes solaires/);
  });

  it("speaks the resident's language", async () => {
    const portuguese = new Browser(ctx.app, { "accept-language": "pt" });
    assert.match(visibleText((await portuguese.get(page(seededId))).body), /Entrar para votar/);
    const english = new Browser(ctx.app, { "accept-language": "en" });
    assert.match(visibleText((await english.get(page(knapsackId))).body), /Download the results/);
  });
});
