import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { findMunicipalityBySlug, type Municipality } from "../src/core/tenancy/index.js";
import type { FormDefinition } from "../src/modules/eservices/form-definition.js";
import type { ProcedureRow } from "../src/modules/eservices/store.js";
import { fieldErrors, fieldReasons, fr, reasonOf, shown } from "./answers.js";
import { createDossier, createProcedure, createResident, createStaff, type Person } from "./factories.js";
import { Browser, createTestApp, DEMO, visibleText, type TestContext } from "./helpers.js";

/** A form with a file, so that deleting a draft is seen to release what was attached to it. */
const WITH_FILE: FormDefinition = {
  sections: [
    {
      id: "demande",
      title: "Demande",
      fields: [
        { id: "motif", label: "Motif de la demande", type: "text", required: true, maxLength: 200 },
        { id: "piece", label: "Pièce jointe", type: "file", required: false, accept: ["pdf"], maxBytes: 1024 * 1024 },
      ],
    },
  ],
};

const dossierIdOf = (location: unknown) => String(location).split("/").pop()!.split(/[?#]/)[0]!;

describe("e-services: a resident's drafts are resumed, listed and deleted", () => {
  let ctx: TestContext;
  let rufisque: Municipality;
  let procedure: ProcedureRow;
  let resident: Person;
  let browser: Browser;

  before(async () => {
    ctx = await createTestApp();
    rufisque = (await findMunicipalityBySlug(ctx.db, "rufisque"))!;
    const administrator = await createStaff(ctx.db, rufisque, "administrator");
    procedure = await createProcedure(ctx.db, rufisque, administrator, { form: WITH_FILE });
    resident = await createResident(ctx.db, rufisque);
    browser = new Browser(ctx.app);
    await browser.signIn(resident.phone);
  });
  after(() => ctx.close());

  const start = () => browser.post(`/rufisque/services/${procedure.slug}/start`);
  const draftsOf = async (person: Person) =>
    (await ctx.db.query<{ id: string }>("SELECT id FROM dossiers WHERE applicant_id = $1 AND procedure_id = $2 AND state = 'draft'", [person.id, procedure.id])).map((row) => row.id);

  it("gives the same draft when the resident presses “Commencer” twice, and says it was resumed", async () => {
    const first = await start();
    assert.equal(first.statusCode, 303);
    const second = await start();
    assert.equal(second.statusCode, 303);
    assert.equal(dossierIdOf(second.headers.location), dossierIdOf(first.headers.location));
    assert.deepEqual(await draftsOf(resident), [dossierIdOf(first.headers.location)]);
    const page = await browser.get(String(second.headers.location));
    assert.match(visibleText(page.body), shown(fr("eservices.flash.draft_resumed")));
  });

  it("resumes the most recent one when several old drafts exist already", async () => {
    const other = await createResident(ctx.db, rufisque);
    const older = await createDossier(ctx.db, ctx.config, rufisque, procedure, other);
    const newer = await createDossier(ctx.db, ctx.config, rufisque, procedure, other);
    await ctx.db.query("UPDATE dossiers SET updated_at = now() - interval '3 days' WHERE id = $1", [older.id]);
    await ctx.db.query("UPDATE dossiers SET updated_at = now() - interval '1 day' WHERE id = $1", [newer.id]);
    const otherBrowser = new Browser(ctx.app);
    await otherBrowser.signIn(other.phone);
    const started = await otherBrowser.post(`/rufisque/services/${procedure.slug}/start`);
    assert.equal(dossierIdOf(started.headers.location), newer.id);
    assert.equal((await draftsOf(other)).length, 2, "no third draft was made");
  });

  it("lists drafts with a way to continue and a way to delete", async () => {
    const [draftId] = await draftsOf(resident);
    const list = await browser.get("/rufisque/dossiers");
    assert.match(list.body, new RegExp(`href="/rufisque/dossiers/${draftId}"[^>]*>\\s*${fr("eservices.mine.continue")}`));
    assert.match(list.body, new RegExp(`href="/rufisque/dossiers/${draftId}/delete"[^>]*>\\s*${fr("eservices.mine.delete")}`));
  });

  it("deletes the resident's own draft after asking, with the file attached to it", async () => {
    const [draftId] = await draftsOf(resident);
    const pdf = Buffer.from(`%PDF-1.4\n% brouillon ${draftId}\n%%EOF\n`);
    const saved = await browser.postMultipart(`/rufisque/dossiers/${draftId}`, { "f.motif": "Inscription" }, { field: "f.piece", filename: "piece.pdf", data: pdf, type: "application/pdf" });
    assert.equal(saved.statusCode, 303);
    const [file] = await ctx.db.query<{ id: string; sha256: string }>(
      "SELECT f.id, f.sha256 FROM stored_files f JOIN dossiers d ON d.municipality_id = f.municipality_id AND d.answers->'piece'->>'fileId' = f.id::text WHERE d.id = $1",
      [draftId],
    );
    assert.ok(file, "the draft holds its file");
    const blob = path.join(ctx.config.filesDir, file.sha256.slice(0, 2), file.sha256);
    assert.ok(fs.existsSync(blob));

    const asked = await browser.get(`/rufisque/dossiers/${draftId}/delete`);
    assert.equal(asked.statusCode, 200);
    assert.match(visibleText(asked.body), shown(fr("eservices.delete.consequence")));
    // A post without the confirmation asks again and deletes nothing.
    const unconfirmed = await browser.post(`/rufisque/dossiers/${draftId}/delete`);
    assert.equal(unconfirmed.statusCode, 200);
    assert.equal((await draftsOf(resident)).length, 1);

    const deleted = await browser.post(`/rufisque/dossiers/${draftId}/delete`, { confirm: "yes" });
    assert.equal(deleted.statusCode, 303);
    assert.equal(deleted.headers.location, "/rufisque/dossiers");
    assert.deepEqual(await draftsOf(resident), []);
    assert.equal((await ctx.db.query("SELECT 1 FROM stored_files WHERE id = $1", [file.id])).length, 0);
    assert.equal(fs.existsSync(blob), false, "the file's bytes are gone with its last row");
    const [audit] = await ctx.db.query<{ actor_id: string }>("SELECT actor_id FROM audit_log WHERE action = 'eservices.dossier.delete_draft' AND subject_id = $1", [draftId]);
    assert.equal(audit?.actor_id, resident.id);
    assert.equal((await browser.get(`/rufisque/dossiers/${draftId}`)).statusCode, 404);
  });

  it("refuses to delete another resident's draft (it does not exist for them) and a submitted dossier", async () => {
    const owner = await createResident(ctx.db, rufisque);
    const theirs = await createDossier(ctx.db, ctx.config, rufisque, procedure, owner);
    assert.equal((await browser.get(`/rufisque/dossiers/${theirs.id}/delete`)).statusCode, 404);
    assert.equal((await browser.post(`/rufisque/dossiers/${theirs.id}/delete`, { confirm: "yes" })).statusCode, 404);
    assert.deepEqual(await draftsOf(owner), [theirs.id]);

    const submitted = await createDossier(ctx.db, ctx.config, rufisque, procedure, resident, { submitted: true });
    const refused = await browser.post(`/rufisque/dossiers/${submitted.id}/delete`, { confirm: "yes" });
    assert.equal(refused.statusCode, 409);
    assert.equal(reasonOf(refused), "DOSSIER_NOT_DRAFT");
    assert.match(visibleText(refused.body), shown(fr("eservices.dossier.error.not_draft")));
    assert.equal((await ctx.db.query<{ state: string }>("SELECT state FROM dossiers WHERE id = $1", [submitted.id]))[0]!.state, "submitted");
  });
});

describe("e-services: agents search, sort and hand dossiers to a colleague", () => {
  let ctx: TestContext;
  let rufisque: Municipality;
  let procedure: ProcedureRow;
  let agent: Browser;
  const references: Record<string, string> = {};
  const ids: Record<string, string> = {};

  before(async () => {
    ctx = await createTestApp();
    rufisque = (await findMunicipalityBySlug(ctx.db, "rufisque"))!;
    const administrator = await createStaff(ctx.db, rufisque, "administrator");
    procedure = await createProcedure(ctx.db, rufisque, administrator);
    for (const name of ["Ndèye Fatou Sarr", "Mamadou Ndiaye", "Awa Diop"]) {
      const dossier = await createDossier(ctx.db, ctx.config, rufisque, procedure, await createResident(ctx.db, rufisque, { name }));
      const submitted = await createDossier(ctx.db, ctx.config, rufisque, procedure, await createResident(ctx.db, rufisque, { name: `${name} bis` }), { submitted: true });
      // The first of each pair stays a draft: the list never shows drafts, even when searched.
      ids[`${name} (draft)`] = dossier.id;
      ids[name] = submitted.id;
      references[name] = submitted.reference!;
    }
    agent = new Browser(ctx.app);
    await agent.signIn(DEMO.rufisque.agent);
  });
  after(() => ctx.close());

  const list = (query: string) => agent.get(`/rufisque/admin/dossiers?procedure=${procedure.slug}&state=all&${query}`);
  const shownReferences = (html: string) => [...html.matchAll(/>\s*(RUF-\d{4}-\d{5})\s*</g)].map((match) => match[1]!);

  it("finds a dossier by the applicant's name without accents or capitals (“ndeye” finds “Ndèye”)", async () => {
    for (const q of ["ndeye", "NDÈYE", "fatou sarr"]) {
      const page = await list(`q=${encodeURIComponent(q)}`);
      assert.equal(page.statusCode, 200);
      assert.deepEqual(shownReferences(page.body), [references["Ndèye Fatou Sarr"]], q);
    }
    const none = await list("q=zzzz");
    assert.deepEqual(shownReferences(none.body), []);
    assert.match(visibleText(none.body), shown(fr("eservices.queue.empty")));
  });

  it("finds a dossier by its exact reference, in any case, and several by the reference's beginning", async () => {
    const reference = references["Awa Diop"]!;
    assert.deepEqual(shownReferences((await list(`q=${encodeURIComponent(reference.toLowerCase())}`)).body), [reference]);
    const prefix = reference.slice(0, 9); // RUF-2026-
    assert.equal(shownReferences((await list(`q=${prefix}`)).body).length, 3);
    // A wildcard typed in the box is a character, not "anything".
    assert.deepEqual(shownReferences((await list("q=RUF%25")).body), []);
  });

  it("sorts by reference, submission date, state and deadline, both ways, keeping the search and filters", async () => {
    const sorted = Object.values(references).sort();
    assert.deepEqual(shownReferences((await list("sort=reference")).body), sorted);
    assert.deepEqual(shownReferences((await list("sort=reference&dir=desc")).body), [...sorted].reverse());
    assert.deepEqual(shownReferences((await list("sort=submitted&dir=asc")).body), sorted, "numbered in the order they were submitted");
    for (const sort of ["state", "due"]) assert.equal(shownReferences((await list(`sort=${sort}&dir=desc`)).body).length, 3, sort);
    const page = await list("q=ndeye&sort=due&dir=desc");
    assert.match(page.body, /name="q"[^>]*value="ndeye"|value="ndeye"[^>]*name="q"/);
    assert.match(page.body, /<option value="due" selected/);
    assert.match(page.body, /<option value="desc" selected/);
    assert.match(page.body, new RegExp(`<option value="${procedure.slug}" selected`));
    // An order nobody offers falls back to the usual one rather than failing.
    assert.equal((await list("sort=applicant_phone&dir=sideways")).statusCode, 200);
  });

  it("hands a dossier to a colleague who is an agent, records it and tells the colleague", async () => {
    const colleague = await createStaff(ctx.db, rufisque, "agent", { name: "Ibrahima Fall" });
    const dossierId = ids["Mamadou Ndiaye"]!;
    const page = await agent.get(`/rufisque/admin/dossiers/${dossierId}`);
    assert.match(page.body, new RegExp(`<option value="${colleague.id}"[^>]*>Ibrahima Fall`));
    const done = await agent.post(`/rufisque/admin/dossiers/${dossierId}/reassign`, { assignee: colleague.id });
    assert.equal(done.statusCode, 303);
    assert.equal((await ctx.db.query<{ instructor_id: string }>("SELECT instructor_id FROM dossiers WHERE id = $1", [dossierId]))[0]!.instructor_id, colleague.id);
    const told = ctx.notifier.sent.filter((message) => message.recipient === colleague.phone);
    assert.equal(told.length, 1);
    const by = (await ctx.db.query<{ name: string }>("SELECT name FROM users WHERE phone = $1", [DEMO.rufisque.agent]))[0]!.name;
    assert.equal(
      told[0]!.body,
      fr("eservices.notify.reassigned", { municipality: "Rufisque", by, reference: references["Mamadou Ndiaye"]!, procedure: procedure.title, url: `http://localhost:3000/rufisque/admin/dossiers/${dossierId}` }),
    );
    assert.equal((await ctx.db.query("SELECT 1 FROM audit_log WHERE action = 'eservices.dossier.reassign' AND subject_id = $1", [dossierId])).length, 1);
    const after = await agent.get(`/rufisque/admin/dossiers/${dossierId}`);
    assert.match(visibleText(after.body), shown(fr("eservices.history.reassigned", { name: "Ibrahima Fall" })));
    // The colleague finds it among their own dossiers.
    const theirs = new Browser(ctx.app);
    await theirs.signIn(colleague.phone);
    assert.deepEqual(shownReferences((await theirs.get(`/rufisque/admin/dossiers?procedure=${procedure.slug}&state=all&mine=1`)).body), [references["Mamadou Ndiaye"]]);
  });

  it("refuses to hand a dossier to anyone who is not an agent of the municipality, with the reason on the form", async () => {
    const editor = await createStaff(ctx.db, rufisque, "editor");
    const labeAgent = (await ctx.db.query<{ id: string }>("SELECT id FROM users WHERE phone = $1", [DEMO.labe.agent]))[0]!.id;
    const resident = await createResident(ctx.db, rufisque);
    const dossierId = ids["Awa Diop"]!;
    for (const assignee of [editor.id, labeAgent, resident.id, "not-an-id"]) {
      const refused = await agent.post(`/rufisque/admin/dossiers/${dossierId}/reassign`, { assignee });
      assert.equal(refused.statusCode, 409, assignee);
      assert.deepEqual(fieldReasons(refused.body), { assignee: "REASSIGN_NOT_AGENT" });
      assert.match(visibleText(refused.body), shown(fr("eservices.reassign.error.not_agent")));
    }
    assert.deepEqual(fieldErrors((await agent.post(`/rufisque/admin/dossiers/${dossierId}/reassign`, { assignee: "" })).body), { assignee: "form.required" });
    assert.equal((await ctx.db.query<{ instructor_id: string | null }>("SELECT instructor_id FROM dossiers WHERE id = $1", [dossierId]))[0]!.instructor_id, null);
    // A resident may not hand anything over.
    const residentBrowser = new Browser(ctx.app);
    await residentBrowser.signIn(resident.phone);
    assert.equal((await residentBrowser.post(`/rufisque/admin/dossiers/${dossierId}/reassign`, { assignee: editor.id })).statusCode, 403);
  });
});

describe("e-services: the message thread between the resident and the agents", () => {
  let ctx: TestContext;
  let rufisque: Municipality;
  let resident: Person;
  let colleague: Person;
  let residentBrowser: Browser;
  let agent: Browser;
  let dossierId: string;
  let reference: string;
  let procedure: ProcedureRow;

  before(async () => {
    ctx = await createTestApp();
    rufisque = (await findMunicipalityBySlug(ctx.db, "rufisque"))!;
    const administrator = await createStaff(ctx.db, rufisque, "administrator");
    procedure = await createProcedure(ctx.db, rufisque, administrator);
    resident = await createResident(ctx.db, rufisque, { name: "Ndèye Sarr" });
    colleague = await createStaff(ctx.db, rufisque, "agent", { name: "Ibrahima Fall" });
    const dossier = await createDossier(ctx.db, ctx.config, rufisque, procedure, resident, { submitted: true });
    dossierId = dossier.id;
    reference = dossier.reference!;
    residentBrowser = new Browser(ctx.app);
    await residentBrowser.signIn(resident.phone);
    agent = new Browser(ctx.app);
    await agent.signIn(DEMO.rufisque.agent);
    // Instructed by the colleague, who is the one to hear of the resident's messages.
    assert.equal((await agent.post(`/rufisque/admin/dossiers/${dossierId}/reassign`, { assignee: colleague.id })).statusCode, 303);
  });
  after(() => ctx.close());

  it("the resident writes from their dossier page; the instructor is told and reads it in the back office", async () => {
    const sent = await residentBrowser.post(`/rufisque/dossiers/${dossierId}/messages`, { thread_message: "Bonjour, faut-il apporter l'original de l'acte ?" });
    assert.equal(sent.statusCode, 303);
    const [notified] = await ctx.db.query<{ recipient: string; body: string }>("SELECT recipient, body FROM notifications WHERE recipient = $1 AND body LIKE $2", [colleague.phone, `%${reference}%a écrit%`]);
    assert.ok(notified, "the instructor's notice is in the outbox");
    assert.equal(notified.body, fr("eservices.notify.message_to_staff", { municipality: "Rufisque", reference, procedure: procedure.title, url: `http://localhost:3000/rufisque/admin/dossiers/${dossierId}#messages` }));
    const backOffice = visibleText((await agent.get(`/rufisque/admin/dossiers/${dossierId}`)).body);
    assert.match(backOffice, /faut-il apporter l'original de l'acte \?/);
    assert.match(backOffice, shown(fr("eservices.messages.from_applicant_named", { name: "Ndèye Sarr" })));
    const own = visibleText((await residentBrowser.get(`/rufisque/dossiers/${dossierId}`)).body);
    assert.match(own, /faut-il apporter l'original/);
  });

  it("the agent answers from the back office; the resident is told by SMS and reads the answer on their page", async () => {
    const answer = "Oui, apportez l'original au guichet <b>lundi</b>.";
    assert.equal((await agent.post(`/rufisque/admin/dossiers/${dossierId}/messages`, { thread_message: answer })).statusCode, 303);
    const [sms] = await ctx.db.query<{ channel: string; body: string }>("SELECT channel, body FROM notifications WHERE recipient = $1 AND body LIKE '%lundi%'", [resident.phone]);
    assert.equal(sms?.channel, "sms");
    assert.equal(sms.body, fr("eservices.notify.message_to_applicant", { municipality: "Rufisque", reference, message: answer, url: `http://localhost:3000/rufisque/dossiers/${dossierId}#messages` }));
    const page = await residentBrowser.get(`/rufisque/dossiers/${dossierId}`);
    assert.match(page.body, /&lt;b>lundi&lt;\/b>|&lt;b&gt;lundi&lt;\/b&gt;/, "what was typed is shown as text");
    const text = visibleText(page.body);
    assert.match(text, shown(fr("eservices.messages.from_municipality", { municipality: "Rufisque" })));
    assert.ok(text.indexOf("faut-il apporter") < text.indexOf("apportez l'original"), "oldest first");
    const [row] = await ctx.db.query<{ author_role: string }>("SELECT author_role FROM dossier_messages WHERE dossier_id = $1 AND body = $2", [dossierId, answer]);
    assert.equal(row?.author_role, "agent");
  });

  it("refuses an empty or too long message with the reason, keeping the page", async () => {
    const empty = await residentBrowser.post(`/rufisque/dossiers/${dossierId}/messages`, { thread_message: "   " });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(fieldErrors(empty.body), { thread_message: "form.required" });
    const long = await agent.post(`/rufisque/admin/dossiers/${dossierId}/messages`, { thread_message: "a".repeat(2001) });
    assert.equal(long.statusCode, 400);
    assert.deepEqual(fieldErrors(long.body), { thread_message: "form.too_long" });
    assert.equal((await ctx.db.query("SELECT 1 FROM dossier_messages WHERE dossier_id = $1", [dossierId])).length, 2);
  });

  it("keeps the thread from another resident and from another municipality's agent (404), and from a draft", async () => {
    const stranger = new Browser(ctx.app);
    await stranger.signIn((await createResident(ctx.db, rufisque)).phone);
    const labe = new Browser(ctx.app);
    await labe.signIn(DEMO.labe.agent);
    for (const [browser, url] of [
      [stranger, `/rufisque/dossiers/${dossierId}`],
      [labe, `/rufisque/dossiers/${dossierId}`],
      // Under their own municipality's address, Labé's agent reaches no dossier of Rufisque.
      [labe, `/labe/admin/dossiers/${dossierId}`],
    ] as const) {
      const page = await browser.get(url);
      assert.equal(page.statusCode, 404, url);
      assert.doesNotMatch(page.body, /apporter l'original/);
    }
    // At Rufisque's address, Labé's agent holds no role: refused before any dossier is looked up.
    assert.equal((await labe.get(`/rufisque/admin/dossiers/${dossierId}`)).statusCode, 403);
    assert.equal((await stranger.post(`/rufisque/dossiers/${dossierId}/messages`, { thread_message: "Je m'immisce" })).statusCode, 404);
    assert.equal((await labe.post(`/labe/admin/dossiers/${dossierId}/messages`, { thread_message: "Je m'immisce" })).statusCode, 404);
    assert.equal((await labe.post(`/rufisque/admin/dossiers/${dossierId}/messages`, { thread_message: "Je m'immisce" })).statusCode, 403);
    assert.equal((await ctx.db.query("SELECT 1 FROM dossier_messages WHERE body LIKE '%immisce%'")).length, 0);

    // A draft has no thread yet: the municipality does not see it.
    const draft = await createDossier(ctx.db, ctx.config, rufisque, procedure, resident);
    const early = await residentBrowser.post(`/rufisque/dossiers/${draft.id}/messages`, { thread_message: "Bonjour" });
    assert.equal(early.statusCode, 409);
    assert.equal(reasonOf(early), "MESSAGE_BEFORE_SUBMISSION");
  });

  it("gives the resident their messages in the export of their data", async () => {
    const exported = JSON.parse((await residentBrowser.get("/rufisque/dossiers/mine.json")).body) as { dossiers: { reference: string; messages: { from: string; text: string }[] }[] };
    const mine = exported.dossiers.find((dossier) => dossier.reference === reference)!;
    assert.deepEqual(
      mine.messages.map((message) => message.from),
      ["applicant", "agent"],
    );
  });
});
