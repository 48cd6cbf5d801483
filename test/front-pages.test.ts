import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { contrastRatio, inkFor } from "../src/core/tenancy/brand.js";
import { findMunicipalityBySlug, listMunicipalities, type Municipality } from "../src/core/tenancy/index.js";
import { createMeeting, publishMeeting } from "../src/modules/participation/meetings/service.js";
import { fieldErrors, fr, shown } from "./answers.js";
import { createDataset, createNews, createProcess, createProposal, createResident, createStaff } from "./factories.js";
import { Browser, createTestApp, DEMO, visibleText, type TestContext } from "./helpers.js";

/** The figures a front page shows, by key: the number in bold, read back as a number. */
function figuresOf(html: string): Record<string, number> {
  return Object.fromEntries([...html.matchAll(/<li data-figure="([a-z_]+)"><strong>([^<]+)<\/strong>/g)].map((m) => [m[1]!, Number(m[2]!.replace(/\D/g, ""))]));
}

/** The header's class and the colour its band is drawn in, if any. */
function headerOf(html: string): { className: string; band: string | undefined } {
  const header = /<header class="([^"]+)">([\s\S]*?)<\/header>/.exec(html);
  assert.ok(header, "the page has a header");
  return { className: header[1]!, band: /<svg class="band"[^>]*><rect[^>]* fill="(#[0-9a-f]{6})"/.exec(header[2]!)?.[1] };
}

describe("front pages: the network's home and a municipality's home", () => {
  let ctx: TestContext;
  let rufisque: Municipality;
  before(async () => {
    ctx = await createTestApp();
    rufisque = (await findMunicipalityBySlug(ctx.db, "rufisque"))!;
  });
  after(() => ctx.close());

  it("the network home counts what the municipalities published, and the count follows a new dataset and a new proposal", async () => {
    const visitor = new Browser(ctx.app);
    const before = figuresOf((await visitor.get("/")).body);
    const [expected] = await ctx.db.query<{ datasets: number; proposals: number; meetings: number; dossiers: number }>(
      `SELECT (SELECT count(*)::int FROM datasets WHERE status = 'published') AS datasets,
              (SELECT count(*)::int FROM proposals p JOIN processes pr ON pr.municipality_id = p.municipality_id AND pr.id = p.process_id
                WHERE p.hidden_at IS NULL AND p.status <> 'withdrawn' AND pr.status = 'published') AS proposals,
              (SELECT count(*)::int FROM meetings WHERE status = 'published' AND ends_at <= now()) AS meetings,
              (SELECT count(*)::int FROM dossiers WHERE state IN ('accepted', 'refused', 'closed_without_follow_up')) AS dossiers`,
    );
    assert.deepEqual(before, { datasets: expected!.datasets, proposals: expected!.proposals, meetings_held: expected!.meetings, dossiers_decided: expected!.dossiers });
    assert.ok(before.datasets! > 0 && before.proposals! > 0, "the demo has published data and proposals");

    const editor = await createStaff(ctx.db, rufisque, "editor");
    await createDataset(ctx.db, rufisque, editor, { published: true });
    await createDataset(ctx.db, rufisque, editor, { published: false });
    const process = await createProcess(ctx.db, rufisque, editor);
    await createProposal(ctx.db, ctx.config.filesDir, rufisque, process, await createResident(ctx.db, rufisque, { verified: true }));

    const afterwards = figuresOf((await visitor.get("/")).body);
    assert.equal(afterwards.datasets, before.datasets! + 1, "a published dataset counts, a draft does not");
    assert.equal(afterwards.proposals, before.proposals! + 1);
    assert.equal(afterwards.meetings_held, before.meetings_held);
    // The municipality's home counts its own only.
    const own = figuresOf((await visitor.get("/rufisque/")).body);
    assert.ok(own.datasets! >= 1 && own.datasets! < afterwards.datasets!, "Rufisque's figure is its own share of the network's");
  });

  it("the network home presents the programme, maps the seven municipalities with links to each, and links the data catalogue", async () => {
    const page = await new Browser(ctx.app).get("/");
    assert.equal(page.statusCode, 200);
    const text = visibleText(page.body);
    assert.match(text, shown(fr("portal.network.intro")));
    const municipalities = await listMunicipalities(ctx.db);
    assert.equal(municipalities.length, 7);
    const map = /<svg class="map"[\s\S]*?<\/svg>/.exec(page.body)?.[0] ?? "";
    assert.match(map, /aria-hidden="true"/, "the map repeats the list beside it, so assistive technologies read the list once");
    for (const m of municipalities) {
      assert.match(map, new RegExp(`<a href="/${m.slug}/" tabindex="-1" data-town="${m.slug}">`), `${m.name} has its dot on the map`);
      assert.ok(map.includes(`>${m.name}</text>`), `${m.name} is named on the map`);
      // Outside the map too, where keyboards and screen readers reach it.
      assert.match(page.body.replace(map, ""), new RegExp(`<a href="/${m.slug}/">${m.name}</a>`));
    }
    assert.match(page.body, new RegExp(`<a href="/data">${fr("portal.network.way.data")}</a>`), "the network's data catalogue is one click away");
  });

  it("the network home shows the newest published news of all municipalities first, never a draft", async () => {
    const labe = (await findMunicipalityBySlug(ctx.db, "labe"))!;
    const editor = await createStaff(ctx.db, labe, "editor");
    await createNews(ctx.db, labe, editor, { title: "Labé inaugure son marché", published: true });
    await createNews(ctx.db, labe, editor, { title: "Brouillon de Labé", published: false });
    const text = visibleText((await new Browser(ctx.app).get("/")).body);
    const news = text.slice(text.indexOf(fr("portal.home.latest_news")));
    assert.match(news, /^Dernières actualités Labé inaugure son marché Labé · /);
    assert.doesNotMatch(text, /Brouillon de Labé/);
    // Several municipalities take part in the list, each item naming its own.
    const named = ["Rufisque", "Kouroussa", "Dan-Kassari", "Bissau", "Fass-Colobane", "Mantakari"].filter((name) => news.includes(`${name} · `));
    assert.ok(named.length >= 2, `news from several municipalities: ${named.join(", ")}`);
  });

  it("a municipality's home shows what is open now: running consultations, open votes, this week's meetings and procedures", async () => {
    const editor = await createStaff(ctx.db, rufisque, "editor");
    const process = await createProcess(ctx.db, rufisque, editor, { title: "Concertation sur les marchés" });
    const soon = new Date(Date.now() + 2 * 86_400_000);
    const later = new Date(Date.now() + 20 * 86_400_000);
    const meetingThisWeek = await ctx.db.transaction(async (tx) => {
      const id = await createMeeting(tx, rufisque.id, editor.id, {
        processId: null,
        title: "Réunion de quartier à Keury Souf",
        description: "",
        agenda: "",
        startsAt: soon,
        endsAt: new Date(soon.getTime() + 7_200_000),
        place: "Mairie",
        onlineUrl: null,
        capacity: null,
      });
      await publishMeeting(tx, rufisque.id, editor.id, id);
      return id;
    });
    await ctx.db.transaction(async (tx) => {
      const id = await createMeeting(tx, rufisque.id, editor.id, {
        processId: null,
        title: "Réunion du mois prochain",
        description: "",
        agenda: "",
        startsAt: later,
        endsAt: new Date(later.getTime() + 7_200_000),
        place: "Mairie",
        onlineUrl: null,
        capacity: null,
      });
      await publishMeeting(tx, rufisque.id, editor.id, id);
    });

    const page = await new Browser(ctx.app).get("/rufisque/");
    const section = /<section aria-labelledby="open-now">([\s\S]*?)<\/section>/.exec(page.body)?.[1] ?? "";
    const text = visibleText(section);
    assert.match(section, new RegExp(`<a href="/rufisque/participation/${process.slug}">Concertation sur les marchés</a>`));
    assert.match(text, new RegExp(`${fr("participation.open_now.process")} Concertation sur les marchés`));
    assert.match(section, new RegExp(`<a href="/rufisque/meetings/${meetingThisWeek}">Réunion de quartier à Keury Souf</a>`));
    assert.doesNotMatch(text, /Réunion du mois prochain/, "a meeting beyond this week is not 'open now'");
    const [budget] = await ctx.db.query<{ id: string; title: string }>(
      "SELECT id, title FROM budgets WHERE municipality_id = $1 AND status = 'published' AND voting_opens_at <= now() AND voting_closes_at > now()",
      [rufisque.id],
    );
    assert.ok(budget, "the demo has a budget vote open");
    assert.ok(text.includes(`${fr("participation.open_now.budget")} ${budget.title}`), "the open vote is listed");
    const procedures = await ctx.db.query<{ title: string }>("SELECT title FROM procedures WHERE municipality_id = $1 AND status = 'published'", [rufisque.id]);
    assert.ok(procedures.some((p) => text.includes(`${fr("eservices.open_now.procedure")} ${p.title}`)), "procedures one can file are listed");
    const drafts = await ctx.db.query<{ title: string }>("SELECT title FROM procedures WHERE municipality_id = $1 AND status <> 'published'", [rufisque.id]);
    for (const draft of drafts) assert.ok(!text.includes(draft.title), `${draft.title} is not public`);

    // Another municipality's consultation stays on its own page.
    assert.doesNotMatch(visibleText((await new Browser(ctx.app).get("/labe/")).body), /Concertation sur les marchés/);
  });

  it("an administrator chooses the municipality's colour: the header band and the mark take it, with readable text", async () => {
    const administrator = new Browser(ctx.app);
    await administrator.signIn(DEMO.rufisque.administrator);
    const form = await administrator.get("/rufisque/admin/identity");
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<input id="f-brand_color" name="brand_color"[^>]* type="color" value="#1e7b34"/, "the picker shows the colour in use");

    // A light colour: the band's text turns black.
    assert.equal((await administrator.post("/rufisque/admin/identity", { brand_color: "#F5D76E" })).statusCode, 303);
    let home = await new Browser(ctx.app).get("/rufisque/");
    assert.deepEqual(headerOf(home.body), { className: "site branded ink-dark", band: "#f5d76e" });
    assert.match(home.body, /<svg class="mark"[^>]* role="img" aria-label="Emblème de Rufisque" data-color="#f5d76e"><path[^>]* fill="#f5d76e"[^>]*><\/path><text[^>]* fill="#000000">R<\/text>/);

    // A dark colour: white text.
    assert.equal((await administrator.post("/rufisque/admin/identity", { brand_color: "#3a1f5d" })).statusCode, 303);
    home = await new Browser(ctx.app).get("/rufisque/");
    assert.deepEqual(headerOf(home.body), { className: "site branded", band: "#3a1f5d" });
    // Only this municipality's pages: another keeps its own header.
    assert.notEqual(headerOf((await new Browser(ctx.app).get("/kouroussa/")).body).band, "#3a1f5d");
    assert.equal(headerOf((await new Browser(ctx.app).get("/")).body).className, "site", "the network's pages keep the network's blue");
    const [audit] = await ctx.db.query<{ data: { brand_color: string } }>("SELECT data FROM audit_log WHERE action = 'portal.identity.set' AND municipality_id = $1 ORDER BY seq DESC LIMIT 1", [rufisque.id]);
    assert.equal(audit?.data.brand_color, "#3a1f5d");

    // Going back to the network's colour.
    assert.equal((await administrator.post("/rufisque/admin/identity", { brand_color: "#3a1f5d", reset_color: "on" })).statusCode, 303);
    assert.deepEqual(headerOf((await new Browser(ctx.app).get("/rufisque/")).body), { className: "site", band: undefined });
  });

  it("a colour that is not #rrggbb is refused with a translated message, and only an administrator may set the colour", async () => {
    const administrator = new Browser(ctx.app);
    await administrator.signIn(DEMO.rufisque.administrator);
    for (const bad of ["red", "#12345", "#12345g", "url(javascript:alert(1))", ""]) {
      const refused = await administrator.post("/rufisque/admin/identity", { brand_color: bad });
      assert.equal(refused.statusCode, 400, bad);
      assert.deepEqual(fieldErrors(refused.body), { brand_color: "portal.error.brand_color" }, bad);
      assert.match(visibleText(refused.body), shown(fr("portal.error.brand_color")));
    }
    const english = new Browser(ctx.app, { "accept-language": "en" });
    await english.signIn(DEMO.rufisque.administrator);
    await english.post("/lang", { lang: "en", next: "/rufisque/admin/identity" });
    assert.match(visibleText((await english.post("/rufisque/admin/identity", { brand_color: "blue" })).body), /Choose a colour as #rrggbb/);

    const editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    assert.equal((await editor.get("/rufisque/admin/identity")).statusCode, 403);
    assert.equal((await editor.post("/rufisque/admin/identity", { brand_color: "#000000" })).statusCode, 403);
    // Labé's administrator has no say over Rufisque.
    const otherAdministrator = new Browser(ctx.app);
    await otherAdministrator.signIn(DEMO.labe.administrator);
    assert.equal((await otherAdministrator.post("/rufisque/admin/identity", { brand_color: "#000000" })).statusCode, 403);
    assert.equal((await new Browser(ctx.app).post("/rufisque/admin/identity", { brand_color: "#000000" })).statusCode, 401, "a visitor must sign in first");
    const [row] = await ctx.db.query<{ brand_color: string | null }>("SELECT brand_color FROM municipalities WHERE id = $1", [rufisque.id]);
    assert.notEqual(row?.brand_color, "#000000");
  });

  it("whatever colour is chosen, the band's text contrasts at least 4.5:1 with it", () => {
    // Every colour of a 16-step grid over each channel, the extremes and the middle greys included.
    const steps = Array.from({ length: 16 }, (_, i) => (i * 17).toString(16).padStart(2, "0"));
    for (const r of steps) {
      for (const g of steps) {
        for (const b of steps) {
          const color = `#${r}${g}${b}`;
          assert.ok(contrastRatio(color, inkFor(color)) >= 4.5, `${color} on ${inkFor(color)}`);
        }
      }
    }
    assert.equal(inkFor("#ffffff"), "#000000");
    assert.equal(inkFor("#0b4f8a"), "#ffffff");
  });
});
