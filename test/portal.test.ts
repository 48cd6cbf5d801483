import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { logAdapter } from "../src/core/notify/index.js";
import { fieldErrors, fieldReasons, fr, reasonOf, shown } from "./answers.js";
import { Browser, createTestApp, DEMO, idOf, visibleText, type TestContext } from "./helpers.js";

describe("portal: the municipality's site and its editors", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp();
  });
  after(() => ctx.close());

  it("the network home lists the seven municipalities grouped by their four countries", async () => {
    const text = visibleText((await new Browser(ctx.app).get("/")).body);
    assert.match(text, /7 communes dans 4 pays/);
    for (const name of ["Rufisque", "Kouroussa", "Dan-Kassari", "Bissau", "Fass-Colobane", "Mantakari", "Labé"]) assert.ok(text.includes(name), name);
    for (const country of ["Sénégal", "Guinée", "Guinée-Bissau", "Niger"]) assert.ok(text.includes(country), country);
  });

  it("a municipality's home page shows its identity, officials, latest news and services, without drafts", async () => {
    const response = await new Browser(ctx.app).get("/rufisque/");
    assert.equal(response.statusCode, 200);
    const text = visibleText(response.body);
    assert.match(text, /Rufisque Dakar, Sénégal/);
    assert.match(text, /Awa Ndiaye — Maire/);
    assert.match(text, /Rufisque ouvre son budget aux citoyens/);
    assert.match(text, /Horaires de la mairie/);
    assert.doesNotMatch(text, /Brouillon : horaires|Page en préparation/);
  });

  it("pages come in the visitor's language, chosen from Accept-Language and then remembered", async () => {
    const visitor = new Browser(ctx.app, { "accept-language": "pt-BR,pt;q=0.9,fr;q=0.5" });
    let page = await visitor.get("/bissau/");
    assert.match(visibleText(page.body), /Últimas notícias/);
    assert.match(page.body, /<html lang="pt">/);
    await visitor.post("/lang", { lang: "en", next: "/bissau/" });
    page = await visitor.get("/bissau/");
    assert.match(visibleText(page.body), /Latest news/);
    assert.match(visibleText(page.body), /Guinea-Bissau/);
  });

  it("an unknown municipality or news item is a 404 page in the visitor's language", async () => {
    const browser = new Browser(ctx.app, { "accept-language": "en" });
    for (const url of ["/nowhere/", "/rufisque/news/not-a-uuid", "/rufisque/news/00000000-0000-4000-8000-000000000000", "/rufisque/pages/nothing"]) {
      const response = await browser.get(url);
      assert.equal(response.statusCode, 404, url);
      assert.match(visibleText(response.body), /This page does not exist or is not public\./, url);
    }
  });

  it("an editor writes a draft, previews it, publishes it, and residents then see it", async () => {
    const editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    const form = await editor.get("/rufisque/admin/news/new");
    assert.equal(form.statusCode, 200);
    const saved = await editor.post("/rufisque/admin/news", {
      title: "Journée de salubrité",
      summary: "Nettoyage des marchés samedi.",
      body: "Rendez-vous à 8 h au marché central.\n\nApportez vos gants.",
      language: "fr",
    });
    assert.equal(saved.statusCode, 303);
    assert.match(visibleText((await editor.get("/rufisque/admin/news")).body), new RegExp(`${shown(fr("portal.flash.news_saved")).source} .*Journée de salubrité ${shown(fr("portal.status.draft")).source}`));
    const id = await idOf(ctx.db, "SELECT id FROM news WHERE title = 'Journée de salubrité'", []);

    const resident = new Browser(ctx.app);
    assert.equal((await resident.get(`/rufisque/news/${id}`)).statusCode, 404, "a draft is not public");
    assert.match(visibleText((await editor.get(`/rufisque/news/${id}`)).body), shown(fr("portal.news.draft_preview")));

    assert.equal((await editor.post(`/rufisque/admin/news/${id}/publish`)).statusCode, 303);
    const published = await resident.get(`/rufisque/news/${id}`);
    assert.equal(published.statusCode, 200);
    const text = visibleText(published.body);
    assert.match(text, /Publié le \d{1,2}(er)? \p{L}+ 20\d\d/u);
    assert.match(published.body, /<p>Rendez-vous à 8 h au marché central\.<\/p><p>Apportez vos gants\.<\/p>/);
    assert.match(visibleText((await resident.get("/rufisque/")).body), /Journée de salubrité/);

    const actions = await ctx.db.query<{ action: string }>("SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY seq", [id]);
    assert.deepEqual(actions.map((a) => a.action), ["portal.news.create", "portal.news.publish"]);

    assert.equal((await editor.post(`/rufisque/admin/news/${id}/unpublish`)).statusCode, 303);
    assert.equal((await resident.get(`/rufisque/news/${id}`)).statusCode, 404);
  });

  it("editing keeps what was typed when a field is wrong, and records which fields changed", async () => {
    const editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    const id = await idOf(ctx.db, "SELECT n.id FROM news n JOIN municipalities m ON m.id = n.municipality_id WHERE m.slug = 'rufisque' AND n.status = 'published' LIMIT 1", []);
    const invalid = await editor.post(`/rufisque/admin/news/${id}`, { title: "x".repeat(201), summary: "Résumé gardé", body: "", language: "fr" });
    assert.equal(invalid.statusCode, 400);
    assert.deepEqual(fieldErrors(invalid.body), { title: "form.too_long", body: "form.required" });
    // The words themselves, once, so that the catalogue (and its parameters) is known to reach the form.
    assert.match(visibleText(invalid.body), /Au plus 200 caractères\./);
    assert.match(invalid.body, /value="Résumé gardé"/);
    const ok = await editor.post(`/rufisque/admin/news/${id}`, { title: "Titre révisé", summary: "Résumé gardé", body: "Nouveau texte.", language: "fr" });
    assert.equal(ok.statusCode, 303);
    const [entry] = await ctx.db.query<{ data: { changed: string[] } }>("SELECT data FROM audit_log WHERE subject_id = $1 AND action = 'portal.news.edit'", [id]);
    assert.deepEqual(entry?.data.changed.sort(), ["body", "summary", "title"]);
  });

  it("a static page gets its own address; a taken address is refused on the form", async () => {
    const editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    const created = await editor.post("/rufisque/admin/pages", { title: "État civil", slug: "etat-civil", body: "Pièces à fournir.", language: "fr" });
    assert.equal(created.statusCode, 303);
    const id = await idOf(ctx.db, "SELECT id FROM pages WHERE slug = 'etat-civil'", []);
    await editor.post(`/rufisque/admin/pages/${id}/publish`);
    assert.match(visibleText((await new Browser(ctx.app).get("/rufisque/pages/etat-civil")).body), /Pièces à fournir\./);
    const clash = await editor.post("/rufisque/admin/pages", { title: "Autre", slug: "etat-civil", body: "x", language: "fr" });
    assert.equal(clash.statusCode, 400);
    assert.deepEqual(fieldReasons(clash.body), { slug: "PAGE_SLUG_TAKEN" });
    const badSlug = await editor.post("/rufisque/admin/pages", { title: "Autre", slug: "État Civil!", body: "x", language: "fr" });
    assert.equal(badSlug.statusCode, 400);
    assert.deepEqual(fieldErrors(badSlug.body), { slug: "form.invalid_format" });
    // Labé may use the same address: slugs are unique per municipality.
    const labeEditor = new Browser(ctx.app);
    await labeEditor.signIn(DEMO.labe.editor);
    assert.equal((await labeEditor.post("/labe/admin/pages", { title: "État civil", slug: "etat-civil", body: "Labé.", language: "fr" })).statusCode, 303);
  });

  it("the administrator keeps the list of officials", async () => {
    const admin = new Browser(ctx.app);
    await admin.signIn(DEMO.rufisque.administrator);
    assert.equal((await admin.post("/rufisque/admin/officials", { name: "Ibrahima Sow", title: "Deuxième adjoint au maire", position: "1" })).statusCode, 303);
    assert.match(visibleText((await admin.get("/rufisque/")).body), /Ibrahima Sow — Deuxième adjoint au maire/);
    const bad = await admin.post("/rufisque/admin/officials", { name: "", title: "Maire", position: "premier" });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(fieldErrors(bad.body), { name: "form.required", position: "form.not_integer" });
    const id = await idOf(ctx.db, "SELECT id FROM officials WHERE name = 'Ibrahima Sow'", []);
    assert.equal((await admin.post(`/rufisque/admin/officials/${id}/delete`)).statusCode, 303);
    assert.doesNotMatch(visibleText((await admin.get("/rufisque/")).body), /Ibrahima Sow/);
  });

  it("the administrator grants and revokes staff roles, which take effect at once and are audited", async () => {
    const admin = new Browser(ctx.app);
    await admin.signIn(DEMO.rufisque.administrator);
    const citizen = new Browser(ctx.app);
    await citizen.signIn(DEMO.rufisque.citizen);
    assert.equal((await citizen.get("/rufisque/admin/news")).statusCode, 403);

    const unknown = await admin.post("/rufisque/admin/members", { identifier: "77 999 99 99", role: "editor" });
    assert.equal(unknown.statusCode, 400);
    assert.deepEqual(fieldReasons(unknown.body), { identifier: "NO_SUCH_ACCOUNT" });

    assert.equal((await admin.post("/rufisque/admin/members", { identifier: "77 000 01 04", role: "editor" })).statusCode, 303);
    assert.equal((await citizen.get("/rufisque/admin/news")).statusCode, 200);
    const userId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.citizen]);
    assert.equal((await admin.post("/rufisque/admin/members/revoke", { user_id: userId, role: "editor" })).statusCode, 303);
    assert.equal((await citizen.get("/rufisque/admin/news")).statusCode, 403);
    const actions = await ctx.db.query<{ action: string }>("SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY seq", [userId]);
    assert.deepEqual(actions.map((a) => a.action), ["auth.role.grant", "auth.role.revoke"]);

    const adminId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.administrator]);
    const ownRole = await admin.post("/rufisque/admin/members/revoke", { user_id: adminId, role: "administrator" });
    assert.deepEqual([ownRole.statusCode, reasonOf(ownRole)], [409, "OWN_ADMINISTRATOR_ROLE"]);
    // The refusal says why, not only that something conflicted.
    assert.match(visibleText(ownRole.body), shown(fr("portal.staff.error.own_administrator_role")));
  });

  it("administrators are told that messages only reach the outbox while no gateway is configured", async () => {
    const fresh = await createTestApp({ notifier: logAdapter(ctx.app.log) });
    try {
      const admin = new Browser(fresh.app);
      await admin.signIn(DEMO.rufisque.administrator);
      assert.match(visibleText((await admin.get("/rufisque/admin")).body), shown(fr("portal.admin.no_gateway")));
      const agent = new Browser(fresh.app);
      await agent.signIn(DEMO.rufisque.agent);
      assert.doesNotMatch(visibleText((await agent.get("/rufisque/admin")).body), shown(fr("portal.admin.no_gateway")));
    } finally {
      await fresh.close();
    }
    // With a gateway that delivers, the warning goes away.
    const admin = new Browser(ctx.app);
    await admin.signIn(DEMO.rufisque.administrator);
    assert.doesNotMatch(visibleText((await admin.get("/rufisque/admin")).body), shown(fr("portal.admin.no_gateway")));
  });

  it("the network's superadmin adds an eighth municipality, which gets its own site at once", async () => {
    const superadmin = new Browser(ctx.app);
    await superadmin.signIn(DEMO.network.superadmin);
    assert.match(visibleText((await superadmin.get("/")).body), shown(fr("nav.network_admin")));
    const invalid = await superadmin.post("/admin/municipalities", { name: "Ziguinchor", slug: "rufisque", country: "SN", region: "Ziguinchor", time_zone: "Europe/Paris" });
    assert.equal(invalid.statusCode, 400);
    const errors = fieldErrors(invalid.body);
    assert.equal(errors.time_zone, "form.invalid_choice");
    assert.equal(errors.lang_fr, "portal.error.language_required");
    assert.match(invalid.body, /value="Ziguinchor"/);
    const taken = await superadmin.post("/admin/municipalities", { name: "Ziguinchor", slug: "rufisque", reference_code: "ZIG", country: "SN", region: "Ziguinchor", time_zone: "Africa/Dakar", lang_fr: "on" });
    assert.equal(taken.statusCode, 400);
    assert.deepEqual(fieldReasons(taken.body), { slug: "MUNICIPALITY_SLUG_TAKEN" });
    const created = await superadmin.post("/admin/municipalities", {
      name: "Ziguinchor",
      slug: "ziguinchor",
      reference_code: "ZIG",
      country: "SN",
      region: "Ziguinchor",
      time_zone: "Africa/Dakar",
      lang_fr: "on",
      description: "Capitale de la Casamance.",
    });
    assert.equal(created.statusCode, 303);
    assert.equal(created.headers.location, "/ziguinchor/admin");
    const home = await new Browser(ctx.app).get("/ziguinchor/");
    assert.equal(home.statusCode, 200);
    assert.match(visibleText(home.body), /Ziguinchor Ziguinchor, Sénégal/);
    const [row] = await ctx.db.query<{ currency: string; languages: string[] }>("SELECT currency, languages FROM municipalities WHERE slug = 'ziguinchor'");
    assert.deepEqual(row, { currency: "XOF", languages: ["fr"] });
    assert.equal((await ctx.db.query("SELECT 1 FROM audit_log WHERE action = 'portal.municipality.create'")).length, 1);
  });

  it("the JSON API lists municipalities and published news, and is described by OpenAPI", async () => {
    const browser = new Browser(ctx.app);
    const municipalities = (await browser.get("/api/v1/municipalities", { accept: "application/json" })).json();
    assert.ok(municipalities.data.length >= 7);
    assert.deepEqual(
      municipalities.data.find((m: { slug: string }) => m.slug === "kouroussa"),
      {
        id: municipalities.data.find((m: { slug: string }) => m.slug === "kouroussa").id,
        slug: "kouroussa",
        name: "Kouroussa",
        country: "GN",
        region: "Kankan",
        time_zone: "Africa/Conakry",
        currency: "GNF",
        languages: ["fr"],
        url: "http://localhost:3000/kouroussa/",
      },
    );
    const news = (await browser.get("/api/v1/labe/news", { accept: "application/json" })).json();
    assert.ok(news.data.length >= 3);
    assert.ok(news.data.every((item: { status: string }) => item.status === "published"));
    const openapi = (await browser.get("/api/v1/openapi.json", { accept: "application/json" })).json();
    assert.equal(openapi.openapi.startsWith("3."), true);
    assert.ok(openapi.paths["/api/v1/{slug}/news"].post);
  });
});
