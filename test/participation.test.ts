import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { announceOpenedPhases } from "../src/modules/participation/index.js";
import { currentPhase, processTiming } from "../src/modules/participation/service.js";
import { fieldErrors, fieldReasons, fr, reasonOf, shown } from "./answers.js";
import { Browser, createTestApp, DEMO, idOf, RecordingAdapter, visibleText, type TestContext } from "./helpers.js";

const PROCESS = "/rufisque/participation/plan-action-local-2027";
const RESIDENT = "+221770000111";
const OTHER_RESIDENT = "+221770000112";

describe("participation: phases decide what a process is", () => {
  const phase = (starts_on: string, ends_on: string) => ({ starts_on, ends_on });
  it("is upcoming before its first phase, open while one runs or between two, closed after the last", () => {
    const phases = [phase("2026-03-01", "2026-03-31"), phase("2026-05-01", "2026-05-31")];
    assert.equal(processTiming(phases, "2026-02-28"), "upcoming");
    assert.equal(processTiming(phases, "2026-03-01"), "open");
    assert.equal(processTiming(phases, "2026-04-15"), "open");
    assert.equal(currentPhase(phases, "2026-04-15"), undefined);
    assert.equal(processTiming(phases, "2026-05-31"), "open");
    assert.equal(processTiming(phases, "2026-06-01"), "closed");
    assert.equal(processTiming([], "2026-06-01"), "upcoming");
  });
});

describe("participation: proposals, supports, comments, answers and moderation", () => {
  let ctx: TestContext;
  let notifier: RecordingAdapter;
  let citizen: Browser;
  let resident: Browser;
  let other: Browser;
  let editor: Browser;
  let rufisque: string;
  let proposalId: string;

  before(async () => {
    notifier = new RecordingAdapter();
    ctx = await createTestApp({ notifier });
    rufisque = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    citizen = new Browser(ctx.app);
    await citizen.signIn(DEMO.rufisque.citizen);
    resident = new Browser(ctx.app);
    await resident.signIn(RESIDENT);
    other = new Browser(ctx.app);
    await other.signIn(OTHER_RESIDENT);
    editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
  });
  after(() => ctx.close());

  it("lists the live process of the demo, its phases and its proposals, most supported first", async () => {
    const list = visibleText((await new Browser(ctx.app).get("/rufisque/participation")).body);
    assert.match(list, shown(fr("participation.process.timing.open")));
    assert.match(list, /Plan d'action local de gouvernement ouvert 2027/);
    const page = visibleText((await new Browser(ctx.app).get(PROCESS)).body);
    assert.match(page, /Propositions et soutiens.*en cours/);
    const titles = [...page.matchAll(/(Publier chaque trimestre|Un cadre de concertation|Afficher les tarifs)/g)].map((match) => match[1]);
    assert.deepEqual(titles, ["Publier chaque trimestre", "Un cadre de concertation", "Afficher les tarifs"]);
  });

  it("refuses a proposal from a resident not yet verified, with the way to get verified", async () => {
    const refused = await citizen.postMultipart(`${PROCESS}/proposals`, { title: "Éclairer le marché", body: "Des lampadaires solaires." });
    assert.equal(refused.statusCode, 409);
    assert.equal(reasonOf(refused), "RESIDENT_NOT_VERIFIED");
    // The words themselves, once, so that the catalogue is known to reach the page.
    assert.match(visibleText(refused.body), /Seuls les habitants vérifiés peuvent faire cela/);
    const portuguese = new Browser(ctx.app);
    await portuguese.signIn(DEMO.rufisque.agent);
    // The language chosen on the page, over the account's French, without changing the account.
    portuguese.cookies.set("lang", "pt");
    const inPortuguese = await portuguese.postMultipart(`${PROCESS}/proposals`, { title: "Um poço", body: "No bairro." });
    assert.equal(reasonOf(inPortuguese), "RESIDENT_NOT_VERIFIED");
    assert.match(visibleText(inPortuguese.body), /Só os moradores verificados podem fazer isto\./);
  });

  it("verifies a resident by a code sent by SMS: wrong codes count, the right one works once", async () => {
    assert.equal((await citizen.post("/rufisque/participation/verify/code")).statusCode, 200);
    const sms = notifier.sent.filter((message) => message.recipient === DEMO.rufisque.citizen).at(-1)!;
    const code = /est (\d{6})/.exec(sms.body)![1]!;
    const wrong = code === "000000" ? "111111" : "000000";
    const refused = await citizen.post("/rufisque/participation/verify", { code: wrong });
    assert.equal(refused.statusCode, 400);
    assert.equal(fieldErrors(refused.body).code, "participation.verify.error.wrong_code");
    assert.equal((await citizen.post("/rufisque/participation/verify", { code })).statusCode, 303);
    assert.match(visibleText((await citizen.get("/rufisque/participation/verify")).body), shown(fr("participation.verify.done", { date: "\u0000" }).split("\u0000")[0]!));
    assert.equal((await citizen.post("/rufisque/participation/verify", { code })).statusCode, 400);
  });

  it("keeps a photo only with a proposal the rules accept, and serves it as the image it is", async () => {
    const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
    const files = async () => (await ctx.db.query("SELECT id FROM stored_files")).length;
    const before = await files();
    const unverified = new Browser(ctx.app);
    await unverified.signIn(DEMO.rufisque.agent);
    const refused = await unverified.postMultipart(`${PROCESS}/proposals`, { title: "Un puits", body: "Au quartier Nord." }, { field: "photo", filename: "puits.png", data: png });
    assert.equal(refused.statusCode, 409);
    assert.equal(await files(), before);
    const created = await other.postMultipart(`${PROCESS}/proposals`, { title: "Un puits au quartier Nord", body: "L'eau manque." }, { field: "photo", filename: "puits.png", data: png });
    assert.equal(created.statusCode, 303);
    const photo = await new Browser(ctx.app).get(`${created.headers.location}/photo`);
    assert.equal(photo.headers["content-type"], "image/png");
  });

  it("a verified resident proposes; markup is shown as text; a file that is not an image is refused", async () => {
    const notImage = await resident.postMultipart(`${PROCESS}/proposals`, { title: "Photo piégée", body: "…" }, { field: "photo", filename: "photo.jpg", data: Buffer.from("<svg onload=alert(1)>") });
    assert.equal(notImage.statusCode, 400);
    assert.equal(fieldErrors(notImage.body).photo, "participation.proposal.error.photo_type");
    const created = await resident.postMultipart(`${PROCESS}/proposals`, { title: "Éclairer le <b>marché</b> central", body: "<script>alert(1)</script> Des lampadaires solaires.", category: "Services publics", location: "Marché central" });
    assert.equal(created.statusCode, 303);
    proposalId = String(created.headers.location).split("/").pop()!;
    const page = await new Browser(ctx.app).get(`${PROCESS}/proposals/${proposalId}`);
    const main = page.body.slice(page.body.indexOf("<main"));
    assert.doesNotMatch(main, /<script>alert/);
    assert.match(main, /Éclairer le &lt;b>marché&lt;\/b> central/);
  });

  it("takes one support per verified resident, withdrawable, and the database refuses a second or an unverified one", async () => {
    const url = `${PROCESS}/proposals/${proposalId}`;
    assert.equal((await other.post(`${url}/support`)).statusCode, 303);
    const twice = await other.post(`${url}/support`);
    assert.equal(twice.statusCode, 409);
    assert.equal(reasonOf(twice), "PROPOSAL_ALREADY_SUPPORTED");
    assert.equal((await ctx.db.query<{ supports_count: number }>("SELECT supports_count FROM proposals WHERE id = $1", [proposalId]))[0]!.supports_count, 1);
    const otherId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [OTHER_RESIDENT]);
    await assert.rejects(ctx.db.query("INSERT INTO proposal_supports (municipality_id, proposal_id, user_id) VALUES ($1, $2, $3)", [rufisque, proposalId, otherId]));
    const unverified = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.agent]);
    await assert.rejects(ctx.db.query("INSERT INTO proposal_supports (municipality_id, proposal_id, user_id) VALUES ($1, $2, $3)", [rufisque, proposalId, unverified]));
    assert.equal((await other.post(`${url}/unsupport`)).statusCode, 303);
    assert.equal((await other.post(`${url}/support`)).statusCode, 303);
    assert.equal((await ctx.db.query<{ supports_count: number }>("SELECT supports_count FROM proposals WHERE id = $1", [proposalId]))[0]!.supports_count, 1);
  });

  it("threads comments and tells the author of a comment that someone replied", async () => {
    const url = `${PROCESS}/proposals/${proposalId}`;
    assert.equal((await resident.post(`${url}/comments`, { body: "Qui entretiendra les lampadaires ?" })).statusCode, 303);
    const parent = await idOf(ctx.db, "SELECT id FROM proposal_comments WHERE body = 'Qui entretiendra les lampadaires ?'", []);
    const before = notifier.sent.length;
    assert.equal((await other.post(`${url}/comments`, { parent_id: parent, [`body-${parent}`]: "Le comité de gestion du marché." })).statusCode, 303);
    const reply = notifier.sent.slice(before).find((message) => message.recipient === RESIDENT);
    const [row] = await ctx.db.query<{ id: string; parent_id: string }>("SELECT id, parent_id FROM proposal_comments WHERE body = 'Le comité de gestion du marché.'");
    assert.equal(reply!.body, fr("participation.notify.reply", { municipality: "Rufisque", title: "Éclairer le <b>marché</b> central", url: `http://localhost:3000${url}#c-${row!.id}` }));
    assert.equal(row!.parent_id, parent);
    assert.equal((await other.post(`${url}/comments`, { body: "" })).statusCode, 400);
  });

  it("the municipality answers officially; the author is told, in their language, and the answer is public", async () => {
    const before = notifier.sent.length;
    const missing = await editor.post(`/rufisque/admin/proposals/${proposalId}/answer`, { status: "accepted", answer: "" });
    assert.equal(missing.statusCode, 400);
    assert.equal((await editor.post(`/rufisque/admin/proposals/${proposalId}/answer`, { status: "accepted", answer: "Retenue : 20 lampadaires au budget 2027." })).statusCode, 303);
    const told = notifier.sent.slice(before).find((message) => message.recipient === RESIDENT);
    assert.equal(
      told!.body,
      fr("participation.notify.answered", { municipality: "Rufisque", title: "Éclairer le <b>marché</b> central", status: fr("participation.proposal.status.accepted"), url: `http://localhost:3000${PROCESS}/proposals/${proposalId}` }),
    );
    const page = visibleText((await new Browser(ctx.app).get(`${PROCESS}/proposals/${proposalId}`)).body);
    assert.match(page, /Réponse de la mairie Retenue : 20 lampadaires/);
    const withdrawal = await resident.post(`${PROCESS}/proposals/${proposalId}/withdraw`);
    assert.equal(withdrawal.statusCode, 409);
    assert.equal(reasonOf(withdrawal), "PROPOSAL_ALREADY_ANSWERED");
  });

  it("answers follow the proposal's transitions: no answer once the author withdrew it, no decision turned over at once", async () => {
    const overturned = await editor.post(`/rufisque/admin/proposals/${proposalId}/answer`, { status: "rejected", answer: "Finalement non." });
    assert.equal(overturned.statusCode, 409);
    assert.equal(reasonOf(overturned), "PROPOSAL_ANSWER_NOT_ALLOWED");
    assert.equal((await ctx.db.query<{ status: string }>("SELECT status FROM proposals WHERE id = $1", [proposalId]))[0]!.status, "accepted");

    const created = await resident.postMultipart(`${PROCESS}/proposals`, { title: "Un abri au marché", body: "Pour les vendeuses, à l'ombre." });
    assert.equal(created.statusCode, 303);
    const withdrawnId = String(created.headers.location).split("/").pop()!;
    assert.equal((await resident.post(`${PROCESS}/proposals/${withdrawnId}/withdraw`)).statusCode, 303);
    const answered = await editor.post(`/rufisque/admin/proposals/${withdrawnId}/answer`, { status: "accepted", answer: "Retenue." });
    assert.equal(answered.statusCode, 409);
    assert.equal(reasonOf(answered), "PROPOSAL_WITHDRAWN_BY_AUTHOR");
    const [row] = await ctx.db.query<{ status: string; answer: string }>("SELECT status, answer FROM proposals WHERE id = $1", [withdrawnId]);
    assert.deepEqual(row, { status: "withdrawn", answer: "" });
  });

  it("finds proposals by words in French with accents ignored, filters by status, and shuffles the same way for the same seed", async () => {
    const found = visibleText((await new Browser(ctx.app).get(`${PROCESS}?q=march%C3%A9s+eclairer`)).body);
    assert.match(found, /Éclairer le <b>marché<\/b> central/);
    const accepted = visibleText((await new Browser(ctx.app).get(`${PROCESS}?status=accepted`)).body);
    assert.match(accepted, /2 propositions/);
    const order = async (seed: number) => [...(await new Browser(ctx.app).get(`${PROCESS}?sort=random&seed=${seed}`)).body.matchAll(/proposals\/([0-9a-f-]{36})"/g)].map((match) => match[1]).join();
    assert.equal(await order(42), await order(42));
    const orders = new Set(await Promise.all([1, 2, 3, 4, 5, 6].map(order)));
    assert.ok(orders.size > 1, "different seeds shuffle differently");
  });

  it("anyone signed in flags; a moderator hides with a reason: gone from public pages, kept in the audit trail, the author told", async () => {
    const url = `${PROCESS}/proposals/${proposalId}`;
    assert.equal((await citizen.post(`${url}/flag`, { subject_type: "proposal", subject_id: proposalId, [`reason-${proposalId}`]: "off_topic" })).statusCode, 303);
    const flaggedTwice = await citizen.post(`${url}/flag`, { subject_type: "proposal", subject_id: proposalId, [`reason-${proposalId}`]: "spam" });
    assert.equal(flaggedTwice.statusCode, 409);
    assert.equal(reasonOf(flaggedTwice), "CONTENT_ALREADY_FLAGGED");
    const queue = visibleText((await editor.get("/rufisque/admin/moderation")).body);
    assert.match(queue, /1 signalement : off_topic/);
    assert.equal((await citizen.get("/rufisque/admin/moderation")).statusCode, 403);
    const before = notifier.sent.length;
    assert.equal((await editor.post(`/rufisque/admin/moderation/proposal/${proposalId}/hide`, { reason: "Doublon d'une proposition existante" })).statusCode, 303);
    assert.equal((await new Browser(ctx.app).get(url)).statusCode, 404);
    assert.doesNotMatch((await new Browser(ctx.app).get(PROCESS)).body, /lampadaires/);
    assert.doesNotMatch((await new Browser(ctx.app).get(`${PROCESS}/proposals.csv`)).body, /lampadaires/);
    assert.equal((await editor.get(url)).statusCode, 200);
    const [audit] = await ctx.db.query<{ data: { reason: string; content: { body: string } } }>("SELECT data FROM audit_log WHERE action = 'participation.proposal.hide' AND subject_id = $1", [proposalId]);
    assert.match(audit!.data.content.body, /lampadaires solaires/);
    assert.equal(
      notifier.sent.slice(before).find((message) => message.recipient === RESIDENT)!.body,
      fr("participation.notify.hidden", { municipality: "Rufisque", excerpt: "Éclairer le <b>marché</b> central", reason: "Doublon d'une proposition existante" }),
    );
  });

  it("an agent verifies a resident who showed a document, and records who did", async () => {
    const agent = new Browser(ctx.app);
    await agent.signIn(DEMO.rufisque.agent);
    const unchecked = await agent.post("/rufisque/admin/residents", { phone: "77 000 01 02" });
    assert.equal(unchecked.statusCode, 400);
    assert.equal(fieldErrors(unchecked.body).document_seen, "participation.residents.error.document");
    assert.equal((await agent.post("/rufisque/admin/residents", { phone: "77 000 01 02", document_seen: "on" })).statusCode, 303);
    const [row] = await ctx.db.query<{ method: string; verifier: string }>(
      "SELECT v.method, u.phone AS verifier FROM resident_verifications v JOIN users u ON u.id = v.verified_by JOIN users p ON p.id = v.user_id WHERE p.phone = $1",
      [DEMO.rufisque.editor],
    );
    assert.deepEqual(row, { method: "document", verifier: DEMO.rufisque.agent });
  });

  it("closes supports when the phase ends, with a clear message, and tells followers when the next phase opens", async () => {
    const processId = await idOf(ctx.db, "SELECT id FROM processes WHERE municipality_id = $1 AND slug = 'plan-action-local-2027'", [rufisque]);
    await ctx.db.query("UPDATE process_phases SET ends_on = current_date - 1 WHERE process_id = $1 AND title = 'Propositions et soutiens'", [processId]);
    await ctx.db.query("UPDATE process_phases SET starts_on = current_date - 0 WHERE process_id = $1 AND title = 'Arbitrage et adoption'", [processId]);
    const someProposal = await idOf(ctx.db, "SELECT id FROM proposals WHERE process_id = $1 AND hidden_at IS NULL AND status <> 'rejected' ORDER BY created_at LIMIT 1", [processId]);
    const closed = await citizen.post(`${PROCESS}/proposals/${someProposal}/support`);
    assert.equal(closed.statusCode, 409);
    assert.equal(reasonOf(closed), "SUPPORTS_CLOSED");
    const followersTold = await announceOpenedPhases(ctx.db, notifier, "https://example.org");
    assert.ok(followersTold >= 3);
    assert.match(notifier.sent.at(-1)!.body, /«\u202fArbitrage et adoption\u202f» commence/);
    assert.equal(await announceOpenedPhases(ctx.db, notifier, "https://example.org"), 0);
  });

  it("publishes proposals as open data (CSV and JSON) and keeps another municipality's staff out", async () => {
    const csv = (await new Browser(ctx.app).get(`${PROCESS}/proposals.csv`)).body;
    assert.match(csv.split("\r\n")[0]!, /^id,title,body,category,location,status,answer,supports,comments,created_at$/);
    const api = JSON.parse((await new Browser(ctx.app).get("/api/v1/rufisque/processes/plan-action-local-2027/proposals")).body) as { proposals: { supports: number }[] };
    assert.ok(api.proposals.length >= 3);
    const labe = new Browser(ctx.app);
    await labe.signIn(DEMO.labe.editor);
    const processId = await idOf(ctx.db, "SELECT id FROM processes WHERE municipality_id = $1 AND slug = 'plan-action-local-2027'", [rufisque]);
    assert.equal((await labe.get(`/rufisque/admin/participation/${processId}`)).statusCode, 403);
    assert.equal((await labe.get(`/labe/admin/participation/${processId}`)).statusCode, 404);
    assert.equal((await labe.post(`/labe/admin/proposals/${proposalId}/answer`, { status: "rejected", answer: "Non" })).statusCode, 404);
  });
});

describe("participation: asking for verification codes", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp();
  });
  after(() => ctx.close());

  it("limits codes per account, so that neighbours sharing one connection are not blocked", async () => {
    const first = new Browser(ctx.app);
    await first.signIn(DEMO.rufisque.citizen);
    for (let i = 0; i < 5; i++) assert.equal((await first.post("/rufisque/participation/verify/code")).statusCode, 200);
    assert.equal((await first.post("/rufisque/participation/verify/code")).statusCode, 429);
    const neighbour = new Browser(ctx.app);
    await neighbour.signIn(DEMO.rufisque.agent);
    assert.equal((await neighbour.post("/rufisque/participation/verify/code")).statusCode, 200);
  });
});

describe("participation: an editor opens a process with its phases", () => {
  let ctx: TestContext;
  let editor: Browser;

  before(async () => {
    ctx = await createTestApp();
    editor = new Browser(ctx.app);
    await editor.signIn(DEMO.labe.editor);
  });
  after(() => ctx.close());

  it("creates, refuses to publish without phases, adds phases with checked dates, publishes", async () => {
    const created = await editor.post("/labe/admin/participation", { title: "Budget participatif des jeunes", slug: "budget-jeunes", scope: "Jeunes de 15 à 35 ans", categories: "Sport\nCulture" });
    assert.equal(created.statusCode, 303);
    const id = String(created.headers.location).split("/").pop()!;
    const reserved = await editor.post("/labe/admin/participation", { title: "Vérif", slug: "verify" });
    assert.equal(reserved.statusCode, 400);
    assert.deepEqual(fieldReasons(reserved.body), { slug: "PROCESS_SLUG_TAKEN" });
    const taken = await editor.post("/labe/admin/participation", { title: "Encore", slug: "budget-jeunes" });
    assert.equal(taken.statusCode, 400);
    assert.deepEqual(fieldReasons(taken.body), { slug: "PROCESS_SLUG_TAKEN" });
    const early = await editor.post(`/labe/admin/participation/${id}/publish`);
    assert.equal(early.statusCode, 409);
    assert.equal(reasonOf(early), "PROCESS_WITHOUT_PHASE");
    const reversed = await editor.post(`/labe/admin/participation/${id}/phases`, { phase_title: "Propositions", starts_on: "2027-02-01", ends_on: "2027-01-01" });
    assert.equal(reversed.statusCode, 400);
    assert.equal(fieldErrors(reversed.body).ends_on, "participation.admin.phase.error.order");
    assert.equal((await editor.post(`/labe/admin/participation/${id}/phases`, { phase_title: "Propositions", starts_on: "2027-01-01", ends_on: "2027-02-01", proposals_open: "on" })).statusCode, 303);
    assert.equal((await editor.post(`/labe/admin/participation/${id}/publish`)).statusCode, 303);
    const list = visibleText((await new Browser(ctx.app).get("/labe/participation")).body);
    assert.match(list, /À venir Budget participatif des jeunes/);
  });
});
