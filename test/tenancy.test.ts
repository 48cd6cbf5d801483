import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createMunicipality, createNews, createOfficial, createPage, createResident, createStaff } from "./factories.js";
import { Browser, createTestApp, visibleText, type TestContext } from "./helpers.js";

/**
 * No municipality can read or change another's data. Rufisque's editor and administrator try
 * every route that takes an id, under Labé's address and under their own, with Labé's ids.
 */
describe("tenancy: Rufisque's staff cannot reach Labé's unpublished content", () => {
  let ctx: TestContext;
  let editor: Browser;
  let administrator: Browser;
  let labe: { id: string; draftNews: string; draftNewsTitle: string; draftPage: string; draftPageSlug: string; official: string; editorUser: string; editorPhone: string };
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
});
