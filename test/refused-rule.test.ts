import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Municipality } from "../src/core/tenancy/index.js";
import { getDossier, type ProcedureRow } from "../src/modules/eservices/store.js";
import { createDossier, createMunicipality, createProcedure, createResident, createStaff, type Person } from "./factories.js";
import { Browser, createTestApp, visibleText, type TestContext } from "./helpers.js";

/*
 * A rule a module refuses answers 409 with the rule's own message, in the language of the person
 * who asked: on the error page for a browser, as problem+json `detail` for an API client. Before
 * the fix the answer was the generic conflict message, which told nobody what went wrong.
 */
describe("a refused rule answers 409 with the rule's own message in the requester's language", () => {
  let ctx: TestContext;
  let town: Municipality;
  let procedure: ProcedureRow;
  let resident: Person;
  let agent: Person;

  before(async () => {
    ctx = await createTestApp({ seed: false });
    town = await createMunicipality(ctx.db, { languages: ["fr", "pt"] });
    const administrator = await createStaff(ctx.db, town, "administrator");
    agent = await createStaff(ctx.db, town, "agent", { locale: "pt" });
    resident = await createResident(ctx.db, town);
    procedure = await createProcedure(ctx.db, town, administrator);
  });
  after(() => ctx.close());

  it("editing a dossier that is no longer a draft: the error page in French, problem+json detail in English, answers unchanged", async () => {
    const dossier = await createDossier(ctx.db, ctx.config, town, procedure, resident, { submitted: true });
    const browser = new Browser(ctx.app);
    await browser.signIn(resident.phone);

    const page = await browser.post(`/${town.slug}/dossiers/${dossier.id}`, { motif: "Un autre motif" });
    assert.equal(page.statusCode, 409);
    assert.match(String(page.headers["content-type"]), /^text\/html/);
    assert.match(visibleText(page.body), /Ce dossier ne peut plus être modifié : il a été déposé\./);

    assert.equal((await browser.post("/lang", { lang: "en", next: "/" })).statusCode, 303);
    const api = await browser.postJson(`/${town.slug}/dossiers/${dossier.id}`, { motif: "Un autre motif" });
    assert.equal(api.statusCode, 409);
    assert.equal(api.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.equal(api.json().code, "CONFLICT");
    assert.equal(api.json().detail, "This application can no longer be changed: it has been submitted.");

    assert.deepEqual((await getDossier(ctx.db, town.id, dossier.id))!.answers, dossier.answers);
  });

  it("an action the dossier's state no longer allows (taken twice): the service's refusal reaches the agent in Portuguese", async () => {
    const dossier = await createDossier(ctx.db, ctx.config, town, procedure, resident, { submitted: true });
    const browser = new Browser(ctx.app);
    await browser.signIn(agent.phone);
    assert.equal((await browser.post(`/${town.slug}/admin/dossiers/${dossier.id}/take`)).statusCode, 303);

    const page = await browser.post(`/${town.slug}/admin/dossiers/${dossier.id}/take`);
    assert.equal(page.statusCode, 409);
    assert.match(visibleText(page.body), /Esta ação não é possível no estado atual do processo\./);
    const api = await browser.postJson(`/${town.slug}/admin/dossiers/${dossier.id}/take`, {});
    assert.equal(api.statusCode, 409);
    assert.equal(api.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.match(api.json().detail, /^Esta ação não é possível no estado atual do processo\./);
    assert.equal((await getDossier(ctx.db, town.id, dossier.id))!.state, "under_instruction");
  });
});
