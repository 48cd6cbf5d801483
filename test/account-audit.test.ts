import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { recordAudit } from "../src/core/audit/index.js";
import { auditVocabulary } from "../src/core/modules.js";
import { MODULES } from "../src/modules/index.js";
import { codeOf, fieldErrors, fieldReasons, fr, pt, shown } from "./answers.js";
import { Browser, createTestApp, DEMO, idOf, lastCodeSentTo, visibleText, type TestContext } from "./helpers.js";

/** The entries a page of the audit log lists, newest first, as their rows carry them. */
function rowsOf(html: string): { seq: number; action: string }[] {
  return [...html.matchAll(/<tr data-action="([^"]+)" data-seq="(\d+)">/g)].map((match) => ({ action: match[1]!, seq: Number(match[2]) }));
}

/** The address of a page link (older, newer) on an audit page, entities decoded. */
function linkOf(html: string, rel: "next" | "prev"): string | undefined {
  const match = new RegExp(`<a href="([^"]+)" rel="${rel}"`).exec(html);
  return match?.[1]?.replaceAll("&amp;", "&");
}

describe("the account page: password change, links to the person's own things, roles only for staff", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp();
  });
  after(() => ctx.close());

  /** A resident of Rufisque who signed up and confirmed their number, signed in on one device. */
  async function newResident(phone: string, password: string): Promise<Browser> {
    const browser = new Browser(ctx.app);
    await browser.post("/account/signup", { name: "Seynabou Ndiaye", identifier: phone, country: "SN", password, m: "rufisque" });
    const confirmed = await browser.post("/account/confirm", { identifier: phone, country: "SN", password, code: lastCodeSentTo(ctx.notifier, phone) });
    assert.equal(confirmed.statusCode, 303);
    return browser;
  }

  it("refuses a wrong current password and a confirmation that differs, in the person's language, and changes nothing", async () => {
    const browser = await newResident("+221775557001", "ancien-mot-2026");
    const wrong = await browser.post("/account/password", { current_password: "pas-le-bon-1", password: "nouveau-mot-2026", password_confirmation: "nouveau-mot-2026" });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(fieldReasons(wrong.body), { current_password: "BAD_CURRENT_PASSWORD" });
    assert.match(visibleText(wrong.body), shown(fr("auth.error.bad_current_password")));
    assert.doesNotMatch(wrong.body, /pas-le-bon-1|nouveau-mot-2026/, "no password is echoed back into the form");

    const mismatch = await browser.post("/account/password", { current_password: "ancien-mot-2026", password: "nouveau-mot-2026", password_confirmation: "nouveau-mot-2027" });
    assert.equal(mismatch.statusCode, 400);
    assert.deepEqual(fieldReasons(mismatch.body), { password_confirmation: "PASSWORD_MISMATCH" });
    assert.match(visibleText(mismatch.body), shown(fr("auth.error.password_mismatch")));

    const short = await browser.post("/account/password", { current_password: "ancien-mot-2026", password: "court", password_confirmation: "court" });
    assert.equal(short.statusCode, 400);
    assert.deepEqual(fieldErrors(short.body), { password: "form.too_short" }, "the same rules as at sign-up");

    // The person chooses Portuguese (kept on the account): the refusal speaks it.
    assert.equal((await browser.post("/lang", { lang: "pt", next: "/account" })).statusCode, 303);
    const wrongPt = await browser.post("/account/password", { current_password: "pas-le-bon-1", password: "nouveau-mot-2026", password_confirmation: "nouveau-mot-2026" });
    assert.match(visibleText(wrongPt.body), shown(pt("auth.error.bad_current_password")));

    const forged = await browser.post("/account/password", { current_password: "ancien-mot-2026", password: "nouveau-mot-2026", password_confirmation: "nouveau-mot-2026" }, { csrf: null });
    assert.equal(forged.statusCode, 403, "a form posted from elsewhere is refused");
    await new Browser(ctx.app).signIn("+221775557001", "ancien-mot-2026");
  });

  it("a changed password signs in, the old one no longer does, other devices are signed out and this one stays; the change is audited", async () => {
    const browser = await newResident("+221775557002", "ancien-mot-2026");
    const otherDevice = new Browser(ctx.app);
    await otherDevice.signIn("+221775557002", "ancien-mot-2026");
    assert.equal((await otherDevice.get("/account")).statusCode, 200);

    const changed = await browser.post("/account/password", { current_password: "ancien-mot-2026", password: "nouveau-mot-2026", password_confirmation: "nouveau-mot-2026" });
    assert.equal(changed.statusCode, 303);
    assert.equal(changed.headers.location, "/account");
    const page = await browser.get("/account");
    assert.equal(page.statusCode, 200, "the device that changed it stays signed in");
    assert.match(visibleText(page.body), shown(fr("auth.flash.password_changed_here")));

    const other = await otherDevice.get("/account");
    assert.equal(other.statusCode, 303, "the other device is signed out");
    assert.match(String(other.headers.location), /^\/account\/signin/);

    const old = await new Browser(ctx.app).post("/account/signin", { identifier: "+221775557002", password: "ancien-mot-2026" });
    assert.equal(old.statusCode, 400);
    assert.deepEqual(fieldReasons(old.body), { password: "BAD_CREDENTIALS" });
    await new Browser(ctx.app).signIn("+221775557002", "nouveau-mot-2026");

    const userId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = '+221775557002'", []);
    const entries = await ctx.db.query<{ chain: string; actor_id: string; data: Record<string, unknown> }>(
      "SELECT chain, actor_id, data FROM audit_log WHERE action = 'auth.password.change' AND subject_id = $1",
      [userId],
    );
    assert.deepEqual(entries, [{ chain: "network", actor_id: userId, data: { other_sessions_closed: 1 } }]);
  });

  it("the password form needs a session", async () => {
    const response = await new Browser(ctx.app).post("/account/password", { current_password: "x", password: "nouveau-mot-2026", password_confirmation: "nouveau-mot-2026" });
    assert.ok([401, 303].includes(response.statusCode));
    assert.equal(codeOf(response) ?? "UNAUTHENTICATED", "UNAUTHENTICATED");
  });

  it("a resident's account page links to their dossiers and participation, and says nothing about roles", async () => {
    const browser = new Browser(ctx.app);
    await browser.signIn(DEMO.rufisque.citizen);
    const page = await browser.get("/account");
    assert.equal(page.statusCode, 200);
    const text = visibleText(page.body);
    const dossiers = await ctx.db.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM dossiers WHERE applicant_id = (SELECT id FROM users WHERE phone = $1) AND erased_at IS NULL",
      [DEMO.rufisque.citizen],
    );
    assert.ok(dossiers[0]!.count > 1, "the demo resident holds dossiers");
    assert.match(text, shown(fr("eservices.account.title")));
    assert.match(page.body, /<a href="\/rufisque\/dossiers"/);
    assert.match(text, shown(fr("eservices.account.dossiers", { name: "Rufisque", count: dossiers[0]!.count })));
    assert.match(text, shown(fr("participation.account.title")));
    assert.match(page.body, /<a href="\/rufisque\/participation[/"]/);
    assert.doesNotMatch(text, shown(fr("auth.account.roles")));
    assert.doesNotMatch(text, /aucun rôle/);
    assert.match(text, shown(fr("auth.account.password")));
  });

  it("a resident who proposed in a process finds that process on their account page", async () => {
    const browser = new Browser(ctx.app);
    await browser.signIn("+221770000111");
    const page = await browser.get("/account");
    const [taken] = await ctx.db.query<{ slug: string }>(
      `SELECT DISTINCT pr.slug FROM proposals p JOIN processes pr ON pr.municipality_id = p.municipality_id AND pr.id = p.process_id
       WHERE p.author_id = (SELECT id FROM users WHERE phone = '+221770000111') UNION
       SELECT DISTINCT pr.slug FROM proposal_supports s JOIN proposals p ON p.municipality_id = s.municipality_id AND p.id = s.proposal_id
       JOIN processes pr ON pr.municipality_id = p.municipality_id AND pr.id = p.process_id WHERE s.user_id = (SELECT id FROM users WHERE phone = '+221770000111')`,
    );
    assert.ok(taken, "the demo resident took part in a process");
    assert.match(page.body, new RegExp(`<a href="/rufisque/participation/${taken.slug}"`));
  });

  it("staff still see their roles", async () => {
    const browser = new Browser(ctx.app);
    await browser.signIn(DEMO.rufisque.administrator);
    const text = visibleText((await browser.get("/account")).body);
    assert.match(text, shown(fr("auth.account.roles")));
    assert.match(text, shown(`${fr("role.administrator")} · Rufisque`));
  });
});

describe("the audit log pages", () => {
  let ctx: TestContext;
  let rufisque: string;
  let admin: Browser;
  before(async () => {
    ctx = await createTestApp();
    rufisque = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    admin = new Browser(ctx.app);
    await admin.signIn(DEMO.rufisque.administrator);
  });
  after(() => ctx.close());

  it("lists an action just made, first, in words, with who made it and a link to its object; a resident stays unnamed", async () => {
    const newsId = await idOf(ctx.db, "SELECT id FROM news WHERE municipality_id = $1 AND status = 'draft' LIMIT 1", [rufisque]);
    assert.equal((await admin.post(`/rufisque/admin/news/${newsId}/publish`)).statusCode, 303);
    const page = await admin.get("/rufisque/admin/audit");
    assert.equal(page.statusCode, 200);
    assert.equal(rowsOf(page.body)[0]?.action, "portal.news.publish");
    const firstRow = /<tr data-action="portal.news.publish"[\s\S]*?<\/tr>/.exec(page.body)![0];
    assert.match(visibleText(firstRow), shown(fr("portal.audit.news_publish")));
    assert.match(visibleText(firstRow), /Administration Rufisque/);
    assert.match(firstRow, new RegExp(`href="/rufisque/admin/news/${newsId}/edit"`));
    assert.match(firstRow, /<time datetime="/);

    const resident = new Browser(ctx.app);
    await resident.signIn(DEMO.rufisque.citizen);
    assert.equal((await resident.post("/rufisque/services/certificat-residence/start")).statusCode, 303);
    const after = await admin.get("/rufisque/admin/audit");
    const residentRow = /<tr data-action="eservices.dossier.create"[\s\S]*?<\/tr>/.exec(after.body)![0];
    assert.match(visibleText(residentRow), shown(fr("audit.log.actor_resident")));
    assert.doesNotMatch(after.body, /Habitant Rufisque/, "a resident's name is not shown to a municipality's administrator");
    assert.doesNotMatch(visibleText(after.body), /\+221/, "no phone number anywhere");
  });

  it("every action the code records has words on the audit page, found by reading the code", () => {
    // Each audit entry names its action literally (`action: "module.subject.verb"`): reading the
    // sources finds the next one as well, so nobody has to remember to give it words.
    const recorded = new Set<string>();
    const read = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) read(full);
        else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
          for (const match of fs.readFileSync(full, "utf8").matchAll(/\baction: "([a-z_]+(?:\.[a-z_]+)+)"/g)) recorded.add(match[1]!);
        }
      }
    };
    read("src");
    assert.ok(recorded.size > 50, `the sources name their actions literally (${recorded.size} found)`);
    const { actions } = auditVocabulary(MODULES);
    assert.deepEqual([...recorded].filter((action) => !actions.has(action)).sort(), [], "actions without words in a manifest's audit.actions");
    for (const key of new Set(actions.values())) assert.notEqual(fr(key), key, `${key} has a French text`);
  });

  it("an action without words shows its code", async () => {
    await ctx.db.transaction((tx) => recordAudit(tx, { actorId: null, municipalityId: rufisque, action: "test.unknown.thing", subjectType: "test", subjectId: "1" }));
    const page = await admin.get("/rufisque/admin/audit?action=test");
    assert.deepEqual(rowsOf(page.body).map((row) => row.action), ["test.unknown.thing"]);
    assert.match(page.body, /<code>test.unknown.thing<\/code>/);
    assert.match(visibleText(page.body), shown(fr("audit.log.actor_platform")));
  });

  it("filters by action prefix, actor, object type and dates, from a GET form", async () => {
    const form = await admin.get("/rufisque/admin/audit");
    assert.match(form.body, /<form method="get" action="\/rufisque\/admin\/audit"/);
    const byPrefix = rowsOf((await admin.get("/rufisque/admin/audit?action=portal.news")).body);
    assert.ok(byPrefix.length > 0);
    assert.ok(byPrefix.every((row) => row.action.startsWith("portal.news.")), "only news actions");
    assert.deepEqual(rowsOf((await admin.get("/rufisque/admin/audit?action=portal.ne")).body), [], "a prefix counts at a dot, not mid-word");

    const adminId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.administrator]);
    const byActor = await admin.get(`/rufisque/admin/audit?actor=${adminId}`);
    const mine = await ctx.db.query<{ seq: string }>("SELECT seq FROM audit_log WHERE chain = $1 AND actor_id = $2 ORDER BY seq DESC LIMIT 50", [rufisque, adminId]);
    assert.deepEqual(rowsOf(byActor.body).map((row) => row.seq), mine.map((row) => Number(row.seq)));
    assert.match(byActor.body, new RegExp(`<option value="${adminId}" selected`), "the filter keeps its choice");

    const bySubject = await admin.get("/rufisque/admin/audit?subject=dossier");
    const dossiers = await ctx.db.query<{ seq: string }>("SELECT seq FROM audit_log WHERE chain = $1 AND subject_type = 'dossier' ORDER BY seq DESC LIMIT 50", [rufisque]);
    assert.deepEqual(rowsOf(bySubject.body).map((row) => row.seq), dossiers.map((row) => Number(row.seq)));

    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Africa/Dakar" }).format(new Date());
    assert.ok(rowsOf((await admin.get(`/rufisque/admin/audit?from=${today}&to=${today}&action=portal.news.publish`)).body).length > 0, "today's publication is within today");
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const later = await admin.get(`/rufisque/admin/audit?from=${tomorrow}`);
    assert.deepEqual(rowsOf(later.body), []);
    assert.match(visibleText(later.body), shown(fr("audit.log.none")));

    const bad = await admin.get("/rufisque/admin/audit?from=31/02/2026&actor=nobody");
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(fieldErrors(bad.body), { actor: "form.invalid_format", from: "form.date.invalid" });
    const reversed = await admin.get(`/rufisque/admin/audit?from=${tomorrow}&to=${today}`);
    assert.deepEqual(fieldErrors(reversed.body), { to: "audit.log.error.range" });
  });

  it("pages through the whole chain by entry number, newest first, each entry once, and back", async () => {
    for (let i = 0; i < 60; i += 1) {
      await ctx.db.transaction((tx) => recordAudit(tx, { actorId: null, municipalityId: rufisque, action: "test.bulk.entry", subjectType: "test", subjectId: String(i) }));
    }
    const [{ count }] = (await ctx.db.query<{ count: number }>("SELECT count(*)::int AS count FROM audit_log WHERE chain = $1", [rufisque])) as [{ count: number }];
    const seen: number[] = [];
    let url: string | undefined = "/rufisque/admin/audit";
    const pages: string[] = [];
    while (url) {
      const page = await admin.get(url);
      assert.equal(page.statusCode, 200);
      pages.push(url);
      seen.push(...rowsOf(page.body).map((row) => row.seq));
      url = linkOf(page.body, "next");
      assert.ok(pages.length <= count, "paging ends");
    }
    assert.ok(pages.length >= 2, "the chain takes more than one page");
    assert.equal(seen.length, count, "every entry once");
    assert.deepEqual(seen, [...seen].sort((a, b) => b - a), "newest first, no entry twice");
    assert.match(pages[1]!, /before=\d+/, "keyset on the entry number, not a page offset");

    const second = await admin.get(pages[1]!);
    const back = linkOf(second.body, "prev")!;
    assert.match(back, /after=\d+/);
    assert.deepEqual(rowsOf((await admin.get(back)).body), rowsOf((await admin.get(pages[0]!)).body), "newer leads back to the first page");
  });

  it("is the municipality's administrators' only: another municipality's administrator, an editor, a resident are refused and see nothing of it", async () => {
    const refusedAs = async (identifier: string | null) => {
      const browser = new Browser(ctx.app);
      if (identifier) await browser.signIn(identifier);
      return browser.get("/rufisque/admin/audit?action=portal");
    };
    for (const identifier of [DEMO.labe.administrator, DEMO.rufisque.editor, DEMO.rufisque.agent, DEMO.rufisque.citizen]) {
      const response = await refusedAs(identifier);
      assert.equal(response.statusCode, 403, identifier);
      assert.deepEqual(rowsOf(response.body), []);
      assert.doesNotMatch(response.body, /portal\.news/);
    }
    const anonymous = await refusedAs(null);
    assert.equal(anonymous.statusCode, 303);
    assert.match(String(anonymous.headers.location), /^\/account\/signin/);
    // Labé's administrator reads Labé's log.
    const labe = new Browser(ctx.app);
    await labe.signIn(DEMO.labe.administrator);
    assert.equal((await labe.get("/labe/admin/audit")).statusCode, 200);
  });

  it("is linked from the dashboard of an administrator, not of an editor", async () => {
    assert.match((await admin.get("/rufisque/admin")).body, /href="\/rufisque\/admin\/audit"/);
    const editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    assert.doesNotMatch((await editor.get("/rufisque/admin")).body, /href="\/rufisque\/admin\/audit"/);
  });

  it("the network's log is the superadmins', names who acted, and is linked from the network's administration", async () => {
    const superadmin = new Browser(ctx.app);
    await superadmin.signIn(DEMO.network.superadmin);
    assert.match((await superadmin.get("/admin/municipalities")).body, /href="\/admin\/audit"/);
    const resident = new Browser(ctx.app);
    await resident.post("/account/signup", { name: "Ousmane Faye", identifier: "+221775557003", country: "SN", password: "ancien-mot-2026" });
    await resident.post("/account/confirm", { identifier: "+221775557003", country: "SN", password: "ancien-mot-2026", code: lastCodeSentTo(ctx.notifier, "+221775557003") });
    const page = await superadmin.get("/admin/audit?action=auth.account");
    assert.equal(page.statusCode, 200);
    const row = /<tr data-action="auth.account.confirm"[\s\S]*?<\/tr>/.exec(page.body)![0];
    assert.match(visibleText(row), shown(fr("audit.action.auth.account.confirm")));
    assert.match(visibleText(row), /Ousmane Faye/, "a superadmin may name residents");
    assert.doesNotMatch(visibleText(page.body), /\+221/);
    for (const identifier of [DEMO.rufisque.administrator, DEMO.network.coordinator]) {
      const browser = new Browser(ctx.app);
      await browser.signIn(identifier);
      const refused = await browser.get("/admin/audit");
      assert.equal(refused.statusCode, 403);
      assert.deepEqual(rowsOf(refused.body), []);
    }
  });
});
