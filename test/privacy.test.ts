import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readToken } from "../src/modules/eservices/certificates.js";
import { findMunicipalityBySlug } from "../src/core/tenancy/index.js";
import { createDossier, createMunicipality, createNetworkStaff, createProcedure, createResident, createStaff } from "./factories.js";
import { Browser, createTestApp, DEMO, visibleText, type TestContext } from "./helpers.js";

/**
 * A value as it would appear if shown: not inside a longer run of letters and digits, so that a
 * short answer ("285") is not "found" inside a signing key's random id (c32a285a…) on the page.
 */
const asWord = (value: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(value)}(?![\\p{L}\\p{N}])`, "u");
/** The first 60 characters of a long text: it goes on after them, so only its start is bounded. */
const asStart = (value: string) => (value.length <= 60 ? asWord(value) : new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(value.slice(0, 60))}`, "u"));

/** Every string an answer holds, however deep (repeated blocks, addresses). */
function leafStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(leafStrings);
  if (value && typeof value === "object") return Object.values(value).flatMap(leafStrings);
  return [];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("privacy: what a guessable key reveals to a visitor", () => {
  let ctx: TestContext;

  before(async () => {
    ctx = await createTestApp();
  });
  after(() => ctx.close());

  it("a visitor walking certificate numbers in sequence learns only that documents exist, never whose they are", async () => {
    const certificates = await ctx.db.query<{ number: string; token: string; applicant_name: string; applicant_phone: string; municipality_name: string }>(
      `SELECT c.number, c.token, d.applicant_name, d.applicant_phone, m.name AS municipality_name
       FROM certificates c JOIN dossiers d ON d.municipality_id = c.municipality_id AND d.id = c.dossier_id JOIN municipalities m ON m.id = c.municipality_id`,
    );
    assert.ok(certificates.length >= 4, "the demo issues certificates in two municipalities");
    const byNumber = new Map(certificates.map((row) => [row.number, row]));
    const visitor = new Browser(ctx.app);
    // What an attacker does: the demo's years and codes, numbers 1 to 30, first certificate of each.
    const years = [...new Set(certificates.map((row) => row.number.split("-")[1]!))];
    const guesses = ["RUF", "LAB"].flatMap((code) => years.flatMap((year) => Array.from({ length: 30 }, (_, index) => `${code}-${year}-${String(index + 1).padStart(5, "0")}-C1`)));
    let found = 0;
    for (const number of guesses) {
      const response = await visitor.get(`/verify/${number}`);
      const certificate = byNumber.get(number);
      // An unknown number is a 404, with the same friendly page.
      assert.equal(response.statusCode, certificate ? 200 : 404);
      const text = visibleText(response.body);
      if (!certificate) {
        assert.match(text, /Aucun document portant le numéro/);
        continue;
      }
      found += 1;
      assert.match(text, /Document authentique|Document révoqué/);
      const personal = [certificate.applicant_name, certificate.applicant_phone, ...Object.values(readToken(certificate.token)!.payload.fields)].filter(
        (value) => value.trim().length >= 3 && value !== certificate.municipality_name,
      );
      assert.ok(personal.length >= 2);
      for (const value of personal) assert.doesNotMatch(text, asWord(value), `${number} shows "${value}"`);
    }
    assert.ok(found >= 4, `the walk found ${found} real documents`);
  });

  it("following a dossier by reference and phone shows its state and dates, not what anyone wrote in it", async () => {
    const dossiers = await ctx.db.query<{ id: string; reference: string; applicant_name: string; applicant_phone: string; answers: unknown; decision_reason: string | null }>(
      `SELECT d.id, d.reference, d.applicant_name, d.applicant_phone, d.answers, d.decision_reason FROM dossiers d JOIN municipalities m ON m.id = d.municipality_id
       WHERE m.slug = 'rufisque' AND d.reference IS NOT NULL AND d.applicant_phone IS NOT NULL`,
    );
    assert.ok(dossiers.length >= 5);
    const visitor = new Browser(ctx.app);
    let withText = 0;
    for (const dossier of dossiers) {
      const response = await visitor.post("/rufisque/suivi", { reference: dossier.reference, phone: dossier.applicant_phone });
      assert.equal(response.statusCode, 200);
      const text = visibleText(response.body);
      assert.match(text, new RegExp(escapeRegExp(dossier.reference)));
      const bodies = (await ctx.db.query<{ body: string }>("SELECT body FROM dossier_events WHERE dossier_id = $1 AND body <> ''", [dossier.id])).map((row) => row.body);
      const written = [dossier.applicant_name, ...leafStrings(dossier.answers), ...bodies, ...(dossier.decision_reason ? [dossier.decision_reason] : [])].filter(
        (value) => value.trim().length >= 4 && !/^(Rufisque|oui|non|true|false)$/i.test(value.trim()) && !/^[0-9a-f-]{36}$/.test(value),
      );
      if (bodies.length > 0 || dossier.decision_reason) withText += 1;
      for (const value of written) assert.doesNotMatch(text, asStart(value.trim()), `${dossier.reference} shows "${value}"`);
    }
    assert.ok(withText >= 1, "at least one followed dossier carries a message or a reason");
  });

  it("an agent's internal note on a dossier stays out of the resident's export of their dossiers", async () => {
    const rufisque = (await findMunicipalityBySlug(ctx.db, "rufisque"))!;
    const administrator = await createStaff(ctx.db, rufisque, "administrator");
    const applicant = await createResident(ctx.db, rufisque);
    const procedure = await createProcedure(ctx.db, rufisque, administrator);
    const dossierId = (await createDossier(ctx.db, ctx.config, rufisque, procedure, applicant, { submitted: true })).id;
    const agent = new Browser(ctx.app);
    await agent.signIn(DEMO.rufisque.agent);
    assert.equal((await agent.post(`/rufisque/admin/dossiers/${dossierId}/notes`, { note: "Vérifier le casier de ce demandeur" })).statusCode, 303);
    const resident = new Browser(ctx.app);
    await resident.signIn(applicant.phone);
    const exported = await resident.get("/rufisque/dossiers/mine.json");
    assert.equal(exported.statusCode, 200);
    assert.ok((JSON.parse(exported.body) as { dossiers: { history: unknown[] }[] }).dossiers.length >= 1);
    assert.doesNotMatch(exported.body, /casier/);
    assert.doesNotMatch(exported.body, /"internal"/);
  });
});

describe("reference codes: each municipality numbers its dossiers and certificates under its own", () => {
  let ctx: TestContext;

  before(async () => {
    ctx = await createTestApp({ seed: false });
    await createMunicipality(ctx.db, { slug: "rufisque", name: "Rufisque", referenceCode: "RUF" });
  });
  after(() => ctx.close());

  it("a municipality whose address starts like another's is refused that one's code, gets its own, and issues certificates under it", async () => {
    const superadmin = new Browser(ctx.app);
    await superadmin.signIn((await createNetworkStaff(ctx.db, "superadmin")).phone);
    const fields = { name: "Rufisque Nord", slug: "rufisque-nord", country: "SN", region: "Dakar", time_zone: "Africa/Dakar", lang_fr: "on" };
    const taken = await superadmin.post("/admin/municipalities", { ...fields, reference_code: "ruf" });
    assert.equal(taken.statusCode, 400);
    assert.match(visibleText(taken.body), /Ce code est déjà celui d'une autre commune du réseau\./);
    const malformed = await superadmin.post("/admin/municipalities", { ...fields, reference_code: "1-A" });
    assert.equal(malformed.statusCode, 400);
    assert.match(visibleText(malformed.body), /Le code commence par une lettre majuscule/);
    assert.equal((await superadmin.post("/admin/municipalities", { ...fields, reference_code: "RUFN2" })).statusCode, 303);

    // A procedure that issues a certificate, and a dossier accepted there by its agent.
    const town = (await findMunicipalityBySlug(ctx.db, "rufisque-nord"))!;
    const administrator = await createStaff(ctx.db, town, "administrator");
    const procedure = await createProcedure(ctx.db, town, administrator, {
      certificate: { title: "Certificat de résidence", body: "Certifie la demande {reference} de {applicant}.", keyFields: ["motif"], signatory: "Le maire" },
    });
    const dossier = await createDossier(ctx.db, ctx.config, town, procedure, await createResident(ctx.db, town), { submitted: true });
    assert.match(dossier.reference!, /^RUFN2-\d{4}-\d{5}$/);
    const agent = new Browser(ctx.app);
    await agent.signIn((await createStaff(ctx.db, town, "agent")).phone);
    assert.equal((await agent.post(`/rufisque-nord/admin/dossiers/${dossier.id}/take`)).statusCode, 303);
    assert.equal((await agent.post(`/rufisque-nord/admin/dossiers/${dossier.id}/accept`)).statusCode, 303);

    const numbers = (await ctx.db.query<{ number: string }>("SELECT number FROM certificates WHERE municipality_id = $1", [town.id])).map((row) => row.number);
    assert.ok(numbers.length >= 1);
    for (const number of numbers) assert.match(number, /^RUFN2-\d{4}-\d{5}-C1$/);
    const references = await ctx.db.query<{ reference: string }>("SELECT reference FROM dossiers WHERE municipality_id = $1 AND reference IS NOT NULL", [town.id]);
    assert.ok(references.length >= 1);
    for (const row of references) assert.match(row.reference, /^RUFN2-/);
    assert.match(visibleText((await new Browser(ctx.app).get(`/verify/${numbers[0]}`)).body), /Document authentique.*Rufisque Nord/);
  });
});
