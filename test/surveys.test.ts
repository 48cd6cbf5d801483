import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import type { LightMyRequestResponse } from "fastify";
import { hashPassword } from "../src/core/auth/accounts.js";
import { formatters } from "../src/core/i18n/index.js";
import { wallClock } from "../src/core/tenancy/clock.js";
import { seedSurveys } from "../src/modules/participation/demo/surveys.js";
import { alertReason, fieldErrors, fieldReasons, fr, shown } from "./answers.js";
import { Browser, createTestApp, DEMO, DEMO_PASSWORD, idOf, visibleText, type TestContext } from "./helpers.js";

const DAY_MS = 86_400_000;
const PROCESS = "plan-action-local-2027";
const RESIDENTS = ["+221770000111", "+221770000112", "+221770000113"];
const SCRIPT = "<script>alert(1)</script>";
// The escaper writes "<" as an entity; without it no tag can open.
const ESCAPED = "&lt;script>alert(1)&lt;/script>";

const withSurveys = () => createTestApp();

/** Posts a form the way a browser sends it, a name repeated for each ticked checkbox. */
async function postForm(ctx: TestContext, browser: Browser, url: string, pairs: [string, string][]): Promise<LightMyRequestResponse> {
  await browser.ensureCsrfToken();
  const response = await ctx.app.inject({
    method: "POST",
    url,
    payload: new URLSearchParams([["_csrf", browser.cookies.get("csrf")!], ...pairs]).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", cookie: browser.cookieHeader() },
  });
  return response;
}

/** Whether a page holds a script tag that would run: quoted attribute values cannot open a tag. */
const runsScript = (html: string) => html.replace(/="[^"]*"/g, '=""').includes(SCRIPT);

/** The data: URI images on a page, decoded: the server-drawn charts. */
function charts(html: string): string[] {
  return [...html.matchAll(/src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"/g)].map((match) => Buffer.from(match[1]!, "base64").toString("utf8"));
}

describe("surveys: built in the back office, answered once by verified residents, published as open data", () => {
  let ctx: TestContext;
  let rufisque: string;
  let processId: string;
  let surveyId: string;
  let editor: Browser;
  let labeEditor: Browser;
  let citizen: Browser;
  let anonymous: Browser;
  const residents: Browser[] = [];
  const residentIds: string[] = [];

  const admin = (id: string, slug = "rufisque") => `/${slug}/admin/surveys/${id}`;
  const page = (id: string, slug = "rufisque") => `/${slug}/participation/${PROCESS}/surveys/${id}`;
  const localDay = (offsetDays: number) => wallClock(new Date(Date.now() + offsetDays * DAY_MS), "Africa/Dakar").date;
  const question = (fields: Record<string, string>) => editor.post(`${admin(surveyId)}/questions`, { required: "on", ...fields });
  const definition = async (id = surveyId) =>
    (await ctx.db.query<{ definition: { questions: { id: string; type: string; required: boolean; showIf?: { question: string; equals: string } }[] } }>("SELECT definition FROM surveys WHERE id = $1", [id]))[0]!.definition;

  /** A complete, valid response; each test changes what it is about. */
  const answers = (overrides: Record<string, string | string[] | undefined> = {}): [string, string][] => {
    const fields: Record<string, string | string[] | undefined> = {
      "q.votre_quartier": "centre",
      "q.par_quels_canaux": ["sms"],
      "q.confiance": "4",
      "q.foyer": "6",
      "q.derniere_visite": "12/03/2026",
      "q.commentaire": "",
      ...overrides,
    };
    return Object.entries(fields).flatMap(([name, value]) => (value === undefined ? [] : Array.isArray(value) ? value.map((item): [string, string] => [name, item]) : [[name, value] as [string, string]]));
  };

  before(async () => {
    ctx = await withSurveys();
    rufisque = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    processId = await idOf(ctx.db, "SELECT id FROM processes WHERE municipality_id = $1 AND slug = $2", [rufisque, PROCESS]);
    editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    labeEditor = new Browser(ctx.app);
    await labeEditor.signIn(DEMO.labe.editor);
    citizen = new Browser(ctx.app);
    await citizen.signIn(DEMO.rufisque.citizen);
    anonymous = new Browser(ctx.app);
    for (const phone of RESIDENTS) {
      const browser = new Browser(ctx.app);
      await browser.signIn(phone);
      residents.push(browser);
      residentIds.push(await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [phone]));
    }
  });
  after(() => ctx.close());

  it("an editor creates a survey, with its settings' mistakes explained", async () => {
    const list = await editor.get(`/rufisque/admin/participation/${processId}/surveys`);
    assert.equal(list.statusCode, 200);
    const base = { description: "Votre avis sur l'information municipale.", results_public: "on" };
    const backwards = await editor.post(`/rufisque/admin/participation/${processId}/surveys`, {
      ...base,
      title: "Enquête",
      opens_date: localDay(10),
      opens_time: "08:00",
      closes_date: localDay(2),
      closes_time: "18:00",
    });
    assert.equal(backwards.statusCode, 400);
    assert.deepEqual(fieldReasons(backwards.body), { closes_date: "SURVEY_CLOSES_BEFORE_OPENS" });
    const halfDate = await editor.post(`/rufisque/admin/participation/${processId}/surveys`, { ...base, title: "Enquête", closes_date: localDay(2) });
    assert.equal(halfDate.statusCode, 400);
    assert.equal(fieldErrors(halfDate.body).closes_date, "participation.surveys.error.moment");
    const untitled = await editor.post(`/rufisque/admin/participation/${processId}/surveys`, base);
    assert.equal(untitled.statusCode, 400);
    assert.deepEqual(fieldErrors(untitled.body), { title: "form.required" });

    const created = await editor.post(`/rufisque/admin/participation/${processId}/surveys`, { ...base, title: `Information municipale ${SCRIPT}`, closes_date: localDay(20), closes_time: "18:00" });
    assert.equal(created.statusCode, 303, visibleText(created.body));
    surveyId = String(created.headers.location).split("/").pop()!;
    const [row] = await ctx.db.query<{ status: string; closes_at: Date; results_public: boolean; publish_texts: boolean; process_id: string }>(
      "SELECT status, closes_at, results_public, publish_texts, process_id FROM surveys WHERE id = $1",
      [surveyId],
    );
    assert.deepEqual({ ...row, closes_at: row!.closes_at.toISOString() }, { status: "draft", closes_at: `${localDay(20)}T18:00:00.000Z`, results_public: true, publish_texts: false, process_id: processId });
    const edit = await editor.get(admin(surveyId));
    assert.equal(edit.statusCode, 200);
    assert.ok(edit.body.includes(ESCAPED) && !runsScript(edit.body), "the title is escaped");
  });

  it("a draft with no question cannot open, and is not public", async () => {
    const opened = await editor.post(`${admin(surveyId)}/open`);
    assert.equal(opened.statusCode, 409);
    assert.equal(alertReason(opened.body), "SURVEY_EMPTY");
    assert.equal((await anonymous.get(page(surveyId))).statusCode, 404);
    assert.equal((await editor.get(page(surveyId))).statusCode, 200, "its builders preview it");
  });

  it("the editor adds every type of question one at a time, each change checked as a whole survey", async () => {
    assert.equal((await question({ type: "single_choice", title: "Votre quartier", options: "Centre\nKeury Souf\nDiokoul" })).statusCode, 303);

    const noOptions = await question({ type: "single_choice", title: "Vide", options: "" });
    assert.equal(noOptions.statusCode, 400);
    assert.deepEqual(fieldErrors(noOptions.body), { options: "participation.survey.def.choice_no_options" });
    const twice = await question({ type: "multiple_choice", title: "Doublon", options: "Oui\nOui" });
    assert.equal(twice.statusCode, 400);
    assert.deepEqual(fieldErrors(twice.body), { options: "participation.survey.def.choice_duplicate_option" });
    assert.match(twice.body, /Oui\nOui<\/textarea>/, "what was typed comes back");
    const wide = await question({ type: "scale", title: "Trop large", scale_min: "1", scale_max: "20" });
    assert.equal(wide.statusCode, 400);
    assert.deepEqual(fieldErrors(wide.body), { scale_min: "participation.survey.def.scale_too_wide" });
    const untitled = await question({ type: "short_text", title: "" });
    assert.equal(untitled.statusCode, 400);

    assert.equal((await question({ type: "multiple_choice", title: "Par quels canaux ?", options: "Radio\nSMS\nWhatsApp", max_choices: "2" })).statusCode, 303);
    const unknownCondition = await question({ type: "short_text", title: "Quelle radio ?", show_if: "canaux=television" });
    assert.equal(unknownCondition.statusCode, 400);
    assert.deepEqual(fieldErrors(unknownCondition.body), { show_if: "form.invalid_choice" });
    const conditional = await question({ type: "short_text", title: "Quelle radio ?", show_if: "par_quels_canaux=radio" });
    assert.equal(conditional.statusCode, 303, visibleText(conditional.body).slice(0, 1500));
    assert.equal((await question({ type: "long_text", title: "Commentaire", required: "" })).statusCode, 303);
    assert.equal((await question({ type: "scale", title: "Confiance", description: `Soyez franc ${SCRIPT}`, scale_min: "1", scale_max: "5", min_label: "Aucune", max_label: "Totale" })).statusCode, 303);
    assert.equal((await question({ type: "date", title: "Dernière visite", required: "" })).statusCode, 303);
    assert.equal((await question({ type: "number", title: "Foyer", number_min: "1", number_max: "50", integer: "on" })).statusCode, 303);

    let def = await definition();
    assert.deepEqual(
      def.questions.map((q) => [q.id, q.type, q.required]),
      [
        ["votre_quartier", "single_choice", true],
        ["par_quels_canaux", "multiple_choice", true],
        ["quelle_radio", "short_text", true],
        ["commentaire", "long_text", false],
        ["confiance", "scale", true],
        ["derniere_visite", "date", false],
        ["foyer", "number", true],
      ],
    );
    assert.deepEqual(def.questions[2]!.showIf, { question: "par_quels_canaux", equals: "radio" });

    // A conditional question cannot move above the question it depends on, nor lose it.
    const above = await editor.post(`${admin(surveyId)}/questions/quelle_radio/move`, { direction: "up" });
    assert.equal(above.statusCode, 400);
    assert.deepEqual(fieldErrors(above.body), { "b-quelle_radio": "participation.survey.def.show_if_later" });
    const orphan = await editor.post(`${admin(surveyId)}/questions/par_quels_canaux/delete`);
    assert.equal(orphan.statusCode, 400);
    assert.deepEqual(fieldErrors(orphan.body), { "b-quelle_radio": "participation.surveys.error.depended_on" });
    assert.equal((await editor.post(`${admin(surveyId)}/questions/inconnue/delete`)).statusCode, 404);

    assert.equal((await editor.post(`${admin(surveyId)}/questions/derniere_visite/move`, { direction: "up" })).statusCode, 303);
    assert.equal((await question({ type: "short_text", title: "À retirer", required: "" })).statusCode, 303);
    assert.equal((await editor.post(`${admin(surveyId)}/questions/a_retirer/delete`)).statusCode, 303);
    def = await definition();
    assert.deepEqual(
      def.questions.map((q) => q.id),
      ["votre_quartier", "par_quels_canaux", "quelle_radio", "commentaire", "derniere_visite", "confiance", "foyer"],
    );
  });

  it("opens the survey, after which its questions are frozen", async () => {
    assert.equal((await editor.post(`${admin(surveyId)}/open`)).statusCode, 303);
    const locked = await question({ type: "short_text", title: "Trop tard" });
    assert.equal(locked.statusCode, 409);
    assert.equal(alertReason(locked.body), "SURVEY_QUESTIONS_LOCKED");
    const removal = await editor.post(`${admin(surveyId)}/questions/foyer/delete`);
    assert.equal(removal.statusCode, 409);
    assert.equal(alertReason(removal.body), "SURVEY_QUESTIONS_LOCKED");
    // The database holds the rule too.
    await assert.rejects(ctx.db.query("UPDATE surveys SET definition = '{\"questions\": []}' WHERE id = $1", [surveyId]), /survey_locked/);
    await assert.rejects(ctx.db.query("UPDATE surveys SET status = 'draft' WHERE id = $1", [surveyId]), /survey_locked/);
    const edit = await editor.get(admin(surveyId));
    assert.match(visibleText(edit.body), shown(fr("participation.surveys.builder.locked")));
  });

  it("a verified resident sees the questionnaire, with every question's input", async () => {
    const form = await residents[0]!.get(page(surveyId));
    assert.equal(form.statusCode, 200);
    for (const name of ["votre_quartier", "par_quels_canaux", "quelle_radio", "confiance", "derniere_visite", "foyer"]) assert.match(form.body, new RegExp(`name="q\\.${name}"`), name);
    assert.match(visibleText(form.body), shown(fr("form.answer_only_if", { value: "Radio", label: "Par quels canaux ?" })));
    assert.ok(form.body.includes(ESCAPED) && !runsScript(form.body));
  });

  it("a required question left empty comes back with the message and what was typed", async () => {
    const missing = await postForm(ctx, residents[0]!, `${page(surveyId)}/responses`, answers({ "q.votre_quartier": undefined, "q.commentaire": "Bonne initiative" }));
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(fieldErrors(missing.body), { "q.votre_quartier": "participation.survey.error.required" });
    assert.match(missing.body, /Bonne initiative<\/textarea>/);
    assert.equal((await ctx.db.query("SELECT 1 FROM survey_responses WHERE survey_id = $1", [surveyId])).length, 0);
  });

  it("a hidden conditional question is not required, and is not kept", async () => {
    const sent = await postForm(ctx, residents[0]!, `${page(surveyId)}/responses`, [
      ["q.votre_quartier", "centre"],
      ["q.par_quels_canaux", "sms"],
      ["q.par_quels_canaux", "whatsapp"],
      ["q.quelle_radio", "typed before changing my mind"],
      ["q.commentaire", `Merci ${SCRIPT}`],
      ["q.confiance", "4"],
      ["q.derniere_visite", "12/03/2026"],
      ["q.foyer", "6"],
    ]);
    assert.equal(sent.statusCode, 303, visibleText(sent.body).slice(0, 2000));
    const [row] = await ctx.db.query<{ answers: Record<string, unknown> }>("SELECT answers FROM survey_responses WHERE survey_id = $1 AND user_id = $2", [surveyId, residentIds[0]]);
    assert.deepEqual(row!.answers, {
      votre_quartier: "centre",
      par_quels_canaux: ["sms", "whatsapp"],
      commentaire: `Merci ${SCRIPT}`,
      derniere_visite: "2026-03-12",
      confiance: 4,
      foyer: 6,
    });
    const after = visibleText((await residents[0]!.get(page(surveyId))).body);
    const [response] = await ctx.db.query<{ submitted_at: Date }>("SELECT submitted_at FROM survey_responses WHERE survey_id = $1 AND user_id = $2", [surveyId, residentIds[0]]);
    assert.match(after, shown(fr("participation.surveys.answer.done", { date: formatters("fr").dateTime(response!.submitted_at, "Africa/Dakar") })));
  });

  it("a second answer is refused with a clear message, by the application and by the database", async () => {
    const again = await postForm(ctx, residents[0]!, `${page(surveyId)}/responses`, [
      ["q.votre_quartier", "diokoul"],
      ["q.par_quels_canaux", "sms"],
      ["q.confiance", "1"],
      ["q.foyer", "2"],
    ]);
    assert.equal(again.statusCode, 409);
    assert.equal(alertReason(again.body), "SURVEY_ALREADY_ANSWERED");
    // The words themselves, once, so that the catalogue and the moment are known to reach the page.
    assert.match(visibleText(again.body), /Vous avez déjà répondu à ce questionnaire le \d{1,2} \S+ \d{4} à \d{2}:\d{2}\. Une seule réponse par personne est acceptée : la première est conservée\./);
    await assert.rejects(
      ctx.db.query("INSERT INTO survey_responses (municipality_id, survey_id, user_id, answers) VALUES ($1, $2, $3, '{}')", [rufisque, surveyId, residentIds[0]]),
      /duplicate key|survey_responses_pkey/,
    );
    await assert.rejects(ctx.db.query("UPDATE survey_responses SET answers = '{}' WHERE survey_id = $1", [surveyId]), /survey_response_locked/);
    const [row] = await ctx.db.query<{ answers: Record<string, unknown> }>("SELECT answers FROM survey_responses WHERE survey_id = $1 AND user_id = $2", [surveyId, residentIds[0]]);
    assert.equal(row!.answers.votre_quartier, "centre", "the first answer is kept");
  });

  it("a conditional question shown by the answer it depends on is required", async () => {
    const base: [string, string][] = [
      ["q.votre_quartier", "keury_souf"],
      ["q.par_quels_canaux", "radio"],
      ["q.confiance", "2"],
      ["q.foyer", "4"],
    ];
    const missing = await postForm(ctx, residents[1]!, `${page(surveyId)}/responses`, base);
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(fieldErrors(missing.body), { "q.quelle_radio": "participation.survey.error.required" });
    const sent = await postForm(ctx, residents[1]!, `${page(surveyId)}/responses`, [...base, ["q.quelle_radio", `Radio ${SCRIPT}`]]);
    assert.equal(sent.statusCode, 303);
    const third = await postForm(ctx, residents[2]!, `${page(surveyId)}/responses`, [
      ["q.votre_quartier", "centre"],
      ["q.par_quels_canaux", "radio"],
      ["q.par_quels_canaux", "sms"],
      ["q.quelle_radio", "=HYPERLINK(\"http://x.example\")"],
      ["q.confiance", "4"],
      ["q.foyer", "3"],
    ]);
    assert.equal(third.statusCode, 303);
  });

  it("refuses anyone not verified in the municipality, in the application and in the database", async () => {
    const view = visibleText((await citizen.get(page(surveyId))).body);
    assert.match(view, shown(fr("participation.surveys.answer.verify_first", { municipality: "Rufisque" })));
    const refused = await postForm(ctx, citizen, `${page(surveyId)}/responses`, answers());
    assert.equal(refused.statusCode, 409);
    assert.equal(alertReason(refused.body), "SURVEY_RESPONDENT_NOT_VERIFIED");
    const portuguese = new Browser(ctx.app);
    await portuguese.signIn(DEMO.rufisque.citizen);
    portuguese.cookies.set("lang", "pt");
    const inPortuguese = await postForm(ctx, portuguese, `${page(surveyId)}/responses`, answers());
    assert.equal(alertReason(inPortuguese.body), "SURVEY_RESPONDENT_NOT_VERIFIED");
    assert.match(visibleText(inPortuguese.body), /Só os residentes verificados do município podem responder a este questionário\./);
    const citizenId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.citizen]);
    await assert.rejects(
      ctx.db.query("INSERT INTO survey_responses (municipality_id, survey_id, user_id, answers) VALUES ($1, $2, $3, '{}')", [rufisque, surveyId, citizenId]),
      /foreign key|resident_verifications/,
    );
    const stranger = await postForm(ctx, anonymous, `${page(surveyId)}/responses`, answers());
    assert.equal(stranger.statusCode, 401);
    assert.match(visibleText((await anonymous.get(page(surveyId))).body), shown(fr("participation.surveys.answer.sign_in")));
  });

  it("shows the results as tables and server-drawn charts, free text withheld until the municipality publishes it", async () => {
    const html = (await anonymous.get(page(surveyId))).body;
    const text = visibleText(html);
    assert.match(text, /3 personnes ont répondu au questionnaire/);
    // Votre quartier: Centre 2 (66,7 %), Keury Souf 1, Diokoul 0.
    assert.match(text, /Centre 2 66,7 %/);
    assert.match(text, /Keury Souf 1 33,3 %/);
    assert.match(text, /Diokoul 0 0 %/);
    // Canaux: several answers each: radio 2, SMS 2, WhatsApp 1.
    assert.match(text, /Radio 2 66,7 % SMS 2 66,7 % WhatsApp 1 33,3 %/);
    assert.match(text, /Moyenne 3,33/);
    const svgs = charts(html);
    assert.equal(svgs.length, 3, "one chart per choice question and the scale");
    assert.ok(svgs.every((svg) => svg.startsWith("<svg") && svg.includes("<rect")));
    assert.match(svgs[0]!, /Keury Souf/);
    assert.match(text, /Les réponses libres ne sont pas publiées/);
    assert.ok(!html.includes("Merci") && !runsScript(html), "free text stays out");

    const csv = await anonymous.get(`${page(surveyId)}/results.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers["content-type"]), /^text\/csv/);
    const lines = csv.body.split("\r\n");
    assert.equal(lines[0], "process,survey_id,survey_title,responses,question_id,question,question_type,answered,row_kind,value,label,count,share");
    assert.ok(lines.some((line) => line.endsWith(",votre_quartier,Votre quartier,single_choice,3,option,centre,Centre,2,0.6667")), csv.body);
    assert.ok(lines.some((line) => line.includes(",quelle_radio,Quelle radio ?,short_text,2,texts_withheld,,,2,")));
    for (const secret of ["Merci", "HYPERLINK", "Radio <script>", ...residentIds]) assert.ok(!csv.body.includes(secret), secret);

    const json = await anonymous.get(`/api/v1/rufisque/surveys/${surveyId}/results`, { accept: "application/json" });
    assert.equal(json.statusCode, 200);
    const data = JSON.parse(json.body) as { responses: number; questions: { id: string; answered: number; options?: { value: string; count: number }[]; texts_published?: boolean; answers?: string[] }[] };
    assert.equal(data.responses, 3);
    assert.deepEqual(data.questions.find((q) => q.id === "par_quels_canaux")!.options!.map((option) => [option.value, option.count]), [["radio", 2], ["sms", 2], ["whatsapp", 1]]);
    assert.deepEqual(data.questions.find((q) => q.id === "quelle_radio"), { id: "quelle_radio", title: "Quelle radio ?", type: "short_text", answered: 2, show_if: { question: "par_quels_canaux", equals: "radio" }, texts_published: false });
  });

  it("publishes free text once the editor chooses to, escaped on the page and guarded in the CSV", async () => {
    const saved = await editor.post(admin(surveyId), { title: `Information municipale ${SCRIPT}`, description: "Votre avis.", closes_date: localDay(20), closes_time: "18:00", results_public: "on", publish_texts: "on" });
    assert.equal(saved.statusCode, 303, visibleText(saved.body).slice(0, 1000));
    const html = (await anonymous.get(page(surveyId))).body;
    assert.ok(html.includes(`Merci ${ESCAPED}`));
    assert.ok(html.includes(`Radio ${ESCAPED}`));
    assert.ok(!runsScript(html));
    const csv = (await anonymous.get(`${page(surveyId)}/results.csv`)).body;
    assert.ok(csv.includes(`,text,Merci ${SCRIPT},,1,`), csv);
    assert.ok(csv.includes(`"'=HYPERLINK(""http://x.example"")"`), "a formula is not run by a spreadsheet");
    const json = JSON.parse((await anonymous.get(`/api/v1/rufisque/surveys/${surveyId}/results`, { accept: "application/json" })).body) as { questions: { id: string; answers?: string[] }[] };
    assert.deepEqual(json.questions.find((q) => q.id === "quelle_radio")!.answers!.sort(), ['=HYPERLINK("http://x.example")', `Radio ${SCRIPT}`].sort());
  });

  it("withholds every result while they are not public", async () => {
    assert.equal((await editor.post(admin(surveyId), { title: `Information municipale ${SCRIPT}`, closes_date: localDay(20), closes_time: "18:00" })).statusCode, 303);
    const view = visibleText((await anonymous.get(page(surveyId))).body);
    assert.doesNotMatch(view, /personnes ont répondu/);
    assert.equal((await anonymous.get(`${page(surveyId)}/results.csv`)).statusCode, 404);
    assert.equal((await anonymous.get(`/api/v1/rufisque/surveys/${surveyId}/results`, { accept: "application/json" })).statusCode, 404);
    // The back office still sees them, free text included.
    const edit = visibleText((await editor.get(admin(surveyId))).body);
    assert.match(edit, /3 personnes ont répondu au questionnaire/);
    assert.match(edit, /Merci <script>/);
    assert.equal((await editor.post(admin(surveyId), { title: `Information municipale ${SCRIPT}`, closes_date: localDay(20), closes_time: "18:00", results_public: "on" })).statusCode, 303);
  });

  it("gives every response, free text included, only to the municipality's editors", async () => {
    const csv = await editor.get(`${admin(surveyId)}/responses.csv`);
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.headers["cache-control"], "private, no-store");
    assert.match(csv.body, /^submitted_at,Votre quartier,Par quels canaux \?,Quelle radio \?,/);
    assert.ok(csv.body.includes(`Merci ${SCRIPT}`));
    assert.ok(csv.body.includes("SMS; WhatsApp"));
    for (const phone of RESIDENTS) assert.ok(!csv.body.includes(phone), "no contact details");
    assert.equal((await citizen.get(`${admin(surveyId)}/responses.csv`)).statusCode, 403);
    assert.equal((await residents[0]!.get(`${admin(surveyId)}/responses.csv`)).statusCode, 403);
    const stranger = await anonymous.get(`${admin(surveyId)}/responses.csv`);
    assert.equal(stranger.statusCode, 303);
    assert.match(String(stranger.headers.location), /^\/account\/signin/);
  });

  it("keeps Rufisque's survey out of reach of Labé's editor", async () => {
    assert.equal((await labeEditor.get(admin(surveyId))).statusCode, 403);
    assert.equal((await labeEditor.get(`${admin(surveyId)}/responses.csv`)).statusCode, 403);
    assert.equal((await labeEditor.post(`${admin(surveyId)}/close`)).statusCode, 403);
    assert.equal((await labeEditor.post(`${admin(surveyId)}/questions`, { type: "date", title: "Intrus" })).statusCode, 403);
    // In Labé's own back office the survey does not exist.
    for (const path of ["", "/responses.csv"]) assert.equal((await labeEditor.get(`${admin(surveyId, "labe")}${path}`)).statusCode, 404, path);
    for (const path of ["/close", "/open", "/questions/foyer/delete", "/questions/foyer/move"]) assert.equal((await labeEditor.post(`${admin(surveyId, "labe")}${path}`, { direction: "up" })).statusCode, 404, path);
    assert.equal((await labeEditor.post(admin(surveyId, "labe"), { title: "Détourné" })).statusCode, 404);
    // Labé has a process of the same name: the survey is still not found there.
    assert.equal((await anonymous.get(page(surveyId, "labe"))).statusCode, 404);
    assert.equal((await anonymous.get(`${page(surveyId, "labe")}/results.csv`)).statusCode, 404);
    assert.equal((await anonymous.get(`/api/v1/labe/surveys/${surveyId}/results`, { accept: "application/json" })).statusCode, 404);
    const labeProcess = await idOf(ctx.db, "SELECT p.id FROM processes p JOIN municipalities m ON m.id = p.municipality_id WHERE m.slug = 'labe' AND p.slug = $1", [PROCESS]);
    assert.equal((await editor.get(`/rufisque/admin/participation/${labeProcess}/surveys`)).statusCode, 404);
    const [row] = await ctx.db.query<{ status: string; title: string }>("SELECT status, title FROM surveys WHERE id = $1", [surveyId]);
    assert.deepEqual(row, { status: "open", title: `Information municipale ${SCRIPT}` });
  });

  it("refuses answers once the survey is closed, in the application and in the database", async () => {
    const newcomerId = await idOf(ctx.db, "INSERT INTO users (name, phone, password_hash, locale, confirmed_at) VALUES ('Fatou Ndiaye', '+221770009301', $1, 'fr', now()) RETURNING id", [await hashPassword(DEMO_PASSWORD)]);
    await ctx.db.query("INSERT INTO municipal_roles (municipality_id, user_id, role) VALUES ($1, $2, 'citizen')", [rufisque, newcomerId]);
    await ctx.db.query("INSERT INTO resident_verifications (municipality_id, user_id, method) VALUES ($1, $2, 'sms_code')", [rufisque, newcomerId]);
    const newcomer = new Browser(ctx.app);
    await newcomer.signIn("+221770009301");

    assert.equal((await editor.post(`${admin(surveyId)}/close`)).statusCode, 303);
    assert.match(visibleText((await newcomer.get(page(surveyId))).body), shown(fr("participation.surveys.notice.closed")));
    const late = await postForm(ctx, newcomer, `${page(surveyId)}/responses`, [
      ["q.votre_quartier", "centre"],
      ["q.par_quels_canaux", "sms"],
      ["q.confiance", "5"],
      ["q.foyer", "1"],
    ]);
    assert.equal(late.statusCode, 409);
    assert.equal(alertReason(late.body), "SURVEY_CLOSED");
    await assert.rejects(
      ctx.db.query("INSERT INTO survey_responses (municipality_id, survey_id, user_id, answers) VALUES ($1, $2, $3, '{}')", [rufisque, surveyId, newcomerId]),
      /survey_response_locked/,
    );
    // A closing date that has passed closes it too, whatever its status says.
    assert.equal((await editor.post(`${admin(surveyId)}/open`)).statusCode, 303);
    await ctx.db.query("UPDATE surveys SET closes_at = now() - interval '1 minute', opens_at = now() - interval '2 days' WHERE id = $1", [surveyId]);
    const expired = await postForm(ctx, newcomer, `${page(surveyId)}/responses`, [["q.votre_quartier", "centre"]]);
    assert.equal(expired.statusCode, 409);
    assert.equal(alertReason(expired.body), "SURVEY_CLOSED");
    const reopen = await editor.post(`${admin(surveyId)}/close`);
    assert.equal(reopen.statusCode, 303);
    const stale = await editor.post(`${admin(surveyId)}/open`);
    assert.equal(stale.statusCode, 409);
    assert.equal(alertReason(stale.body), "SURVEY_CLOSES_IN_PAST");
    assert.equal((await ctx.db.query("SELECT 1 FROM survey_responses WHERE survey_id = $1", [surveyId])).length, 3);
  });
});

describe("surveys: the demo survey", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await withSurveys();
  });
  after(() => ctx.close());

  it("is open in Rufisque's action plan, answered by its residents, with public results that fit a slow link", async () => {
    const rufisque = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    const processId = await idOf(ctx.db, "SELECT id FROM processes WHERE municipality_id = $1 AND slug = $2", [rufisque, PROCESS]);
    const editorId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.editor]);
    const respondents = await Promise.all(RESIDENTS.map((phone) => idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [phone])));
    await ctx.db.transaction((tx) => seedSurveys(tx, rufisque, processId, editorId, respondents));
    const surveyId = await idOf(ctx.db, "SELECT id FROM surveys WHERE municipality_id = $1 AND title = $2", [rufisque, "Vos priorités pour le plan d'action local"]);

    const visitor = new Browser(ctx.app, { "accept-language": "fr" });
    const response = await visitor.get(`/rufisque/participation/${PROCESS}/surveys/${surveyId}`);
    assert.equal(response.statusCode, 200);
    const text = visibleText(response.body);
    assert.match(text, /3 personnes ont répondu au questionnaire/);
    assert.match(text, /Le crieur public/);
    assert.equal(charts(response.body).length, 4);
    const gzipped = gzipSync(response.body).length;
    assert.ok(gzipped <= 14 * 1024, `${gzipped} bytes gzipped`);

    // A resident who answered sees so; the form is for those who have not.
    const resident = new Browser(ctx.app);
    await resident.signIn(RESIDENTS[0]!);
    const own = await resident.get(`/rufisque/participation/${PROCESS}/surveys/${surveyId}`);
    assert.match(visibleText(own.body), shown(fr("participation.surveys.answer.done", { date: "\u0000" }).split("\u0000")[0]!));
    assert.ok(gzipSync(own.body).length <= 14 * 1024);
    const data = JSON.parse((await visitor.get(`/api/v1/rufisque/surveys/${surveyId}/results`, { accept: "application/json" })).body) as { questions: { id: string; answered: number }[] };
    assert.equal(data.questions.find((q) => q.id === "radio")!.answered, 2, "asked only of those who listen to the radio");
  });

  it("the questionnaire itself fits a slow link for a resident about to answer", async () => {
    const rufisque = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    const surveyId = await idOf(ctx.db, "SELECT id FROM surveys WHERE municipality_id = $1", [rufisque]);
    const hash = await hashPassword(DEMO_PASSWORD);
    const id = await idOf(ctx.db, "INSERT INTO users (name, phone, password_hash, locale, confirmed_at) VALUES ('Ousmane Faye', '+221770009302', $1, 'fr', now()) RETURNING id", [hash]);
    await ctx.db.query("INSERT INTO resident_verifications (municipality_id, user_id, method) VALUES ($1, $2, 'sms_code')", [rufisque, id]);
    const resident = new Browser(ctx.app);
    await resident.signIn("+221770009302");
    const form = await resident.get(`/rufisque/participation/${PROCESS}/surveys/${surveyId}`);
    assert.match(form.body, /name="q\.canaux"/);
    const gzipped = gzipSync(form.body).length;
    assert.ok(gzipped <= 14 * 1024, `${gzipped} bytes gzipped`);
  });
});
