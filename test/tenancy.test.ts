import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Browser, createTestApp, DEMO, idOf, visibleText, type TestContext } from "./helpers.js";

/**
 * No municipality can read or change another's data. Rufisque's editor and administrator try
 * every route that takes an id, under Labé's address and under their own, with Labé's ids.
 */
describe("tenancy: Rufisque's staff cannot reach Labé's unpublished content", () => {
  let ctx: TestContext;
  let editor: Browser;
  let administrator: Browser;
  let labe: { id: string; draftNews: string; draftPage: string; draftPageSlug: string; official: string; editorUser: string };
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
    ctx = await createTestApp();
    const id = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'labe'", []);
    labe = {
      id,
      draftNews: await idOf(ctx.db, "SELECT id FROM news WHERE municipality_id = $1 AND status = 'draft' LIMIT 1", [id]),
      draftPage: await idOf(ctx.db, "SELECT id FROM pages WHERE municipality_id = $1 AND status = 'draft' LIMIT 1", [id]),
      draftPageSlug: (await ctx.db.query<{ slug: string }>("SELECT slug FROM pages WHERE municipality_id = $1 AND status = 'draft' LIMIT 1", [id]))[0]!.slug,
      official: await idOf(ctx.db, "SELECT id FROM officials WHERE municipality_id = $1 LIMIT 1", [id]),
      editorUser: await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.labe.editor]),
    };
    editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    administrator = new Browser(ctx.app);
    await administrator.signIn(DEMO.rufisque.administrator);
    snapshotBefore = await snapshot();
  });
  after(() => ctx.close());

  it("Labé's own editor can see the draft (the ids are real)", async () => {
    const labeEditor = new Browser(ctx.app);
    await labeEditor.signIn(DEMO.labe.editor);
    assert.equal((await labeEditor.get(`/labe/news/${labe.draftNews}`)).statusCode, 200);
    assert.equal((await labeEditor.get(`/labe/admin/news/${labe.draftNews}/edit`)).statusCode, 200);
  });

  it("reads through Labé's address are refused or not found", async () => {
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

  it("reads of Labé's ids through Rufisque's own address find nothing", async () => {
    for (const url of [
      `/rufisque/news/${labe.draftNews}`,
      `/rufisque/admin/news/${labe.draftNews}/edit`,
      `/rufisque/admin/pages/${labe.draftPage}/edit`,
    ]) {
      const response = await editor.get(url);
      assert.equal(response.statusCode, 404, url);
      assert.ok(!visibleText(response.body).includes("Brouillon : horaires"), `${url} leaked the draft's title`);
    }
  });

  it("writes to Labé's content are refused under either address and change nothing", async () => {
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
      [administrator, "/labe/admin/members", { identifier: DEMO.rufisque.citizen, role: "administrator" }, 403],
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
