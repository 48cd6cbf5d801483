import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { randomUUID } from "node:crypto";
import { loadResourceTable } from "../src/modules/opendata/index.js";
import { tableNameOf } from "../src/modules/opendata/datastore/store.js";
import { createDataset, createMunicipality, createNews, createOfficial, createPage, createResident, createStaff } from "./factories.js";
import { Browser, createTestApp, visibleText, type TestContext } from "./helpers.js";

/**
 * No municipality can read or change another's data. Rufisque's editor and administrator try
 * every route that takes an id, under Labé's address and under their own, with Labé's ids.
 */
describe("tenancy: Rufisque's staff cannot reach Labé's unpublished content", () => {
  let ctx: TestContext;
  let editor: Browser;
  let administrator: Browser;
  let labe: {
    id: string;
    draftNews: string;
    draftNewsTitle: string;
    draftPage: string;
    draftPageSlug: string;
    official: string;
    editorUser: string;
    editorPhone: string;
    /** Datastore tables: one of a published dataset, one of a draft. */
    publishedTable: string;
    draftTable: string;
  };
  let rufisqueResident: string;
  let snapshotBefore: string;

  const snapshot = async () =>
    JSON.stringify(
      await ctx.db.query(
        `SELECT (SELECT jsonb_agg(to_jsonb(n) ORDER BY n.id) FROM news n WHERE n.municipality_id = $1) AS news,
                (SELECT jsonb_agg(to_jsonb(p) ORDER BY p.id) FROM pages p WHERE p.municipality_id = $1) AS pages,
                (SELECT jsonb_agg(to_jsonb(o) ORDER BY o.id) FROM officials o WHERE o.municipality_id = $1) AS officials,
                (SELECT jsonb_agg(to_jsonb(r) ORDER BY r.user_id, r.role) FROM municipal_roles r WHERE r.municipality_id = $1) AS roles`,
        [labe.id],
      ),
    );

  /** A value only Labé's draft table holds: no answer to anyone else may carry it. */
  const DRAFT_VALUE = "Quartier-brouillon-Labe";
  const tableResource = (municipalityId: string, datasetId: string, csv: string) =>
    ctx.db.transaction(async (tx) => {
      const [row] = await tx.query<{ id: string }>(
        "INSERT INTO dataset_resources (municipality_id, dataset_id, name, url, format) VALUES ($1, $2, 'Tableau', 'https://example.org/tableau.csv', 'CSV') RETURNING id",
        [municipalityId, datasetId],
      );
      await loadResourceTable(tx, municipalityId, row!.id, Buffer.from(csv), "CSV");
      return row!.id;
    });

  before(async () => {
    // Two municipalities of their own, not the demo's: each test below names what it needs.
    ctx = await createTestApp({ seed: false });
    const rufisque = await createMunicipality(ctx.db, { slug: "rufisque", name: "Rufisque", referenceCode: "RUF" });
    const town = await createMunicipality(ctx.db, { slug: "labe", name: "Labé", referenceCode: "LAB", country: "GN" });
    const labeEditor = await createStaff(ctx.db, town, "editor");
    const labeAdministrator = await createStaff(ctx.db, town, "administrator");
    const draftNews = await createNews(ctx.db, town, labeEditor, { title: "Brouillon : horaires d'hivernage des services" });
    await createNews(ctx.db, town, labeEditor, { published: true });
    const draftPage = await createPage(ctx.db, town, labeEditor, { slug: "brouillon" });
    labe = {
      id: town.id,
      draftNews: draftNews.id,
      draftNewsTitle: draftNews.title,
      draftPage: draftPage.id,
      draftPageSlug: draftPage.slug,
      official: (await createOfficial(ctx.db, town, labeAdministrator)).id,
      editorUser: labeEditor.id,
      editorPhone: labeEditor.phone,
      publishedTable: await tableResource(town.id, (await createDataset(ctx.db, town, labeEditor, { published: true })).id, "quartier,montant\nCentre,10\nNord,20\n"),
      draftTable: await tableResource(town.id, (await createDataset(ctx.db, town, labeEditor)).id, `quartier,montant\n${DRAFT_VALUE},42\n`),
    };
    rufisqueResident = (await createResident(ctx.db, rufisque)).phone;
    editor = new Browser(ctx.app);
    await editor.signIn((await createStaff(ctx.db, rufisque, "editor")).phone);
    administrator = new Browser(ctx.app);
    await administrator.signIn((await createStaff(ctx.db, rufisque, "administrator")).phone);
    snapshotBefore = await snapshot();
  });
  after(() => ctx.close());

  it("Labé's own editor opens the draft the others are refused, so the refusals below are not about ids that do not exist", async () => {
    const labeEditor = new Browser(ctx.app);
    await labeEditor.signIn(labe.editorPhone);
    assert.equal((await labeEditor.get(`/labe/news/${labe.draftNews}`)).statusCode, 200);
    assert.equal((await labeEditor.get(`/labe/admin/news/${labe.draftNews}/edit`)).statusCode, 200);
  });

  it("reads through Labé's address answer 403 for its back office and 404 for its drafts, to Rufisque's editor and administrator, and its API lists no draft", async () => {
    const reads: [string, number][] = [
      [`/labe/news/${labe.draftNews}`, 404],
      [`/labe/pages/${labe.draftPageSlug}`, 404],
      ["/labe/admin", 403],
      ["/labe/admin/news", 403],
      [`/labe/admin/news/${labe.draftNews}/edit`, 403],
      ["/labe/admin/pages", 403],
      [`/labe/admin/pages/${labe.draftPage}/edit`, 403],
      ["/labe/admin/members", 403],
      ["/labe/admin/officials", 403],
    ];
    for (const browser of [editor, administrator]) {
      for (const [url, status] of reads) assert.equal((await browser.get(url)).statusCode, status, url);
    }
    const api = await editor.get("/api/v1/labe/news", { accept: "application/json" });
    assert.ok(!api.body.includes(labe.draftNews), "the API must not list Labé's draft");
  });

  it("Labé's ids read through Rufisque's own address answer 404 and show nothing of the draft", async () => {
    for (const url of [
      `/rufisque/news/${labe.draftNews}`,
      `/rufisque/admin/news/${labe.draftNews}/edit`,
      `/rufisque/admin/pages/${labe.draftPage}/edit`,
    ]) {
      const response = await editor.get(url);
      assert.equal(response.statusCode, 404, url);
      assert.ok(!visibleText(response.body).includes(labe.draftNewsTitle), `${url} leaked the draft's title`);
    }
  });

  it("writes to Labé's news, pages, officials and members answer 403 under its address and 404 under Rufisque's, and leave its rows unchanged", async () => {
    const content = { title: "Piraté", summary: "", body: "Texte modifié", language: "fr", slug: "pirate" };
    const writes: [Browser, string, Record<string, string>, number][] = [
      [editor, `/labe/admin/news/${labe.draftNews}`, content, 403],
      [editor, `/labe/admin/news/${labe.draftNews}/publish`, {}, 403],
      [editor, `/labe/admin/pages/${labe.draftPage}`, content, 403],
      [editor, `/labe/admin/pages/${labe.draftPage}/publish`, {}, 403],
      [editor, "/labe/admin/news", content, 403],
      [editor, `/rufisque/admin/news/${labe.draftNews}`, content, 404],
      [editor, `/rufisque/admin/news/${labe.draftNews}/publish`, {}, 404],
      [editor, `/rufisque/admin/pages/${labe.draftPage}`, content, 404],
      [editor, `/rufisque/admin/pages/${labe.draftPage}/publish`, {}, 404],
      [administrator, `/labe/admin/officials/${labe.official}/delete`, {}, 403],
      [administrator, `/rufisque/admin/officials/${labe.official}/delete`, {}, 404],
      [administrator, "/labe/admin/members", { identifier: rufisqueResident, role: "administrator" }, 403],
      [administrator, "/rufisque/admin/members/revoke", { user_id: labe.editorUser, role: "editor" }, 404],
      [administrator, "/labe/admin/members/revoke", { user_id: labe.editorUser, role: "editor" }, 403],
    ];
    for (const [browser, url, fields, status] of writes) {
      assert.equal((await browser.post(url, fields)).statusCode, status, url);
    }
    const json = await editor.postJson("/api/v1/labe/news", { title: "Piraté", body: "x", publish: true });
    assert.equal(json.statusCode, 403);
    assert.equal(await snapshot(), snapshotBefore, "Labé's data changed");
  });
  it("datastore_search_sql reads Labé's published table, and treats its draft table as absent to everyone, however it is named", async () => {
    const labeEditor = new Browser(ctx.app);
    await labeEditor.signIn(labe.editorPhone);
    const visitor = new Browser(ctx.app);
    const ask = async (browser: Browser, sql: string) => {
      const response = await browser.get(`/api/3/action/datastore_search_sql?${new URLSearchParams({ sql })}`, { accept: "application/json" });
      assert.ok(!response.body.includes(DRAFT_VALUE), `${sql} showed the draft's rows`);
      return { status: response.statusCode, body: response.json() };
    };
    const published = await ask(visitor, `SELECT quartier, montant FROM "${labe.publishedTable}" ORDER BY montant`);
    assert.equal(published.status, 200);
    assert.deepEqual(published.body.result.records, [{ quartier: "Centre", montant: 10 }, { quartier: "Nord", montant: 20 }]);

    const never = randomUUID();
    const hex = tableNameOf(labe.draftTable);
    assert.deepEqual(await ctx.db.query(`SELECT quartier FROM datastore.${hex}`), [{ quartier: DRAFT_VALUE }], "the draft's table is there to be refused");
    for (const browser of [visitor, editor, administrator, labeEditor]) {
      const draft = await ask(browser, `SELECT * FROM "${labe.draftTable}"`);
      const unknown = await ask(browser, `SELECT * FROM "${never}"`);
      assert.equal(draft.status, 409);
      assert.deepEqual(draft.body.error.query, [`relation "${labe.draftTable}" does not exist`]);
      assert.deepEqual(JSON.parse(JSON.stringify(draft.body).replaceAll(labe.draftTable, never)), unknown.body, "a draft answers exactly as an id never used");
      for (const sql of [
        `SELECT * FROM "${labe.draftTable.toUpperCase()}"`,
        `SELECT p.quartier FROM "${labe.publishedTable}" p JOIN "${labe.draftTable}" d ON true`,
        `SELECT (SELECT max(quartier) FROM "${labe.draftTable}") FROM "${labe.publishedTable}"`,
        `SELECT quartier FROM "${labe.publishedTable}" UNION SELECT quartier FROM "${labe.draftTable}"`,
        `WITH d AS (SELECT * FROM "${labe.draftTable}") SELECT * FROM d`,
        `SELECT * FROM datastore.${hex}`,
        `SELECT * FROM "${hex}"`,
        `SELECT * FROM ${hex}`,
      ]) {
        const answer = await ask(browser, sql);
        assert.equal(answer.status, 409, sql);
        assert.match(answer.body.error.query[0], /does not exist/, sql);
      }
      const search = await browser.get(`/api/3/action/datastore_search?resource_id=${labe.draftTable}`, { accept: "application/json" });
      assert.equal(search.statusCode, 404);
    }
    assert.equal(await snapshot(), snapshotBefore, "Labé's data changed");
  });
});
