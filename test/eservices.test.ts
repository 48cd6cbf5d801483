import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { PDFDocument } from "pdf-lib";
import { readToken, verifyToken } from "../src/modules/eservices/certificates.js";
import { formatters } from "../src/core/i18n/index.js";
import { ESERVICES_REASONS } from "../src/modules/eservices/reasons.js";
import { availableActions, DOSSIER_ACTIONS, eraseExpiredDossiers, transitionRefusal, TRANSITIONS, type ActorKind } from "../src/modules/eservices/service.js";
import type { DossierState } from "../src/modules/eservices/store.js";
import { fieldErrors, fieldReasons, fr, reasonOf, shown } from "./answers.js";
import { Browser, createTestApp, DEMO, idOf, visibleText, type TestContext } from "./helpers.js";

const STATES: DossierState[] = ["draft", "submitted", "under_instruction", "accepted", "refused", "closed_without_follow_up"];
const KINDS: ActorKind[] = ["applicant", "instructor", "administrator"];

/** The table of transitions, written out by hand: the service's table must say exactly this. */
const EXPECTED: Record<string, DossierState> = {
  "submit draft applicant": "submitted",
  "take submitted instructor": "under_instruction",
  "take submitted administrator": "under_instruction",
  "request_correction under_instruction instructor": "submitted",
  "request_correction under_instruction administrator": "submitted",
  "accept under_instruction instructor": "accepted",
  "accept under_instruction administrator": "accepted",
  "refuse under_instruction instructor": "refused",
  "refuse under_instruction administrator": "refused",
  "close under_instruction instructor": "closed_without_follow_up",
  "close under_instruction administrator": "closed_without_follow_up",
  "reopen refused administrator": "under_instruction",
  "reopen closed_without_follow_up administrator": "under_instruction",
};

describe("e-services: the dossier's state machine", () => {
  it("allows exactly the listed transitions, for every action × state × actor", () => {
    for (const action of DOSSIER_ACTIONS) {
      for (const state of STATES) {
        for (const kind of KINDS) {
          const expected = EXPECTED[`${action} ${state} ${kind}`];
          const refusal = transitionRefusal(action, state, [kind], "un motif");
          const named = refusal === null || refusal === "FORBIDDEN" ? refusal : refusal.code;
          assert.equal(refusal === null, expected !== undefined, `${action} from ${state} by ${kind}: ${named}`);
          if (expected) assert.equal(TRANSITIONS[action].to, expected);
          else assert.ok(named === "FORBIDDEN" || named === "DOSSIER_WRONG_STATE", `${action} from ${state} by ${kind}: ${named}`);
        }
      }
    }
  });

  it("asks for a message where the citizen must be told why", () => {
    for (const action of ["request_correction", "refuse", "close"] as const) {
      assert.equal(transitionRefusal(action, "under_instruction", ["instructor"], "  "), ESERVICES_REASONS.DOSSIER_MESSAGE_REQUIRED);
    }
    assert.equal(transitionRefusal("accept", "under_instruction", ["instructor"], ""), null);
  });

  it("offers each person only the buttons they may press", () => {
    assert.deepEqual(availableActions("under_instruction", ["instructor"]), ["request_correction", "accept", "refuse", "close"]);
    assert.deepEqual(availableActions("refused", ["instructor"]), []);
    assert.deepEqual(availableActions("refused", ["administrator"]), ["reopen"]);
    assert.deepEqual(availableActions("accepted", ["instructor", "administrator"]), []);
    assert.deepEqual(availableActions("draft", ["instructor"]), []);
  });
});

describe("e-services: a citizen's dossier from the web to a verifiable certificate", () => {
  let ctx: TestContext;
  let citizen: Browser;
  let agent: Browser;
  let administrator: Browser;
  let dossierId: string;
  let reference: string;
  const RESIDENCE = "/rufisque/services/certificat-residence";
  const PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

  /** The answers of the demo certificate of residence, as the form names them. */
  const answers = (overrides: Record<string, string> = {}) => ({
    "f.nom": "Ndiaye",
    "f.prenoms": "Awa <script>alert(1)</script>",
    "f.date_naissance": "14/06/1990",
    "f.lieu_naissance": "Rufisque",
    "f.nin": "1 751 1990 01234",
    "f.adresse.line": "",
    "f.adresse.quarter": "Keury Souf",
    "f.adresse.town": "Rufisque",
    "f.depuis": "01/03/2018",
    "f.occupation": "locataire",
    "f.chef_quartier_nom": "Moussa Diop",
    ...overrides,
  });

  before(async () => {
    ctx = await createTestApp();
    citizen = new Browser(ctx.app);
    await citizen.signIn(DEMO.rufisque.citizen);
    agent = new Browser(ctx.app);
    await agent.signIn(DEMO.rufisque.agent);
    administrator = new Browser(ctx.app);
    await administrator.signIn(DEMO.rufisque.administrator);
  });
  after(() => ctx.close());

  it("lists the open procedures with their fee and legal time, and asks a visitor to sign in to start", async () => {
    const anonymous = new Browser(ctx.app);
    const list = visibleText((await anonymous.get("/rufisque/services")).body);
    assert.match(list, /Extrait d'acte de naissance/);
    assert.match(list, /Certificat de résidence/);
    assert.match(list, /Délai légal : 2 jours/);
    const page = await anonymous.get(RESIDENCE);
    assert.match(visibleText(page.body), shown(fr("eservices.procedure.documents")));
    assert.match(visibleText(page.body), shown(fr("eservices.procedure.signin_to_start")));
    assert.equal((await anonymous.post(`${RESIDENCE}/start`)).statusCode, 401);
  });

  it("keeps a draft with what was typed, refuses to submit it incomplete, then gives it a reference and tells the citizen", async () => {
    const started = await citizen.post(`${RESIDENCE}/start`);
    assert.equal(started.statusCode, 303);
    dossierId = String(started.headers.location).split("/").pop()!;
    const form = await citizen.get(`/rufisque/dossiers/${dossierId}`);
    assert.match(form.body, /name="f\.nom"/);
    assert.match(form.body, /enctype="multipart\/form-data"/);

    const saved = await citizen.postMultipart(`/rufisque/dossiers/${dossierId}`, { "f.nom": "Ndiaye" });
    assert.equal(saved.statusCode, 303);
    assert.match((await citizen.get(`/rufisque/dossiers/${dossierId}`)).body, /value="Ndiaye"/);

    const incomplete = await citizen.postMultipart(`/rufisque/dossiers/${dossierId}/submit`, { "f.nom": "Ndiaye" });
    assert.equal(incomplete.statusCode, 400);
    assert.match(visibleText(incomplete.body), /erreur/i);
    assert.equal((await ctx.db.query<{ state: string }>("SELECT state FROM dossiers WHERE id = $1", [dossierId]))[0]!.state, "draft");

    const wrongFile = await citizen.postMultipart(`/rufisque/dossiers/${dossierId}/submit`, answers(), { field: "f.justificatif", filename: "facture.pdf", data: Buffer.from("<html>not a pdf</html>") });
    assert.equal(wrongFile.statusCode, 400);

    const submitted = await citizen.postMultipart(`/rufisque/dossiers/${dossierId}/submit`, answers(), { field: "f.justificatif", filename: "facture.pdf", data: PDF, type: "application/pdf" });
    assert.equal(submitted.statusCode, 303);
    const [row] = await ctx.db.query<{ state: string; reference: string; due_on: string }>("SELECT state, reference, due_on FROM dossiers WHERE id = $1", [dossierId]);
    assert.equal(row!.state, "submitted");
    assert.match(row!.reference, /^RUF-\d{4}-\d{5}$/);
    reference = row!.reference;
    const [sms] = await ctx.db.query<{ channel: string; recipient: string; body: string }>("SELECT channel, recipient, body FROM notifications WHERE body LIKE $1 ORDER BY created_at DESC", [`%${reference}%`]);
    assert.equal(sms!.channel, "sms");
    assert.equal(sms!.recipient, DEMO.rufisque.citizen);
    assert.equal(sms!.body, fr("eservices.notify.submitted", { municipality: "Rufisque", reference, procedure: "Certificat de résidence", url: "http://localhost:3000/rufisque/suivi" }));
    const again = await citizen.postMultipart(`/rufisque/dossiers/${dossierId}`, { "f.nom": "Autre" });
    assert.equal(again.statusCode, 409);
    assert.equal(reasonOf(again), "DOSSIER_NOT_EDITABLE");
    // The words themselves, once, so that the catalogue is known to reach the page.
    assert.match(visibleText(again.body), /Ce dossier ne peut plus être modifié : il a été déposé\./);
  });

  it("lets anyone holding the reference and the phone follow it, and nobody with the reference alone", async () => {
    const anonymous = new Browser(ctx.app);
    const found = await anonymous.post("/rufisque/suivi", { reference: reference.toLowerCase(), phone: "77 000 01 04" });
    assert.equal(found.statusCode, 200);
    assert.match(visibleText(found.body), shown(fr("eservices.state.submitted")));
    assert.doesNotMatch(found.body, /Keury Souf/);
    const wrongPhone = await anonymous.post("/rufisque/suivi", { reference, phone: "77 999 99 99" });
    const unknown = await anonymous.post("/rufisque/suivi", { reference: "RUF-2026-99999", phone: "77 000 01 04" });
    for (const response of [wrongPhone, unknown]) {
      assert.deepEqual(fieldReasons(response.body), { reference: "FOLLOW_UP_NO_MATCH" });
      assert.match(visibleText(response.body), shown(fr("eservices.follow.not_found")));
    }
    const inPortuguese = await new Browser(ctx.app, { "accept-language": "pt" }).post("/rufisque/suivi", { reference, phone: "77 999 99 99" });
    assert.deepEqual(fieldReasons(inPortuguese.body), { reference: "FOLLOW_UP_NO_MATCH" });
    assert.match(visibleText(inPortuguese.body), /Nenhum processo corresponde a esta referência e a este número\./);
  });

  it("shows the agent the dossier in the queue, escapes what the citizen typed, and asks for a message to send it back", async () => {
    const queue = await agent.get("/rufisque/admin/dossiers?procedure=certificat-residence");
    assert.match(visibleText(queue.body), new RegExp(reference));
    const page = await agent.get(`/rufisque/admin/dossiers/${dossierId}`);
    assert.doesNotMatch(page.body, /<script>alert/);
    assert.match(page.body, /Awa &lt;script>alert/);
    assert.equal((await agent.post(`/rufisque/admin/dossiers/${dossierId}/accept`)).statusCode, 409);
    assert.equal((await agent.post(`/rufisque/admin/dossiers/${dossierId}/take`)).statusCode, 303);
    const noMessage = await agent.post(`/rufisque/admin/dossiers/${dossierId}/request_correction`, { message: "" });
    assert.equal(noMessage.statusCode, 400);
    assert.equal((await agent.post(`/rufisque/admin/dossiers/${dossierId}/notes`, { note: "Appeler M. Sarr avant de décider" })).statusCode, 303);
    const sentBack = await agent.post(`/rufisque/admin/dossiers/${dossierId}/request_correction`, { message: "La facture jointe est illisible." });
    assert.equal(sentBack.statusCode, 303);
    const [sms] = await ctx.db.query<{ body: string }>("SELECT body FROM notifications WHERE body LIKE $1 ORDER BY created_at DESC LIMIT 1", [`%${reference}%`]);
    assert.equal(sms!.body, fr("eservices.notify.correction", { municipality: "Rufisque", reference, procedure: "Certificat de résidence", message: "La facture jointe est illisible.", url: "http://localhost:3000/rufisque/suivi" }));
  });

  it("sends the dossier back to the citizen with the message, never the internal note, and takes the corrections", async () => {
    const page = await citizen.get(`/rufisque/dossiers/${dossierId}`);
    assert.match(visibleText(page.body), /La facture jointe est illisible/);
    assert.doesNotMatch(visibleText(page.body), /M\. Sarr/);
    const corrected = await citizen.postMultipart(`/rufisque/dossiers/${dossierId}/submit`, { ...answers(), "f.justificatif.keep": "on", message: "Voici une facture lisible." }, { field: "f.justificatif", filename: "facture-2.pdf", data: PDF, type: "application/pdf" });
    assert.equal(corrected.statusCode, 303);
    const [row] = await ctx.db.query<{ state: string; correction_requested: boolean }>("SELECT state, correction_requested FROM dossiers WHERE id = $1", [dossierId]);
    assert.deepEqual(row, { state: "submitted", correction_requested: false });
  });

  it("issues a signed PDF certificate on acceptance, verifiable by its QR code, its number and its file", async () => {
    assert.equal((await agent.post(`/rufisque/admin/dossiers/${dossierId}/take`)).statusCode, 303);
    assert.equal((await agent.post(`/rufisque/admin/dossiers/${dossierId}/accept`, { message: "" })).statusCode, 303);
    const [certificate] = await ctx.db.query<{ number: string; token: string }>("SELECT number, token FROM certificates WHERE dossier_id = $1", [dossierId]);
    assert.equal(certificate!.number, `${reference}-C1`);

    const pdf = await citizen.get(`/rufisque/dossiers/${dossierId}/certificates/${certificate!.number}.pdf`);
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers["content-type"], "application/pdf");
    const bytes = pdf.rawPayload;
    assert.equal((await PDFDocument.load(bytes)).getPageCount(), 1);

    const keys = await ctx.db.query<{ kid: string; public_key: string }>("SELECT kid, public_key FROM signing_keys");
    const checked = verifyToken(certificate!.token, (kid) => keys.find((key) => key.kid === kid)?.public_key);
    assert.equal(checked.status, "valid");
    assert.equal(readToken(certificate!.token)!.payload.kid, (await ctx.db.query<{ kid: string }>("SELECT k.kid FROM signing_keys k JOIN municipalities m ON m.id = k.municipality_id WHERE m.slug = 'rufisque' AND k.retired_at IS NULL"))[0]!.kid);

    const anonymous = new Browser(ctx.app);
    const byNumber = visibleText((await anonymous.get(`/verify/${certificate!.number}`)).body);
    assert.match(byNumber, shown(fr("eservices.verify.valid")));
    assert.match(byNumber, /Certificat de résidence/);
    assert.doesNotMatch(byNumber, /Keury Souf|Ndiaye/, "a number alone reveals nothing of the holder");
    assert.match(byNumber, shown(fr("eservices.verify.holder_hidden")));

    // Whoever holds the QR code's content holds the document: its signed fields are shown, without JavaScript.
    const byToken = visibleText((await anonymous.post("/verify/token", { token: `http://localhost:3000/verify/${certificate!.number}#${certificate!.token}` })).body);
    assert.match(byToken, shown(fr("eservices.verify.valid")));
    assert.match(byToken, /Keury Souf/);
    const [prefix, payload, signature] = certificate!.token.split(".") as [string, string, string];
    const forged = `${prefix}.${payload.slice(0, 10)}${payload[10] === "A" ? "B" : "A"}${payload.slice(11)}.${signature}`;
    const byForgedToken = visibleText((await anonymous.post("/verify/token", { token: forged })).body);
    assert.match(byForgedToken, shown(fr("eservices.verify.invalid")));
    assert.doesNotMatch(byForgedToken, /Keury Souf/);

    const byFile = await anonymous.postMultipart("/verify", {}, { field: "pdf", filename: "certificat.pdf", data: bytes, type: "application/pdf" });
    assert.match(visibleText(byFile.body), shown(fr("eservices.verify.file_valid")));
    assert.match(visibleText(byFile.body), /Keury Souf/);
    const altered = Buffer.from(bytes);
    altered[Math.floor(altered.length / 2)] = altered[Math.floor(altered.length / 2)]! ^ 0x01;
    const byAlteredFile = await anonymous.postMultipart("/verify", {}, { field: "pdf", filename: "certificat.pdf", data: altered, type: "application/pdf" });
    assert.match(visibleText(byAlteredFile.body), shown(fr("eservices.verify.altered_file")));

    // The offline check finds the network's keys in the page itself.
    const verifyPage = await anonymous.get("/verify");
    assert.match(verifyPage.body, new RegExp(`"${keys[0]!.kid}"`));
    assert.match(verifyPage.body, /src="\/assets\/verify-certificate\.js"/);
    assert.equal((await anonymous.get("/assets/verify-certificate.js")).statusCode, 200);
  });

  it("says revoked once an administrator revokes it, and a rotated key still verifies what it signed", async () => {
    const [certificate] = await ctx.db.query<{ number: string; kid: string }>("SELECT number, kid FROM certificates WHERE dossier_id = $1", [dossierId]);
    assert.equal((await agent.post(`/rufisque/admin/dossiers/${dossierId}/certificates/${certificate!.number}/revoke`, { reason: "Erreur" })).statusCode, 403);
    assert.equal((await administrator.post(`/rufisque/admin/dossiers/${dossierId}/certificates/${certificate!.number}/revoke`, { reason: "" })).statusCode, 400);
    assert.equal((await administrator.post(`/rufisque/admin/dossiers/${dossierId}/certificates/${certificate!.number}/revoke`, { reason: "Adresse erronée" })).statusCode, 303);
    const page = visibleText((await new Browser(ctx.app).get(`/verify/${certificate!.number}`)).body);
    const [{ token, revoked_at }] = (await ctx.db.query<{ token: string; revoked_at: Date }>("SELECT token, revoked_at FROM certificates WHERE number = $1", [certificate!.number])) as [{ token: string; revoked_at: Date }];
    const date = formatters("fr").date(revoked_at, "UTC");
    assert.match(page, shown(fr("eservices.verify.revoked")));
    assert.match(page, shown(fr("eservices.verify.revoked_on", { date })));
    assert.doesNotMatch(page, /Adresse erronée/, "the reason, written by staff, is for whoever presents the document");
    const presented = visibleText((await new Browser(ctx.app).post("/verify/token", { token })).body);
    assert.match(presented, shown(fr("eservices.verify.revoked")));
    assert.match(presented, shown(fr("eservices.verify.revoked_detail", { date, reason: "Adresse erronée" })));
    assert.match((await new Browser(ctx.app).get("/verify")).body, new RegExp(certificate!.number));

    assert.equal((await administrator.post("/rufisque/admin/keys/rotate")).statusCode, 303);
    const keys = await ctx.db.query<{ kid: string; retired_at: Date | null }>("SELECT kid, retired_at FROM signing_keys WHERE municipality_id = (SELECT id FROM municipalities WHERE slug = 'rufisque') ORDER BY created_at");
    assert.equal(keys.filter((key) => key.retired_at === null).length, 1);
    assert.ok(keys.some((key) => key.kid === certificate!.kid && key.retired_at !== null));
    const older = await ctx.db.query<{ number: string }>("SELECT number FROM certificates WHERE kid = $1 AND revoked_at IS NULL LIMIT 1", [certificate!.kid]);
    assert.match(visibleText((await new Browser(ctx.app).get(`/verify/${older[0]!.number}`)).body), shown(fr("eservices.verify.valid")));
  });

  it("gives the citizen everything held about them, and records who read the dossier", async () => {
    const exported = await citizen.get("/rufisque/dossiers/mine.json");
    assert.equal(exported.statusCode, 200);
    const data = JSON.parse(exported.body) as { dossiers: { reference: string; answers: Record<string, unknown>; history: unknown[]; accesses: unknown[] }[] };
    const mine = data.dossiers.find((dossier) => dossier.reference === reference)!;
    assert.equal(mine.answers.nom, "Ndiaye");
    assert.ok(mine.history.length >= 5);
    assert.doesNotMatch(exported.body, /M\. Sarr/, "an internal note stays internal in the export too");
    assert.ok(mine.accesses.length > 0);
    const accesses = await ctx.db.query<{ action: string }>("SELECT action FROM dossier_access_log WHERE dossier_id = $1", [dossierId]);
    assert.ok(accesses.some((access) => access.action === "download"));
    assert.ok(accesses.some((access) => access.action === "view"));
  });

  it("keeps every dossier of Rufisque away from Labé's staff and from other residents", async () => {
    const labe = new Browser(ctx.app);
    await labe.signIn(DEMO.labe.agent);
    assert.equal((await labe.get(`/rufisque/admin/dossiers/${dossierId}`)).statusCode, 403);
    assert.equal((await labe.get(`/labe/admin/dossiers/${dossierId}`)).statusCode, 404);
    assert.equal((await labe.post(`/labe/admin/dossiers/${dossierId}/take`)).statusCode, 404);
    const editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    assert.equal((await editor.get(`/rufisque/dossiers/${dossierId}`)).statusCode, 404);
    assert.equal((await editor.get("/rufisque/admin/dossiers")).statusCode, 403);
  });

  it("publishes statistics per procedure without a single personal detail", async () => {
    const csv = (await new Browser(ctx.app).get("/rufisque/services/stats.csv")).body;
    assert.match(csv.split("\r\n")[0]!, /^procedure,title,legal_processing_days,submitted,open,accepted,refused/);
    const residence = csv.split("\r\n").find((line) => line.startsWith("certificat-residence,"))!;
    assert.ok(Number(residence.split(",")[3]) >= 3);
    for (const secret of ["Ndiaye", "Keury", "+221", "Awa"]) assert.ok(!csv.includes(secret), secret);
  });

  it("erases the personal data of dossiers past their retention, and the statistics keep counting them", async () => {
    const before = (await new Browser(ctx.app).get("/rufisque/services/stats.csv")).body;
    // Everywhere the dossier's personal data was copied: its files, its certificate's PDF, the messages sent about it.
    const [held] = await ctx.db.query<{ answers: unknown }>("SELECT answers FROM dossiers WHERE id = $1", [dossierId]);
    const [certificate] = await ctx.db.query<{ number: string; file_id: string }>("SELECT number, file_id FROM certificates WHERE dossier_id = $1", [dossierId]);
    const fileIds = [...JSON.stringify(held!.answers).matchAll(/"fileId":"([0-9a-f-]{36})"/g)].map((match) => match[1]!).concat(certificate!.file_id);
    assert.ok(fileIds.length >= 2);
    const stored = await ctx.db.query<{ sha256: string }>("SELECT DISTINCT sha256 FROM stored_files WHERE id = ANY($1::uuid[])", [fileIds]);
    const blobs = stored.map((row) => path.join(ctx.config.filesDir, row.sha256.slice(0, 2), row.sha256));
    for (const blob of blobs) assert.ok(fs.existsSync(blob), blob);
    const pdf = await citizen.get(`/rufisque/dossiers/${dossierId}/certificates/${certificate!.number}.pdf`);
    assert.equal(pdf.statusCode, 200);
    assert.ok((await ctx.db.query("SELECT 1 FROM notifications WHERE strpos(body, $1) > 0", [reference])).length >= 2);

    await ctx.db.query("UPDATE dossiers SET decided_at = now() - interval '10 years' WHERE id = $1", [dossierId]);
    assert.ok((await eraseExpiredDossiers(ctx.db, ctx.config.filesDir)) >= 1);
    const [row] = await ctx.db.query<{ applicant_name: string; applicant_phone: string | null; answers: Record<string, unknown>; erased_at: Date | null }>("SELECT applicant_name, applicant_phone, answers, erased_at FROM dossiers WHERE id = $1", [dossierId]);
    assert.deepEqual({ ...row, erased_at: row!.erased_at !== null }, { applicant_name: "-", applicant_phone: null, answers: {}, erased_at: true });
    assert.equal((await citizen.get(`/rufisque/dossiers/${dossierId}`)).statusCode, 404);
    assert.deepEqual(await ctx.db.query("SELECT id FROM stored_files WHERE id = ANY($1::uuid[])", [fileIds]), []);
    const stillShared = new Set((await ctx.db.query<{ sha256: string }>("SELECT sha256 FROM stored_files")).map((r) => r.sha256));
    for (const [index, blob] of blobs.entries()) assert.equal(fs.existsSync(blob), stillShared.has(stored[index]!.sha256), blob);
    assert.deepEqual(await ctx.db.query("SELECT id FROM notifications WHERE strpos(body, $1) > 0", [reference]), []);
    const [erased] = await ctx.db.query<{ token: string; file_id: string | null }>("SELECT token, file_id FROM certificates WHERE number = $1", [certificate!.number]);
    assert.deepEqual(erased, { token: "", file_id: null });
    // The document itself still verifies by its number and by the PDF its holder kept, without their data.
    const byNumber = visibleText((await new Browser(ctx.app).get(`/verify/${certificate!.number}`)).body);
    assert.ok(shown(fr("eservices.verify.valid")).test(byNumber) || shown(fr("eservices.verify.revoked")).test(byNumber), byNumber);
    assert.match(byNumber, /Certificat de résidence/);
    const byFile = visibleText((await new Browser(ctx.app).postMultipart("/verify", {}, { field: "pdf", filename: "c.pdf", data: pdf.rawPayload, type: "application/pdf" })).body);
    assert.ok(shown(fr("eservices.verify.revoked")).test(byFile) || shown(fr("eservices.verify.file_valid")).test(byFile), byFile);
    assert.doesNotMatch(byFile, /Keury Souf/);
    const after = (await new Browser(ctx.app).get("/rufisque/services/stats.csv")).body;
    const submittedOf = (csv: string) => csv.split("\r\n").find((line) => line.startsWith("certificat-residence,"))!.split(",")[3];
    assert.equal(submittedOf(after), submittedOf(before));
  });
});

describe("e-services: at the counter, and the procedure builder", () => {
  let ctx: TestContext;
  let agent: Browser;
  let administrator: Browser;

  before(async () => {
    ctx = await createTestApp();
    agent = new Browser(ctx.app);
    await agent.signIn(DEMO.labe.agent);
    administrator = new Browser(ctx.app);
    await administrator.signIn(DEMO.labe.administrator);
  });
  after(() => ctx.close());

  it("an agent files a dossier for a person without an account, who is told its reference by SMS", async () => {
    const form = await agent.get("/labe/admin/counter?procedure=extrait-acte-naissance");
    assert.match(form.body, /name="applicant_name"/);
    const missing = await agent.post("/labe/admin/counter", { procedure: "extrait-acte-naissance", applicant_name: "Mariama Baldé" });
    assert.equal(missing.statusCode, 400);
    assert.equal(fieldErrors(missing.body).applicant_phone, "eservices.counter.error.contact");
    const procedure = await idOf(ctx.db, "SELECT p.id FROM procedures p JOIN municipalities m ON m.id = p.municipality_id WHERE m.slug = 'labe' AND p.slug = 'extrait-acte-naissance'", []);
    const required = (await ctx.db.query<{ form: { sections: { fields: { id: string; type: string; required: boolean; showIf?: unknown; options?: { value: string }[] }[] }[] } }>("SELECT form FROM procedures WHERE id = $1", [procedure]))[0]!.form;
    const values: Record<string, string> = { procedure: "extrait-acte-naissance", applicant_name: "Mariama Baldé", applicant_phone: "620 55 44 33", applicant_locale: "fr" };
    for (const field of required.sections.flatMap((section) => section.fields)) {
      if (!field.required || field.showIf) continue;
      const sample: Record<string, string> = { text: "Baldé", number: String((field as { min?: number }).min ?? 1), date: "12/05/1994", choice: field.options?.[0]?.value ?? "", yesno: "no", phone: "620 55 44 33", national_id: "123456789" };
      if (sample[field.type] !== undefined) values[`f.${field.id}`] = sample[field.type]!;
      if (field.type === "address") Object.assign(values, { [`f.${field.id}.quarter`]: "Kouroula", [`f.${field.id}.town`]: "Labé" });
    }
    const filed = await agent.post("/labe/admin/counter", values);
    assert.equal(filed.statusCode, 303, visibleText(filed.body).slice(0, 600));
    const [dossier] = await ctx.db.query<{ reference: string; channel: string; state: string; applicant_id: string | null }>("SELECT reference, channel, state, applicant_id FROM dossiers WHERE applicant_name = 'Mariama Baldé'");
    assert.deepEqual({ ...dossier, reference: /^LAB-\d{4}-\d{5}$/.test(dossier!.reference) }, { reference: true, channel: "counter", state: "submitted", applicant_id: null });
    const [sms] = await ctx.db.query<{ recipient: string; body: string }>("SELECT recipient, body FROM notifications WHERE body LIKE $1", [`%${dossier!.reference}%`]);
    assert.equal(sms!.recipient, "+224620554433");
  });

  it("an administrator builds a procedure field by field, with errors explained, and opens it", async () => {
    const created = await administrator.post("/labe/admin/services", {
      title: "Certificat de vie",
      slug: "certificat-de-vie",
      category: "civil_status",
      fee_amount: "5000",
      processing_days: "2",
      retention_days: "365",
      instructor_roles: "agent",
      documents: "Pièce d'identité\nPhoto récente",
    });
    assert.equal(created.statusCode, 303);
    const id = String(created.headers.location).split("/").pop()!.split("#")[0]!;
    const duplicate = await administrator.post("/labe/admin/services", { title: "Copie", slug: "certificat-de-vie", category: "other", fee_amount: "0", processing_days: "2", retention_days: "365", instructor_roles: "agent" });
    assert.equal(duplicate.statusCode, 400);
    assert.deepEqual(fieldReasons(duplicate.body), { slug: "PROCEDURE_SLUG_TAKEN" });

    const empty = await administrator.post(`/labe/admin/services/${id}/publish`);
    assert.equal(empty.statusCode, 409);
    assert.equal(reasonOf(empty), "PROCEDURE_FORM_EMPTY");
    assert.match(visibleText(empty.body), shown(fr("eservices.procedure.error.empty_form")));
    const emptyJson = await administrator.postJson(`/labe/admin/services/${id}/publish`, {});
    assert.deepEqual([emptyJson.statusCode, emptyJson.json().code, emptyJson.json().reason], [409, "CONFLICT", "PROCEDURE_FORM_EMPTY"]);
    assert.equal(emptyJson.json().detail, fr("eservices.procedure.error.empty_form"));

    const base = `/labe/admin/services/${id}`;
    assert.equal((await administrator.post(`${base}/fields`, { place: "s:demande", type: "text", label: "Nom complet", required: "on" })).statusCode, 303);
    assert.equal((await administrator.post(`${base}/fields`, { place: "s:demande", type: "choice", label: "Motif", options: "Pension\nBanque\nAutre", required: "on" })).statusCode, 303);
    const noOptions = await administrator.post(`${base}/fields`, { place: "s:demande", type: "choice", label: "Vide", options: "" });
    assert.equal(noOptions.statusCode, 400, visibleText(noOptions.body).slice(0, 2000));
    const badCondition = await administrator.post(`${base}/fields`, { place: "s:demande", type: "text", label: "Préciser", show_if_field: "inexistant", show_if_value: "autre" });
    assert.equal(badCondition.statusCode, 400);
    assert.equal((await administrator.post(`${base}/fields`, { place: "s:demande", type: "text", label: "Préciser", show_if_field: "motif", show_if_value: "autre" })).statusCode, 303);
    // "Préciser" depends on "Motif": it cannot move above it.
    assert.equal((await administrator.post(`${base}/fields/preciser/move`, { direction: "up" })).statusCode, 400);
    assert.equal((await administrator.post(`${base}/fields/nom_complet/move`, { direction: "down" })).statusCode, 303);
    assert.equal((await administrator.post(`${base}/fields`, { place: "s:demande", type: "file", label: "Photo", accept: "jpeg", max_bytes_mb: "2" })).statusCode, 303);
    assert.equal((await administrator.post(`${base}/publish`)).statusCode, 303);

    const [procedure] = await ctx.db.query<{ form: { sections: { fields: { id: string; type: string }[] }[] }; status: string; form_version: number }>("SELECT form, status, form_version FROM procedures WHERE id = $1", [id]);
    assert.equal(procedure!.status, "published");
    assert.deepEqual(procedure!.form.sections[0]!.fields.map((field) => field.id), ["motif", "nom_complet", "preciser", "photo"]);
    assert.ok(procedure!.form_version > 1);
    const page = await new Browser(ctx.app).get("/labe/services/certificat-de-vie");
    assert.match(visibleText(page.body), /Photo récente/);
    assert.match(visibleText(page.body), /5\s000\s?GNF|GNF\s?5\s000/);
  });
});
