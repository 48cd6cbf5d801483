import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ed25519 } from "@noble/curves/ed25519.js";
import { PDFDocument } from "pdf-lib";
import { formatVerificationCode, readToken, verifyToken } from "../src/modules/eservices/certificates.js";
import { translator } from "../src/core/i18n/index.js";
import { fieldErrors, fr, pt, shown } from "./answers.js";
import { pdfText, qpdfCheck, qrCodesOnPage } from "./pdf-tools.js";
import { procedureForm } from "../src/modules/eservices/builder.js";
import type { ProcedureRow } from "../src/modules/eservices/store.js";
import { Browser, createTestApp, DEMO, idOf, visibleText, type TestContext } from "./helpers.js";

/*
 * A certificate as people print and check it: the state's heading, who signed, a QR code that a
 * phone reads off a cheap print, and, under it, an address and a code for whoever has no phone.
 */

interface IssuedCertificate {
  number: string;
  dossier_id: string;
  token: string;
  verification_code: string;
  signatory_office: string;
  signatory_name: string;
  kid: string;
  public_key: string;
}

describe("e-services certificates: printed, scanned, and checked by hand", () => {
  let ctx: TestContext;
  let administrator: Browser;
  let certificate: IssuedCertificate;
  let pdf: Uint8Array;

  before(async () => {
    ctx = await createTestApp();
    administrator = new Browser(ctx.app);
    await administrator.signIn(DEMO.rufisque.administrator);
    [certificate] = (await ctx.db.query<IssuedCertificate>(
      `SELECT c.number, c.dossier_id, c.token, c.verification_code, c.signatory_office, c.signatory_name, c.kid, k.public_key
       FROM certificates c JOIN municipalities m ON m.id = c.municipality_id JOIN signing_keys k ON k.kid = c.kid
       WHERE m.slug = 'rufisque' AND c.revoked_at IS NULL AND c.token <> '' ORDER BY c.number LIMIT 1`,
    )) as [IssuedCertificate];
    assert.ok(certificate, "the Rufisque demo issues certificates");
    const download = await administrator.get(`/rufisque/dossiers/${certificate.dossier_id}/certificates/${certificate.number}.pdf`);
    assert.equal(download.statusCode, 200);
    pdf = download.rawPayload;
  });
  after(() => ctx.close());

  it("prints the state's heading and motto, the municipality, who signs, and the address and code under the QR code", async () => {
    const text = pdfText(pdf);
    const [official] = await ctx.db.query<{ name: string }>(
      "SELECT o.name FROM officials o JOIN municipalities m ON m.id = o.municipality_id WHERE m.slug = 'rufisque' ORDER BY o.position, o.name LIMIT 1",
    );
    // The procedure names no signatory: the municipality's first official signs, under the office it gives.
    assert.equal(certificate.signatory_name, official!.name);
    assert.match(certificate.verification_code, /^[0-9A-HJKMNP-TV-Z]{12}$/);
    const code = formatVerificationCode(certificate.verification_code);
    for (const printed of ["République du Sénégal", "Un Peuple – Un But – Une Foi", "Rufisque", certificate.signatory_office, certificate.signatory_name, "localhost:3000/verify", code]) {
      assert.ok(text.includes(printed), `the PDF shows ${printed}`);
    }
  });

  it("passes qpdf --check", () => {
    const checked = qpdfCheck(pdf);
    assert.equal(checked.status, 0, checked.output);
  });

  it("has a QR code that zbar reads off the page rendered at 100 dpi: the verification URL with the token, which verifies", async () => {
    const pages = (await PDFDocument.load(pdf)).getPageCount();
    const codes = qrCodesOnPage(pdf, pages, 100);
    assert.equal(codes.length, 1, `one QR code on the last page, read: ${codes.join(" | ")}`);
    const [url, token] = codes[0]!.split("#") as [string, string];
    assert.match(url, new RegExp(`/verify/${certificate.number}$`));
    assert.equal(token, certificate.token);
    assert.match(token, /^CO2\./);
    assert.equal(verifyToken(token, (kid) => (kid === certificate.kid ? certificate.public_key : undefined)).status, "valid");
    // What a phone opens with it: the page that says the document is authentic.
    const opened = await new Browser(ctx.app).post("/verify/token", { token: codes[0]! });
    assert.equal(opened.statusCode, 200);
    assert.match(visibleText(opened.body), shown(fr("eservices.verify.valid")));
  });

  it("answers /verify/{unknown} with 404 and the friendly page, in the reader's language; a known number with 200", async () => {
    for (const [language, t] of [["fr", fr], ["pt", pt], ["en", translator("en")]] as const) {
      const reader = new Browser(ctx.app, { "accept-language": language });
      const unknown = await reader.get("/verify/RUF-2026-99999-C1");
      assert.equal(unknown.statusCode, 404);
      assert.match(unknown.headers["content-type"] as string, /^text\/html/);
      assert.match(unknown.body, new RegExp(`<html lang="${language}"`));
      assert.match(visibleText(unknown.body), shown(t("eservices.verify.unknown", { number: "RUF-2026-99999-C1" })));
      assert.match(visibleText(unknown.body), shown(t("eservices.verify.code_title")), "the page still offers every way to check");
    }
    const known = await new Browser(ctx.app).get(`/verify/${certificate.number}`);
    assert.equal(known.statusCode, 200);
    assert.match(visibleText(known.body), shown(fr("eservices.verify.valid")));
  });

  it("checks the code typed by hand, without JavaScript, whatever its case and spacing, and shows what the certificate says", async () => {
    const reader = new Browser(ctx.app);
    const form = await reader.get("/verify");
    assert.match(form.body, /<form[^>]+action="\/verify\/code"[^>]*method="post"|<form[^>]+method="post"[^>]*action="\/verify\/code"/);
    const typed = formatVerificationCode(certificate.verification_code).toLowerCase().replace(/-/g, " ");
    const page = await reader.post("/verify/code", { code: ` ${typed} ` });
    assert.equal(page.statusCode, 200);
    const text = visibleText(page.body);
    assert.match(text, shown(fr("eservices.verify.valid")));
    assert.ok(text.includes(certificate.number));
    const fields = readToken(certificate.token)!.payload.fields;
    assert.ok(Object.keys(fields).length > 0);
    for (const [label, value] of Object.entries(fields)) {
      assert.ok(text.includes(label) && text.includes(value), `the page shows ${label}: ${value}`);
    }
    assert.ok(text.includes(certificate.signatory_name), "and who signed it");
    // The applicant's contact details are not on the certificate: they are not on the page either.
    const [dossier] = await ctx.db.query<{ applicant_phone: string | null }>("SELECT applicant_phone FROM dossiers WHERE id = $1", [certificate.dossier_id]);
    if (dossier!.applicant_phone) assert.ok(!page.body.includes(dossier!.applicant_phone));
  });

  it("says plainly when no document has the code, and what a code looks like when it cannot be one", async () => {
    const reader = new Browser(ctx.app, { "accept-language": "pt" });
    const other = certificate.verification_code.startsWith("0") ? `1${certificate.verification_code.slice(1)}` : `0${certificate.verification_code.slice(1)}`;
    const unknown = await reader.post("/verify/code", { code: other });
    assert.equal(unknown.statusCode, 404);
    assert.match(visibleText(unknown.body), shown(pt("eservices.verify.unknown_code")));
    assert.doesNotMatch(visibleText(unknown.body), new RegExp(certificate.number));
    for (const wrong of ["1234", "not a code at all!", ""]) {
      const refused = await reader.post("/verify/code", { code: wrong });
      assert.equal(refused.statusCode, 400, wrong);
      assert.match(visibleText(refused.body), shown(wrong ? pt("eservices.verify.error.code") : pt("form.required")));
    }
  });

  it("still verifies a certificate whose QR code carries a token of the first format (JSON, CO1)", async () => {
    const [key] = await ctx.db.query<{ private_key: string }>("SELECT private_key FROM signing_keys WHERE kid = $1", [certificate.kid]);
    const payload = readToken(certificate.token)!.payload;
    const legacy = { v: 1, kid: certificate.kid, ref: certificate.number, mun: "rufisque", mname: "Rufisque", proc: payload.proc, iss: payload.iss, fields: payload.fields };
    const bytes = Buffer.from(JSON.stringify(legacy), "utf8");
    const token = `CO1.${bytes.toString("base64url")}.${Buffer.from(ed25519.sign(bytes, Buffer.from(key!.private_key, "base64url"))).toString("base64url")}`;
    // As the certificates issued before the compact tokens have it stored.
    await ctx.db.query("UPDATE certificates SET token = $2 WHERE number = $1", [certificate.number, token]);
    try {
      const reader = new Browser(ctx.app);
      const byToken = await reader.post("/verify/token", { token: `http://localhost:3000/verify/${certificate.number}#${token}` });
      assert.match(visibleText(byToken.body), shown(fr("eservices.verify.valid")));
      const [label, value] = Object.entries(payload.fields)[0]!;
      assert.ok(visibleText(byToken.body).includes(`${label}`) && visibleText(byToken.body).includes(value));
      assert.match(visibleText((await reader.get(`/verify/${certificate.number}`)).body), shown(fr("eservices.verify.valid")));
    } finally {
      await ctx.db.query("UPDATE certificates SET token = $2 WHERE number = $1", [certificate.number, certificate.token]);
    }
  });

  it("prints the signatory's name the administrator gives the procedure, shown in the builder's form", async () => {
    const [procedure] = await ctx.db.query<ProcedureRow>("SELECT p.* FROM procedures p JOIN municipalities m ON m.id = p.municipality_id WHERE m.slug = 'rufisque' AND p.slug = 'legalisation-signature'");
    const edit = `/rufisque/admin/services/${procedure!.id}`;
    assert.match((await administrator.get(edit)).body, /name="certificate_signatory_name"/);
    const values = procedureForm(procedure!).values;
    // One instructor role is enough here: the test browser sends one value per field.
    const saved = await administrator.post(edit, { ...values, instructor_roles: values.instructor_roles!.split(",")[0]!, certificate_signatory_name: "Moussa Diop" });
    assert.equal(saved.statusCode, 303, JSON.stringify(fieldErrors(saved.body)));
    assert.match((await administrator.get(edit)).body, /value="Moussa Diop"/);
    const dossierId = await idOf(ctx.db, "SELECT id FROM dossiers WHERE procedure_id = $1 AND state = 'under_instruction' LIMIT 1", [procedure!.id]);
    assert.equal((await administrator.post(`/rufisque/admin/dossiers/${dossierId}/accept`, { message: "" })).statusCode, 303);
    const [issued] = await ctx.db.query<{ number: string; signatory_name: string; signatory_office: string }>("SELECT number, signatory_name, signatory_office FROM certificates WHERE dossier_id = $1", [dossierId]);
    assert.deepEqual([issued!.signatory_name, issued!.signatory_office], ["Moussa Diop", procedure!.certificate!.signatory]);
    const download = await administrator.get(`/rufisque/dossiers/${dossierId}/certificates/${issued!.number}.pdf`);
    assert.ok(pdfText(download.rawPayload).includes("Moussa Diop"));
  });

  it("limits how many codes one address may try", async () => {
    const reader = new Browser(ctx.app);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 21; attempt++) statuses.push((await reader.post("/verify/code", { code: "0000-0000-0000" })).statusCode);
    assert.equal(statuses.at(-1), 429);
    assert.ok(statuses.slice(0, -1).every((status) => status === 404 || status === 429));
  });
});
