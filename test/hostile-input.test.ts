import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { Browser, createTestApp, DEMO, idOf, visibleText } from "./helpers.js";

/**
 * Every registered route, walked with hostile values in its query string, its path parameters
 * and its body (form, JSON, wrong content types), anonymously and signed in (with a valid CSRF
 * token, so that the body reaches the handler). Nothing a client sends may answer 5xx. The
 * routes come from the router and the form fields from the pages themselves, so a new route or
 * a new field is walked without anyone adding it here.
 */

const ctx = await createTestApp();
const routes = ctx.app.routeTable
  .map((route) => ({ ...route }))
  // Reads first, so that the changes the walk makes to demo content do not hide pages from it.
  .sort((a, b) => Number(a.method !== "GET") - Number(b.method !== "GET"));

const LONG = "a".repeat(100_000);
/** Longer than any field allows, short enough that all fields at once fit in a body. */
const OVER = "a".repeat(2_000);
/** The names that get the full 100k characters; every other one gets OVER. */
const LONG_NAMES = new Set(["q", "query", "title", "body", "description", "name"]);

/**
 * The values, chosen so that each one tests something a route does itself: what every route
 * shares (the NUL and UTF-8 checks at the edge, the body parsers) is tested once, further down.
 * In an address or a form body they appear as sent (already percent-encoded where needed).
 */
const ENCODED: Record<string, string> = {
  nul: "%00",
  "overlong (100k characters)": LONG,
  "-1": "-1",
  "1e308": "1e308",
  "99999999999999999999": "99999999999999999999",
  "2026-02-30": "2026-02-30",
};
const QUERY_VALUES = ["nul", "overlong (100k characters)", "-1", "99999999999999999999", "2026-02-30"];
const PATH_VALUES: Record<string, string> = { "invalid UTF-8 %FF": "%FF", "overlong (100k characters)": LONG, "-1": "-1", "2026-02-30": "2026-02-30" };
/** Values where a JSON body has them. */
const JSON_VALUES: Record<string, unknown> = {
  "overlong (100k characters)": LONG,
  "-1": -1,
  "1e308": 1e308,
  array: ["1", "2"],
  object: { a: 1 },
  null: null,
};
/** Whole bodies that are not what a route expects, but that a parser lets through or may. */
const WHOLE_BODIES: { label: string; type?: string; payload?: string }[] = [
  { label: "JSON array", type: "application/json", payload: "[1,2]" },
  { label: "JSON null", type: "application/json", payload: "null" },
  { label: "no body" },
  { label: "text/plain", type: "text/plain", payload: "title=x" },
  { label: "multipart cut short", type: "multipart/form-data; boundary=x", payload: '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nx' },
];
/** What every route shares: tested on a few routes only. */
const PARSER_BODIES: { label: string; type: string; payload: string }[] = [
  { label: "JSON with NUL", type: "application/json", payload: '{"title":"a\\u0000b","body":"x"}' },
  { label: "JSON with a lone surrogate", type: "application/json", payload: '{"title":"a\\ud800b","body":"x"}' },
  { label: "JSON string", type: "application/json", payload: '"x"' },
  { label: "broken JSON", type: "application/json", payload: '{"title":' },
  { label: "deeply nested JSON", type: "application/json", payload: "[".repeat(50_000) + "]".repeat(50_000) },
  { label: "application/xml", type: "application/xml", payload: "<title>x</title>" },
  { label: "form with invalid UTF-8", type: "application/x-www-form-urlencoded", payload: "title=%C3%28&body=%FF&summary=%ED%A0%80" },
  { label: "multipart without boundary", type: "multipart/form-data", payload: '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--x--\r\n' },
  { label: "multipart with an empty boundary", type: "multipart/form-data; boundary=", payload: '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--x--\r\n' },
  { label: "multipart with a wrong boundary", type: "multipart/form-data; boundary=zzz", payload: '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--x--\r\n' },
  { label: "multipart with a NUL field", type: "multipart/form-data; boundary=x", payload: '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\na\u0000b\r\n--x--\r\n' },
  { label: "multipart with a NUL file name", type: "multipart/form-data; boundary=x", payload: '--x\r\nContent-Disposition: form-data; name="attachment"; filename="a\u0000.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--x--\r\n' },
];
const PARSER_ROUTES = ["/rufisque/admin/news", "/api/v1/rufisque/news", "/api/3/action/package_search", "/account/signin"];

/** Query parameters the platform reads somewhere; the pages add the names of their forms. */
const QUERY_NAMES = ["q", "query", "page", "limit", "offset", "rows", "start", "sort", "direction", "fq", "include_total", "id", "name", "resource_id", "filters", "fields", "records_format", "sql", "format", "theme", "licence", "tags", "status", "state", "from", "to", "year", "kind", "next", "m", "queued"];
const NOT_FIELDS = new Set(["_csrf", "_idem"]);

interface Identity {
  label: string;
  cookie: string;
  csrf: string;
}

const ACTIONS = ["status_show", "help_show", "package_list", "package_show", "package_search", "organization_list", "organization_show", "group_list", "tag_list", "datastore_search", "datastore_search_sql", "resource_show"];

describe("hostile input: no route answers 5xx, whatever a client sends", () => {
  const ids: Record<string, string> = {};
  const identities: Record<"anonymous" | "administrator" | "citizen", Identity> = {} as never;
  const fields = new Set(["title", "body", "summary", "name", "description", "identifier", "password", "phone", "email", "date", "language", "reason", "note", "message", "reference", "code", "number"]);

  before(async () => {
    const rufisque = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    const one = (sql: string, params: unknown[] = [rufisque]) => idOf(ctx.db, sql, params);
    ids.news = await one("SELECT id FROM news WHERE municipality_id = $1 ORDER BY status = 'draft' DESC LIMIT 1");
    ids.page = await one("SELECT id FROM pages WHERE municipality_id = $1 LIMIT 1");
    ids.dataset = await one("SELECT id FROM datasets WHERE municipality_id = $1 AND slug = 'ecoles'");
    ids.resource = await one("SELECT r.id FROM dataset_resources r JOIN datasets d ON d.id = r.dataset_id WHERE d.municipality_id = $1 AND d.slug = 'ecoles'");
    ids.procedure = await one("SELECT id FROM procedures WHERE municipality_id = $1 AND slug = 'extrait-acte-naissance'");
    ids.draft = await one("SELECT id FROM dossiers WHERE municipality_id = $1 AND state = 'draft' AND applicant_id IS NOT NULL");
    ids.withFile = await one("SELECT d.id FROM dossiers d JOIN procedures p ON p.id = d.procedure_id WHERE d.municipality_id = $1 AND p.slug = 'certificat-residence' AND d.applicant_id IS NOT NULL");
    ids.accepted = await one("SELECT id FROM dossiers WHERE municipality_id = $1 AND state = 'accepted' AND applicant_id IS NOT NULL");
    ids.process = await one("SELECT id FROM processes WHERE municipality_id = $1 AND slug = 'plan-action-local-2027'");
    ids.proposal = await one("SELECT id FROM proposals WHERE process_id = $1 ORDER BY created_at LIMIT 1", [ids.process]);
    ids.survey = await one("SELECT id FROM surveys WHERE municipality_id = $1 LIMIT 1");
    ids.budget = await one("SELECT id FROM budgets WHERE municipality_id = $1 LIMIT 1");
    ids.meeting = await one("SELECT id FROM meetings WHERE municipality_id = $1 AND status = 'published' ORDER BY starts_at DESC LIMIT 1");
    ids.file = await one("SELECT answers->'justificatif'->>'fileId' AS id FROM dossiers WHERE id = $1", [ids.withFile]);
    ids.certificate = (await ctx.db.query<{ number: string }>("SELECT number FROM certificates WHERE dossier_id = $1", [ids.accepted]))[0]!.number;

    for (const [label, identifier] of [["anonymous", null], ["administrator", DEMO.network.superadmin], ["citizen", DEMO.rufisque.citizen]] as const) {
      const browser = new Browser(ctx.app);
      await browser.ensureCsrfToken();
      if (identifier) await browser.signIn(identifier);
      identities[label] = { label, cookie: browser.cookieHeader(), csrf: browser.cookies.get("csrf")! };
    }

    // The names of every field of every page the walk reaches, to fill the bodies with.
    for (const route of routes.filter((route) => route.method === "GET")) {
      for (const identity of identitiesFor(route.url)) {
        for (const url of concreteUrls(route.url)) {
          const response = await send(identity, "GET", url);
          for (const match of response.body.matchAll(/\bname="([A-Za-z0-9_.[\]-]{1,64})"/g)) if (!NOT_FIELDS.has(match[1]!)) fields.add(match[1]!);
        }
      }
    }
  });
  after(() => ctx.close());

  function identitiesFor(url: string): Identity[] {
    // The resident's own dossiers and actions are only reachable as that resident.
    const resident = url.startsWith("/:slug/dossiers") || url.startsWith("/:slug/services/") || (url.startsWith("/:slug/participation/") && !url.includes("/admin/"));
    return [identities.anonymous, identities.administrator, ...(resident ? [identities.citizen] : [])];
  }

  /** A real value for each path parameter, so that the request gets as deep as it can. */
  function realParam(url: string, name: string, previous: string): string {
    switch (name) {
      case "slug":
        return "rufisque";
      case "dataset":
        return "ecoles";
      case "resource":
        return ids.resource!;
      case "process":
        return url.includes("/budgets/") ? "budget-participatif-2027" : "plan-action-local-2027";
      case "survey":
        return ids.survey!;
      case "budget":
        return ids.budget!;
      case "question":
        return "priorite";
      case "field":
        return "nom";
      case "file":
        return ids.file!;
      case "number":
        return url.endsWith("/revoke") ? "RUF-2026-99999-C1" : url.includes("/certificates/") ? `${ids.certificate}.pdf` : ids.certificate!;
      case "procedure":
        return "extrait-acte-naissance";
      case "page":
        return "a-propos";
      case "type":
        return "proposal";
      case "id":
        switch (previous) {
          case "news":
            return ids.news!;
          case "pages":
            return ids.page!;
          case "data":
            return ids.dataset!;
          case "resources":
            return ids.resource!;
          case "participation":
            return ids.process!;
          case "proposals":
          case "proposal":
            return ids.proposal!;
          case "meetings":
            return ids.meeting!;
          case "services":
            return ids.procedure!;
          case "dossiers":
            if (url.startsWith("/:slug/admin/")) return ids.accepted!;
            return url.includes("/files/") ? ids.withFile! : url.includes("/certificates/") ? ids.accepted! : ids.draft!;
          default:
            return randomUUID();
        }
      default:
        return randomUUID();
    }
  }

  function fill(url: string, override?: { name: string; value: string }): string {
    const segments = url.split("/");
    return segments
      .map((segment, index) => {
        if (!segment.startsWith(":")) return segment;
        const name = segment.slice(1);
        if (override && override.name === name) return override.value;
        return encodeURIComponent(realParam(url, name, segments[index - 1] ?? ""));
      })
      .join("/");
  }

  /** The addresses of a route with real parameters; CKAN's `:name` is every action. */
  function concreteUrls(url: string, override?: { name: string; value: string }): string[] {
    if (url.endsWith("/action/:name") && override?.name !== "name") return ACTIONS.map((action) => fill(url.replace(":name", action), override));
    return [fill(url, override)];
  }

  async function send(identity: Identity, method: string, url: string, body?: { type: string; payload: string | Buffer }): Promise<LightMyRequestResponse> {
    return ctx.app.inject({
      method: method as "GET" | "POST",
      url,
      ...(body ? { payload: body.payload } : {}),
      headers: {
        accept: url.startsWith("/api/") ? "application/json" : "text/html",
        cookie: identity.cookie,
        ...(method === "GET" ? {} : { "x-csrf-token": identity.csrf }),
        ...(body ? { "content-type": body.type } : {}),
      },
    });
  }

  const sized = (name: string, value: string) => (value === LONG && !LONG_NAMES.has(name) ? OVER : value);

  function formBody(value: string, repeated = false): string {
    return [...fields].map((name) => (repeated ? `${encodeURIComponent(name)}=1&${encodeURIComponent(name)}=2` : `${encodeURIComponent(name)}=${sized(name, value)}`)).join("&");
  }

  function jsonBody(value: unknown): string {
    return JSON.stringify(Object.fromEntries([...fields].map((name) => [name, typeof value === "string" ? sized(name, value) : value])));
  }

  function query(value: string, repeated = false): string {
    return QUERY_NAMES.map((name) => (repeated ? `${name}=1&${name}=2` : `${name}=${sized(name, value)}`)).join("&");
  }

  /** Runs the requests a few at a time: on the server engine, they overlap. */
  async function pool(tasks: (() => Promise<void>)[], width = 4): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < tasks.length) await tasks[next++]!();
      }),
    );
  }

  type Body = { type?: string; payload?: string };

  for (const route of routes) {
    const { method, url } = route;
    const back = url.includes("/admin");
    // Signing out would end the session the rest of the walk uses; it is walked anonymously.
    const signsOut = url === "/account/signout";
    it(`${method} ${url}`, async () => {
      const failures: string[] = [];
      const tasks: (() => Promise<void>)[] = [];
      const attempt = (identity: Identity, label: string, target: string, body?: Body) =>
        tasks.push(async () => {
          const response = await send(identity, method, target, body?.type ? { type: body.type, payload: body.payload ?? "" } : undefined);
          if (response.statusCode >= 500) failures.push(`${response.statusCode} as ${identity.label}, ${label}: ${method} ${target.slice(0, 160)}`);
        });
      const params = [...url.matchAll(/:([a-z_]+)/g)].map((match) => match[1]!).filter((name) => name !== "slug");
      const emptyForm = method === "GET" ? undefined : { type: "application/x-www-form-urlencoded", payload: "" };
      for (const identity of identitiesFor(url).filter((identity) => !signsOut || identity === identities.anonymous)) {
        if (back && identity === identities.anonymous) {
          // The back office refuses a visitor before reading anything: once is enough to see it.
          for (const target of concreteUrls(url)) attempt(identity, "query nul", `${target}?q=%00`, emptyForm);
          continue;
        }
        for (const target of concreteUrls(url)) {
          if (method === "GET") {
            for (const label of QUERY_VALUES) attempt(identity, `query ${label}`, `${target}?${query(ENCODED[label]!)}`);
            attempt(identity, "query repeated (a=1&a=2)", `${target}?${query("", true)}`);
            continue;
          }
          for (const [label, value] of Object.entries(ENCODED)) attempt(identity, `form ${label}`, target, { type: "application/x-www-form-urlencoded", payload: formBody(value) });
          attempt(identity, "form repeated fields (a=1&a=2)", target, { type: "application/x-www-form-urlencoded", payload: formBody("", true) });
          for (const [label, value] of Object.entries(JSON_VALUES)) attempt(identity, `JSON ${label}`, target, { type: "application/json", payload: jsonBody(value) });
          for (const body of WHOLE_BODIES) attempt(identity, body.label, target, body);
        }
        // Path parameters, each in turn, the others real; a write only needs to refuse a bad id.
        for (const name of params) {
          for (const [label, value] of Object.entries(PATH_VALUES)) {
            if (method !== "GET" && label !== "-1") continue;
            for (const target of concreteUrls(url, { name, value })) attempt(identity, `path :${name} ${label}`, target, emptyForm);
          }
        }
      }
      await pool(tasks);
      assert.deepEqual(failures, [], `${failures.length} answers 5xx:\n${failures.join("\n")}`);
    });
  }

  it("what the parsers share is refused with 4xx on every kind of route (JSON, forms, multipart)", async () => {
    const failures: string[] = [];
    for (const url of PARSER_ROUTES) {
      for (const body of PARSER_BODIES) {
        for (const identity of [identities.anonymous, identities.administrator]) {
          const response = await send(identity, "POST", url, body);
          if (response.statusCode >= 500 || response.statusCode < 400) failures.push(`${response.statusCode} as ${identity.label}, ${body.label}: POST ${url}`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  it("hostile bytes are refused with 400 and a message saying what is wrong, in the person's language", async () => {
    const browser = new Browser(ctx.app);
    for (const url of ["/api/3/action/package_search?q=%00", "/data?q=%00", "/rufisque/data?q=%C3%28", "/rufisque/pages/%00", "/rufisque/participation/%FF", "/verify/%00", "/rufisque%00/"]) {
      const response = await browser.get(url);
      assert.equal(response.statusCode, 400, url);
      if (!url.startsWith("/api/")) assert.match(visibleText(response.body), /caractères interdits/, url);
    }
    const english = await browser.get("/data?q=%00", { "accept-language": "en" });
    assert.match(visibleText(english.body), /forbidden characters/);

    const editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    const json = await editor.postJson("/api/v1/rufisque/news", { title: "a\u0000b", body: "x" });
    assert.equal(json.statusCode, 400);
    assert.equal(json.json().code, "INVALID_CHARACTERS");
    const form = await editor.post("/rufisque/admin/news", { title: "a\u0000b", body: "x", language: "fr" });
    assert.equal(form.statusCode, 400);
    assert.equal((await ctx.db.query("SELECT id FROM news WHERE body = 'x'")).length, 0, "nothing was stored");
  });

  it("a multipart body without a boundary, with a wrong one or cut short is refused with 400", async () => {
    const editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    const good = await editor.multipart({ title: "Un titre", body: "x", language: "fr" });
    for (const contentType of ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=zzz"]) {
      const response = await editor.send("/rufisque/admin/news", { payload: good.payload, contentType });
      assert.equal(response.statusCode, 400, contentType);
      assert.match(visibleText(response.body), /mal formé/, contentType);
    }
    const cut = await editor.send("/rufisque/admin/news", { payload: good.payload.subarray(0, good.payload.length - 20), contentType: good.contentType });
    assert.equal(cut.statusCode, 400);
  });
});
