import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Browser, createTestApp, DEMO, idOf, type TestContext } from "./helpers.js";

/**
 * Every route × every role. Adding a route without a line here fails the first test, so no
 * route can ship without its access rule being stated and checked.
 */
type Rule = "public" | "signed-in" | "staff" | "content" | "administrator" | "superadmin" | "instructor" | "applicant" | "applicant-or-instructor";

const RULES: Record<string, Rule> = {
  "GET /healthz": "public",
  "GET /sw.js": "public",
  "GET /assets/offline.js": "public",
  "GET /offline": "public",
  "GET /api/v1/openapi.json": "public",
  "POST /lang": "public",
  "GET /robots.txt": "public",
  "GET /sitemap.xml": "public",
  "GET /sitemap-network.xml": "public",
  "GET /:slug/sitemap.xml": "public",
  "GET /favicon.svg": "public",
  "GET /favicon.ico": "public",
  "GET /apple-touch-icon.png": "public",
  "GET /": "public",
  "GET /account/signup": "public",
  "POST /account/signup": "public",
  "GET /account/signin": "public",
  "POST /account/signin": "public",
  "POST /account/signout": "public",
  "GET /account/reset": "public",
  "POST /account/reset": "public",
  "GET /account/reset/confirm": "public",
  "POST /account/reset/confirm": "public",
  "GET /account/confirm": "public",
  "POST /account/confirm": "public",
  "POST /account/confirm/code": "signed-in",
  "GET /account": "signed-in",
  "POST /account/password": "signed-in",
  "GET /:slug/": "public",
  "GET /:slug": "public",
  "GET /:slug/news": "public",
  "GET /:slug/news/:id": "public",
  "GET /:slug/files/:id": "public",
  "GET /:slug/pages": "public",
  "GET /:slug/pages/:page": "public",
  "GET /:slug/admin": "staff",
  "GET /:slug/admin/news": "content",
  "GET /:slug/admin/news/new": "content",
  "POST /:slug/admin/news": "content",
  "GET /:slug/admin/news/:id/edit": "content",
  "POST /:slug/admin/news/:id": "content",
  "POST /:slug/admin/news/:id/publish": "content",
  "POST /:slug/admin/news/:id/unpublish": "content",
  "GET /:slug/admin/pages": "content",
  "GET /:slug/admin/pages/new": "content",
  "POST /:slug/admin/pages": "content",
  "GET /:slug/admin/pages/:id/edit": "content",
  "POST /:slug/admin/pages/:id": "content",
  "POST /:slug/admin/pages/:id/publish": "content",
  "POST /:slug/admin/pages/:id/unpublish": "content",
  "GET /:slug/admin/officials": "administrator",
  "POST /:slug/admin/officials": "administrator",
  "POST /:slug/admin/officials/:id/delete": "administrator",
  "GET /:slug/admin/members": "administrator",
  "POST /:slug/admin/members": "administrator",
  "GET /:slug/admin/identity": "administrator",
  "POST /:slug/admin/identity": "administrator",
  "POST /:slug/admin/members/revoke": "administrator",
  "GET /admin/municipalities": "superadmin",
  "POST /admin/municipalities": "superadmin",
  "GET /data": "public",
  "GET /:slug/data": "public",
  "GET /:slug/data/:dataset": "public",
  "GET /:slug/data/:dataset/resources/:id/download": "public",
  "GET /:slug/data/:dataset/resources/:id": "public",
  "GET /:slug/data/:dataset/resources/:id/rows.csv": "public",
  "GET /:slug/data/:dataset/resources/:id/chart.svg": "public",
  "GET /:slug/data/:dataset/resources/:id/rows.json": "public",
  "GET /:slug/data/:dataset/resources/:id/rows.xlsx": "public",
  "POST /:slug/admin/data/:id/resources/:resource/replace": "content",
  "POST /:slug/admin/data/:id/resources/:resource/schema": "content",
  "GET /:slug/admin/data": "content",
  "GET /:slug/admin/data/new": "content",
  "POST /:slug/admin/data": "content",
  "GET /:slug/admin/data/:id/edit": "content",
  "POST /:slug/admin/data/:id": "content",
  "POST /:slug/admin/data/:id/publish": "content",
  "POST /:slug/admin/data/:id/unpublish": "content",
  "POST /:slug/admin/data/:id/resources": "content",
  "POST /:slug/admin/data/:id/resources/:resource/delete": "content",
  "GET /api/3/action/:name": "public",
  "POST /api/3/action/:name": "public",
  "GET /api/action/:name": "public",
  "POST /api/action/:name": "public",
  "GET /api/3/action/*": "public",
  "POST /api/3/action/*": "public",
  "GET /api/action/*": "public",
  "POST /api/action/*": "public",
  "GET /catalog.ttl": "public",
  "GET /catalog.jsonld": "public",
  "GET /:slug/catalog.ttl": "public",
  "GET /:slug/catalog.jsonld": "public",
  "GET /:slug/data/:dataset/datapackage.json": "public",
  "GET /api/v1/municipalities": "public",
  "GET /api/v1/:slug/news": "public",
  "GET /api/v1/:slug/exports": "public",
  "POST /api/v1/:slug/news": "content",
  "GET /:slug/participation": "public",
  "GET /:slug/participation/verify": "public",
  "POST /:slug/participation/verify/code": "signed-in",
  "POST /:slug/participation/verify": "signed-in",
  "GET /:slug/participation/:process": "public",
  "POST /:slug/participation/:process/follow": "signed-in",
  "POST /:slug/participation/:process/unfollow": "signed-in",
  "GET /:slug/participation/:process/proposals.csv": "public",
  "GET /:slug/participation/:process/proposals/new": "signed-in",
  "POST /:slug/participation/:process/proposals": "signed-in",
  "GET /:slug/participation/:process/proposals/:id": "public",
  "GET /:slug/participation/:process/proposals/:id/photo": "public",
  "POST /:slug/participation/:process/proposals/:id/support": "signed-in",
  "POST /:slug/participation/:process/proposals/:id/unsupport": "signed-in",
  "POST /:slug/participation/:process/proposals/:id/withdraw": "signed-in",
  "POST /:slug/participation/:process/proposals/:id/comments": "signed-in",
  "POST /:slug/participation/:process/proposals/:id/flag": "signed-in",
  "GET /:slug/admin/participation": "content",
  "GET /:slug/admin/participation/new": "content",
  "POST /:slug/admin/participation": "content",
  "GET /:slug/admin/participation/:id": "content",
  "POST /:slug/admin/participation/:id": "content",
  "POST /:slug/admin/participation/:id/publish": "content",
  "POST /:slug/admin/participation/:id/unpublish": "content",
  "POST /:slug/admin/participation/:id/phases": "content",
  "POST /:slug/admin/participation/:id/phases/:phase/delete": "content",
  "POST /:slug/admin/proposals/:id/answer": "content",
  "GET /:slug/admin/moderation": "content",
  "POST /:slug/admin/moderation/:type/:id/hide": "content",
  "POST /:slug/admin/moderation/:type/:id/dismiss": "content",
  "GET /:slug/admin/residents": "staff",
  "POST /:slug/admin/residents": "staff",
  "GET /:slug/meetings": "public",
  "GET /:slug/meetings.ics": "public",
  "GET /:slug/meetings/attendance.csv": "public",
  "GET /:slug/meetings/:id": "public",
  "GET /:slug/meetings/:id/photos/:photo": "public",
  "POST /:slug/meetings/:id/register": "signed-in",
  "POST /:slug/meetings/:id/unregister": "signed-in",
  "GET /:slug/admin/meetings": "content",
  "GET /:slug/admin/meetings/new": "content",
  "POST /:slug/admin/meetings": "content",
  "POST /:slug/admin/meetings/new": "content",
  "GET /:slug/admin/meetings/:id": "content",
  "POST /:slug/admin/meetings/:id": "content",
  "POST /:slug/admin/meetings/:id/publish": "content",
  "POST /:slug/admin/meetings/:id/cancel": "content",
  "POST /:slug/admin/meetings/:id/minutes": "content",
  "GET /:slug/admin/meetings/:id/attendance": "staff",
  "POST /:slug/admin/meetings/:id/attendance": "staff",
  "GET /:slug/participation/:process/surveys/:survey": "public",
  "GET /:slug/participation/:process/surveys/:survey/results.csv": "public",
  "POST /:slug/participation/:process/surveys/:survey/responses": "signed-in",
  "GET /api/v1/:slug/surveys/:survey/results": "public",
  "GET /api/v1/:slug/surveys": "public",
  "GET /api/v1/:slug/surveys/:survey": "public",
  "GET /:slug/admin/participation/:id/surveys": "content",
  "POST /:slug/admin/participation/:id/surveys": "content",
  "GET /:slug/admin/surveys/:survey": "content",
  "POST /:slug/admin/surveys/:survey": "content",
  "POST /:slug/admin/surveys/:survey/questions": "content",
  "POST /:slug/admin/surveys/:survey/questions/:question/move": "content",
  "POST /:slug/admin/surveys/:survey/questions/:question/delete": "content",
  "POST /:slug/admin/surveys/:survey/open": "content",
  "POST /:slug/admin/surveys/:survey/close": "content",
  "GET /:slug/admin/surveys/:survey/responses.csv": "content",
  "GET /:slug/participation/:process/budgets/:budget": "public",
  "GET /:slug/participation/:process/budgets/:budget/results.csv": "public",
  "POST /:slug/participation/:process/budgets/:budget/ballot": "signed-in",
  "GET /:slug/admin/participation/:id/budgets": "content",
  "POST /:slug/admin/participation/:id/budgets": "content",
  "GET /:slug/admin/budgets/:budget": "content",
  "POST /:slug/admin/budgets/:budget": "content",
  "POST /:slug/admin/budgets/:budget/projects": "content",
  "POST /:slug/admin/budgets/:budget/projects/:project/delete": "content",
  "POST /:slug/admin/budgets/:budget/publish": "content",
  "POST /:slug/admin/budgets/:budget/results": "content",
  "GET /api/v1/:slug/processes": "public",
  "GET /api/v1/:slug/processes/:process/proposals": "public",
  "GET /api/v1/:slug/budgets": "public",
  "GET /api/v1/:slug/budgets/:budget": "public",
  "GET /api/v1/:slug/meetings": "public",
  "GET /api/v1/:slug/meetings/:meeting": "public",
  "GET /:slug/services": "public",
  "GET /:slug/services/stats.csv": "public",
  "GET /:slug/services/:procedure": "public",
  "POST /:slug/services/:procedure/start": "signed-in",
  "GET /:slug/dossiers": "signed-in",
  "GET /:slug/dossiers/mine.json": "signed-in",
  "GET /:slug/dossiers/:id": "applicant",
  "POST /:slug/dossiers/:id": "applicant",
  "POST /:slug/dossiers/:id/submit": "applicant",
  "GET /:slug/dossiers/:id/delete": "applicant",
  "POST /:slug/dossiers/:id/delete": "applicant",
  "POST /:slug/dossiers/:id/messages": "applicant",
  "GET /:slug/dossiers/:id/certificates/:number": "applicant-or-instructor",
  "GET /:slug/dossiers/:id/files/:file": "applicant-or-instructor",
  "GET /:slug/suivi": "public",
  "POST /:slug/suivi": "public",
  "GET /assets/verify-certificate.js": "public",
  "GET /verify": "public",
  "GET /verify/:number": "public",
  "POST /verify": "public",
  "POST /verify/token": "public",
  "POST /verify/code": "public",
  "GET /:slug/admin/services": "instructor",
  "GET /:slug/admin/services/new": "administrator",
  "POST /:slug/admin/services": "administrator",
  "GET /:slug/admin/services/:id": "administrator",
  "POST /:slug/admin/services/:id": "administrator",
  "POST /:slug/admin/services/:id/publish": "administrator",
  "POST /:slug/admin/services/:id/close": "administrator",
  "POST /:slug/admin/services/:id/unpublish": "administrator",
  "POST /:slug/admin/services/:id/sections": "administrator",
  "POST /:slug/admin/services/:id/fields": "administrator",
  "POST /:slug/admin/services/:id/fields/:field/delete": "administrator",
  "POST /:slug/admin/services/:id/fields/:field/move": "administrator",
  "GET /:slug/admin/services/:id/fields/:field/edit": "administrator",
  "POST /:slug/admin/services/:id/fields/:field/edit": "administrator",
  "GET /:slug/admin/keys": "administrator",
  "POST /:slug/admin/keys/rotate": "administrator",
  "GET /:slug/admin/dossiers": "instructor",
  "GET /:slug/admin/dossiers/:id": "instructor",
  "POST /:slug/admin/dossiers/:id/take": "instructor",
  "POST /:slug/admin/dossiers/:id/request_correction": "instructor",
  "POST /:slug/admin/dossiers/:id/accept": "instructor",
  "POST /:slug/admin/dossiers/:id/refuse": "instructor",
  "POST /:slug/admin/dossiers/:id/close": "instructor",
  "POST /:slug/admin/dossiers/:id/reopen": "instructor",
  "POST /:slug/admin/dossiers/:id/notes": "instructor",
  "POST /:slug/admin/dossiers/:id/messages": "instructor",
  "POST /:slug/admin/dossiers/:id/reassign": "instructor",
  "POST /:slug/admin/dossiers/:id/certificates/:number/revoke": "administrator",
  "GET /:slug/admin/counter": "instructor",
  "POST /:slug/admin/counter": "instructor",
  "GET /api/v1/:slug/procedures": "public",
  "GET /api/v1/:slug/procedures/:procedure": "public",
  "GET /audit/checkpoints": "public",
  "GET /audit/checkpoints.json": "public",
  "GET /:slug/audit/checkpoints": "public",
  "GET /:slug/audit/checkpoints.json": "public",
  "GET /:slug/admin/audit": "administrator",
  "GET /admin/audit": "superadmin",
};

type Role = "anonymous" | "citizen" | "agent" | "editor" | "administrator" | "labe-editor" | "coordinator" | "volunteer" | "superadmin";
const ROLES: Role[] = ["anonymous", "citizen", "agent", "editor", "administrator", "labe-editor", "coordinator", "volunteer", "superadmin"];

const ALLOWED: Record<Rule, Role[]> = {
  public: ROLES,
  "signed-in": ROLES.filter((role) => role !== "anonymous"),
  staff: ["agent", "editor", "administrator", "superadmin"],
  content: ["editor", "administrator", "superadmin"],
  administrator: ["administrator", "superadmin"],
  superadmin: ["superadmin"],
  instructor: ["agent", "administrator", "superadmin"],
  // A dossier is its applicant's (the demo citizen's); to anyone else it does not exist (404).
  applicant: ["citizen"],
  "applicant-or-instructor": ["citizen", "agent", "administrator", "superadmin"],
};
const HIDDEN_AS_NOT_FOUND: Rule[] = ["applicant", "applicant-or-instructor"];

const IDENTIFIERS: Record<Exclude<Role, "anonymous">, string> = {
  citizen: DEMO.rufisque.citizen,
  agent: DEMO.rufisque.agent,
  editor: DEMO.rufisque.editor,
  administrator: DEMO.rufisque.administrator,
  "labe-editor": DEMO.labe.editor,
  coordinator: DEMO.network.coordinator,
  volunteer: DEMO.network.volunteer,
  superadmin: DEMO.network.superadmin,
};

describe("access control: every route for every role", () => {
  let ctx: TestContext;
  const browsers = new Map<Role, Browser>();
  let params: Record<string, string>;

  before(async () => {
    ctx = await createTestApp();
    const rufisque = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    params = {
      slug: "rufisque",
      // A draft: editing and publishing it must be allowed only to Rufisque's editors.
      newsId: await idOf(ctx.db, "SELECT id FROM news WHERE municipality_id = $1 AND status = 'draft' LIMIT 1", [rufisque]),
      pageId: await idOf(ctx.db, "SELECT id FROM pages WHERE municipality_id = $1 AND status = 'draft' LIMIT 1", [rufisque]),
      page: "a-propos",
      dataset: "ecoles",
      datasetId: await idOf(ctx.db, "SELECT id FROM datasets WHERE municipality_id = $1 AND slug = 'ecoles'", [rufisque]),
      resourceId: await idOf(ctx.db, "SELECT r.id FROM dataset_resources r JOIN datasets d ON d.id = r.dataset_id WHERE d.municipality_id = $1 AND d.slug = 'ecoles'", [rufisque]),
      procedure: "extrait-acte-naissance",
      procedureId: await idOf(ctx.db, "SELECT id FROM procedures WHERE municipality_id = $1 AND slug = 'extrait-acte-naissance'", [rufisque]),
      draftId: await idOf(ctx.db, "SELECT id FROM dossiers WHERE municipality_id = $1 AND state = 'draft' AND applicant_id IS NOT NULL", [rufisque]),
      // The citizen's certificate of residence, sent back for corrections: it carries a file.
      withFileId: await idOf(ctx.db, "SELECT d.id FROM dossiers d JOIN procedures p ON p.id = d.procedure_id WHERE d.municipality_id = $1 AND p.slug = 'certificat-residence' AND d.applicant_id IS NOT NULL", [rufisque]),
      acceptedId: await idOf(ctx.db, "SELECT d.id FROM dossiers d WHERE d.municipality_id = $1 AND d.state = 'accepted' AND d.applicant_id IS NOT NULL", [rufisque]),
    };
    params.processId = await idOf(ctx.db, "SELECT id FROM processes WHERE municipality_id = $1 AND slug = 'plan-action-local-2027'", [rufisque]);
    params.proposalId = await idOf(ctx.db, "SELECT id FROM proposals WHERE process_id = $1 ORDER BY created_at LIMIT 1", [params.processId]);
    params.surveyId = await idOf(ctx.db, "SELECT id FROM surveys WHERE municipality_id = $1 LIMIT 1", [rufisque]);
    params.budgetId = await idOf(ctx.db, "SELECT id FROM budgets WHERE municipality_id = $1 LIMIT 1", [rufisque]);
    params.meetingId = await idOf(ctx.db, "SELECT id FROM meetings WHERE municipality_id = $1 AND status = 'published' ORDER BY starts_at DESC LIMIT 1", [rufisque]);
    params.fileId = await idOf(ctx.db, "SELECT answers->'justificatif'->>'fileId' AS id FROM dossiers WHERE id = $1", [params.withFileId]);
    params.certificate = (await ctx.db.query<{ number: string }>("SELECT number FROM certificates WHERE dossier_id = $1", [params.acceptedId]))[0]!.number;
    for (const role of ROLES) {
      const browser = new Browser(ctx.app);
      if (role !== "anonymous") await browser.signIn(IDENTIFIERS[role]);
      browsers.set(role, browser);
    }
  });
  after(() => ctx.close());

  it("states a rule for every registered route, and only for registered routes", () => {
    const registered = ctx.app.routeTable.map((route) => `${route.method} ${route.url}`).sort();
    assert.deepEqual(registered, Object.keys(RULES).sort());
  });

  function concreteUrl(url: string, method: string): string {
    if (url.startsWith("/verify/")) return `/verify/${params.certificate}`;
    if (url.includes(":survey") || url.includes(":budget")) {
      // Pages and votes use the demo survey and budget; back-office changes go to unknown ids.
      const real = method === "GET" || url.includes("/participation/:process/");
      return url
        .replace(":slug", params.slug!)
        .replace(":process", url.includes(":budget") ? "budget-participatif-2027" : "plan-action-local-2027")
        .replace(":survey", real ? params.surveyId! : randomUUID())
        .replace(":budget", real ? params.budgetId! : randomUUID())
        .replace(":question", "priorite")
        .replace(":project", randomUUID());
    }
    if (url.includes(":meeting")) return url.replace(":slug", params.slug!).replace(":meeting", params.meetingId!);
    if (url.includes("meetings/:id")) {
      // Pages show the demo's upcoming meeting; changes go to an unknown one.
      return url.replace(":slug", params.slug!).replace(":id", method === "GET" ? params.meetingId! : randomUUID()).replace(":photo", randomUUID());
    }
    if (url.includes(":process") || url.includes("/admin/participation/:id") || url.includes("/admin/proposals/") || url.includes("/admin/moderation/")) {
      // Pages use the demo process and proposal; back-office changes go to unknown ids.
      const real = method === "GET" || url.includes("/participation/:process/");
      return url
        .replace(":slug", params.slug!)
        .replace(":process", "plan-action-local-2027")
        .replace(":id", url.includes("/admin/participation/") ? (method === "GET" ? params.processId! : randomUUID()) : real ? params.proposalId! : randomUUID())
        .replace(":phase", randomUUID())
        .replace(":type", "proposal");
    }
    if (url.startsWith("/:slug/dossiers/:id/files")) return `/rufisque/dossiers/${params.withFileId}/files/${params.fileId}`;
    if (url.startsWith("/:slug/dossiers/:id/certificates")) return `/rufisque/dossiers/${params.acceptedId}/certificates/${params.certificate}.pdf`;
    if (url.startsWith("/:slug/dossiers/:id")) return url.replace(":slug", params.slug!).replace(":id", params.draftId!);
    if (url.includes("/admin/dossiers/:id")) {
      // Decisions go to an unknown dossier (nothing changes); pages and revocation use a real one.
      const real = method === "GET" || url.endsWith("/revoke");
      return url.replace(":slug", params.slug!).replace(":id", real ? params.acceptedId! : randomUUID()).replace(":number", "RUF-2026-99999-C1");
    }
    if (url.includes("/admin/services/:id")) {
      return url.replace(":slug", params.slug!).replace(":id", method === "GET" ? params.procedureId! : randomUUID()).replace(":field", "nom");
    }
    if (url.includes(":procedure")) return url.replace(":slug", params.slug!).replace(":procedure", params.procedure!);
    if (url.includes("/data/")) {
      return url
        .replace(":slug", params.slug!)
        .replace(":dataset", params.dataset!)
        .replace("resources/:id", `resources/${params.resourceId}`)
        .replace(":id", params.datasetId!)
        .replace(":resource", randomUUID());
    }
    return url
      .replace(":slug", params.slug!)
      // Posting to a random id proves the gate without changing demo data; GET uses a real draft.
      .replace(":id/delete", `${randomUUID()}/delete`)
      .replace(":id", url.includes("/pages/") ? params.pageId! : method === "GET" || url.endsWith("publish") || /\/:id$/.test(url) ? params.newsId! : randomUUID())
      .replace(":page", params.page!);
  }

  for (const [route, rule] of Object.entries(RULES)) {
    it(`${route} is ${rule}`, async () => {
      const [method, url] = route.split(" ") as [string, string];
      const target = concreteUrl(url, method);
      for (const role of ROLES) {
        // Signing out would end the shared session; a fresh one is used for that route.
        const browser = route === "POST /account/signout" && role !== "anonymous" ? new Browser(ctx.app) : browsers.get(role)!;
        if (browser !== browsers.get(role) && role !== "anonymous") await browser.signIn(IDENTIFIERS[role as Exclude<Role, "anonymous">]);
        const response =
          method === "GET"
            ? await browser.get(target)
            : target.startsWith("/api/")
              ? await browser.postJson(target, {})
              : await browser.post(target, { user_id: randomUUID(), role: "agent" });
        // A server error is neither allowed nor refused: the route is broken for this role.
        assert.ok(response.statusCode < 500, `${route} as ${role}: server error ${response.statusCode} at ${method} ${target}`);
        const hidden = HIDDEN_AS_NOT_FOUND.includes(rule);
        const refused =
          response.statusCode === 401 ||
          response.statusCode === 403 ||
          (hidden && response.statusCode === 404) ||
          (response.statusCode === 303 && String(response.headers.location).startsWith("/account/signin"));
        const expectAllowed = ALLOWED[rule].includes(role);
        assert.equal(!refused, expectAllowed, `${route} as ${role}: status ${response.statusCode} ${response.headers.location ?? ""}`);
        if (!expectAllowed && role !== "anonymous") assert.equal(response.statusCode, hidden ? 404 : 403, `${route} as ${role} must be ${hidden ? "not found" : "forbidden, not asked to sign in"}`);
      }
    });
  }
});
