import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PDFDocument, PDFName } from "pdf-lib";
import { formatters } from "../src/core/i18n/index.js";
import { readToken } from "../src/modules/eservices/certificates.js";
import { fieldErrors, fr, pt, shown } from "./answers.js";
import { pdfText } from "./pdf-tools.js";
import { Browser, createTestApp, DEMO, idOf, visibleText, type TestContext } from "./helpers.js";

/*
 * A document is issued in its municipality's official language (Portuguese in Bissau), whatever
 * the language of whoever accepts the dossier or reads it; and each answer it shows carries the
 * field's short document label, which administrators edit in the procedure builder.
 */

const BISSAU_ADMINISTRATOR = "+245955000401";

interface StoredField {
  id: string;
  type: string;
  label: string;
  documentLabel?: string;
  hint?: string;
  required: boolean;
  options?: { value: string; label: string }[];
}
type StoredForm = { sections: { fields: StoredField[] }[] };

describe("e-services documents: the official language, short labels, and the builder that edits them", () => {
  let ctx: TestContext;
  let rufisqueAdministrator: Browser;
  let residenceId: string;
  let base: string;

  async function storedForm(id: string): Promise<{ form: StoredForm; form_version: number }> {
    return (await ctx.db.query<{ form: StoredForm; form_version: number }>("SELECT form, form_version FROM procedures WHERE id = $1", [id]))[0]!;
  }
  const fieldIn = (form: StoredForm, id: string) => form.sections.flatMap((section) => section.fields).find((field) => field.id === id);

  before(async () => {
    ctx = await createTestApp();
    rufisqueAdministrator = new Browser(ctx.app);
    await rufisqueAdministrator.signIn(DEMO.rufisque.administrator);
    residenceId = await idOf(ctx.db, "SELECT p.id FROM procedures p JOIN municipalities m ON m.id = p.municipality_id WHERE m.slug = 'rufisque' AND p.slug = 'certificat-residence'", []);
    base = `/rufisque/admin/services/${residenceId}`;
  });
  after(() => ctx.close());

  it("issues Bissau's certificate in Portuguese: its texts, its labels, its dates", async () => {
    const [certificate] = await ctx.db.query<{ number: string; dossier_id: string; issued_at: Date }>(
      "SELECT c.number, c.dossier_id, c.issued_at FROM certificates c JOIN municipalities m ON m.id = c.municipality_id WHERE m.slug = 'bissau' ORDER BY c.number LIMIT 1",
    );
    assert.ok(certificate, "the Bissau demo issues certificates");
    const administrator = new Browser(ctx.app, { "accept-language": "fr" });
    await administrator.signIn(BISSAU_ADMINISTRATOR);
    const pdf = await administrator.get(`/bissau/dossiers/${certificate.dossier_id}/certificates/${certificate.number}.pdf`);
    assert.equal(pdf.statusCode, 200);
    const text = pdfText(pdf.rawPayload);
    const issuedOn = pt("eservices.certificate.issued_on", { date: formatters("pt").date(certificate.issued_at, "Africa/Bissau") });
    for (const portuguese of ["Atestado de residência", "República da Guiné-Bissau", "Unidade, Luta, Progresso", issuedOn, "Residente desde", "1 de março de 2018", "O Presidente da Câmara Municipal"]) {
      assert.ok(text.includes(portuguese), `the PDF shows ${portuguese}`);
    }
    // The question is not the label, and nothing is in French, the reader's language.
    for (const absent of ["Vive nesta morada desde", fr("eservices.certificate.issued_on", { date: formatters("fr").date(certificate.issued_at, "Africa/Bissau") }), "Guinée-Bissau", "1 mars 2018"]) {
      assert.ok(!text.includes(absent), `the PDF does not show ${absent}`);
    }
    const language = (await PDFDocument.load(pdf.rawPayload, { updateMetadata: false })).catalog.get(PDFName.of("Lang"));
    assert.match(String(language), /pt/);
  });

  it("shows Bissau's certificate to a French reader with French headings and its own words in Portuguese, marked lang=pt", async () => {
    const [certificate] = await ctx.db.query<{ number: string; token: string }>(
      "SELECT c.number, c.token FROM certificates c JOIN municipalities m ON m.id = c.municipality_id WHERE m.slug = 'bissau' ORDER BY c.number LIMIT 1",
    );
    const reader = new Browser(ctx.app, { "accept-language": "fr" });
    const page = await reader.post("/verify/token", { token: certificate!.token });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="fr"/);
    const text = visibleText(page.body);
    for (const key of ["eservices.verify.valid", "eservices.verify.number", "eservices.verify.issuer", "eservices.verify.check_token"]) assert.match(text, shown(fr(key)));
    assert.match(page.body, /<dd lang="pt">\s*Atestado de residência\s*<\/dd>/);
    assert.match(page.body, /<div lang="pt">\s*<dt>Residente desde<\/dt>\s*<dd>1 de março de 2018<\/dd>/);
    assert.doesNotMatch(text, /Vive nesta morada desde/);

    // By number alone: the document's type, still in its own language.
    const byNumber = await reader.get(`/verify/${certificate!.number}`);
    assert.match(visibleText(byNumber.body), shown(fr("eservices.verify.valid")));
    assert.match(byNumber.body, /<dd lang="pt">\s*Atestado de residência\s*<\/dd>/);
    // The offline check learns the document's language with the municipality's key.
    assert.match(byNumber.body, /"municipality":"Bissau","lang":"pt"/);
  });

  it("names each answer of a French certificate by its document label, not its question", async () => {
    const [certificate] = await ctx.db.query<{ token: string }>(
      `SELECT c.token FROM certificates c JOIN dossiers d ON d.id = c.dossier_id JOIN procedures p ON p.id = d.procedure_id
       JOIN municipalities m ON m.id = c.municipality_id WHERE m.slug = 'rufisque' AND p.slug = 'certificat-residence' LIMIT 1`,
    );
    const fields = readToken(certificate!.token)!.payload.fields;
    assert.ok("Résidant depuis le" in fields, Object.keys(fields).join(", "));
    assert.ok(!("Vous habitez à cette adresse depuis le" in fields));
    const page = await new Browser(ctx.app).post("/verify/token", { token: certificate!.token });
    assert.match(page.body, /<div lang="fr">\s*<dt>Résidant depuis le<\/dt>/);
  });

  it("opens an existing field in an edit form filled with its settings", async () => {
    const page = await rufisqueAdministrator.get(`${base}/fields/depuis/edit`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /action="[^"]+\/fields\/depuis\/edit"/);
    assert.match(page.body, /name="label"[^>]*value="Vous habitez à cette adresse depuis le"|value="Vous habitez à cette adresse depuis le"[^>]*name="label"/);
    assert.match(page.body, /value="Résidant depuis le"/);
    assert.match(visibleText(page.body), shown(fr("eservices.builder.document_label")));
    assert.equal((await rufisqueAdministrator.get(`${base}/fields/inexistant/edit`)).statusCode, 404);
  });

  it("refuses an edit with its errors in the form and what was typed kept, saving nothing", async () => {
    const before = await storedForm(residenceId);
    const tooLong = "R".repeat(61);
    const refused = await rufisqueAdministrator.post(`${base}/fields/depuis/edit`, { label: "", document_label: tooLong, hint: "Une aide toute neuve", required: "on" });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(fieldErrors(refused.body), { label: "form.required", document_label: "form.too_long" });
    assert.match(refused.body, new RegExp(`value="${tooLong}"`));
    assert.match(refused.body, /value="Une aide toute neuve"/);
    assert.match(refused.body, /name="required" checked/);
    assert.deepEqual(await storedForm(residenceId), before);
  });

  it("saves an edit: new words, same id and type, options that keep their values, and a new form version", async () => {
    const before = await storedForm(residenceId);
    const saved = await rufisqueAdministrator.post(`${base}/fields/depuis/edit`, {
      label: "Depuis quand habitez-vous à cette adresse ?",
      document_label: "Domicilié depuis le",
      hint: "Une date approximative suffit.",
    });
    assert.equal(saved.statusCode, 303);
    const after = await storedForm(residenceId);
    const field = fieldIn(after.form, "depuis")!;
    assert.deepEqual([field.type, field.label, field.documentLabel, field.hint, field.required], ["date", "Depuis quand habitez-vous à cette adresse ?", "Domicilié depuis le", "Une date approximative suffit.", false]);
    assert.equal(after.form_version, before.form_version + 1);
    assert.match(visibleText((await rufisqueAdministrator.get(base)).body), /Depuis quand habitez-vous à cette adresse \?/);

    // A choice reworded keeps the value of the options left as they were.
    const occupation = fieldIn(after.form, "occupation")!;
    const lines = occupation.options!.map((option, index) => (index === 0 ? "Propriétaire du logement" : option.label));
    assert.equal((await rufisqueAdministrator.post(`${base}/fields/occupation/edit`, { label: occupation.label, required: "on", options: lines.join("\n") })).statusCode, 303);
    const options = fieldIn((await storedForm(residenceId)).form, "occupation")!.options!;
    assert.deepEqual(options.slice(1), occupation.options!.slice(1));
    assert.equal(options[0]!.label, "Propriétaire du logement");
    const emptied = await rufisqueAdministrator.post(`${base}/fields/occupation/edit`, { label: occupation.label, options: "" });
    assert.equal(emptied.statusCode, 400);
    assert.deepEqual(fieldErrors(emptied.body), { options: "eservices.form.def.choice_no_options" });
  });

  it("removes a field only once the removal is confirmed", async () => {
    const asked = await rufisqueAdministrator.post(`${base}/fields/motif/delete`);
    assert.equal(asked.statusCode, 200);
    assert.ok(fieldIn((await storedForm(residenceId)).form, "motif"), "the first press removes nothing");
    assert.match(asked.body, /<details class="confirm" open>/);
    assert.match(visibleText(asked.body), shown(fr("eservices.builder.confirm_removal")));
    const removed = await rufisqueAdministrator.post(`${base}/fields/motif/delete`, { confirm: "yes" });
    assert.equal(removed.statusCode, 303);
    assert.equal(fieldIn((await storedForm(residenceId)).form, "motif"), undefined);
  });

  it("puts a document label edited in the builder on the next certificate and its verification page", async () => {
    const procedureId = await idOf(ctx.db, "SELECT p.id FROM procedures p JOIN municipalities m ON m.id = p.municipality_id WHERE m.slug = 'rufisque' AND p.slug = 'legalisation-signature'", []);
    const intitule = fieldIn((await storedForm(procedureId)).form, "intitule")!;
    const edited = await rufisqueAdministrator.post(`/rufisque/admin/services/${procedureId}/fields/intitule/edit`, { label: intitule.label, document_label: "Acte légalisé", required: "on", max_length: "200" });
    assert.equal(edited.statusCode, 303);
    const dossierId = await idOf(ctx.db, "SELECT id FROM dossiers WHERE procedure_id = $1 AND state = 'under_instruction' LIMIT 1", [procedureId]);
    const agent = new Browser(ctx.app);
    await agent.signIn(DEMO.rufisque.agent);
    assert.equal((await agent.post(`/rufisque/admin/dossiers/${dossierId}/accept`, { message: "" })).statusCode, 303);
    const [certificate] = await ctx.db.query<{ token: string }>("SELECT token FROM certificates WHERE dossier_id = $1", [dossierId]);
    assert.ok("Acte légalisé" in readToken(certificate!.token)!.payload.fields);
    const page = await new Browser(ctx.app).post("/verify/token", { token: certificate!.token });
    assert.match(page.body, /<dt>Acte légalisé<\/dt>/);
    assert.doesNotMatch(page.body, /<dt>Intitulé ou objet du document<\/dt>/);
  });
});
