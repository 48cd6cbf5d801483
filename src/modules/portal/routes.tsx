import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "@sinclair/typebox";
import { requireAllowed } from "../../core/auth/roles.js";
import { findUserByIdentifier } from "../../core/auth/accounts.js";
import { looksLikeEmail, normalizePhone } from "../../core/auth/phone.js";
import { MUNICIPAL_ROLES } from "../../core/auth/roles.js";
import { AppError, ruleRefused, uuidOr404 } from "../../core/http/errors.js";
import { FormReader, withConflictsOnForm } from "../../core/http/forms.js";
import { findStoredFile, sendStoredFile, type StoredFile } from "../../core/files/index.js";
import { africanTimeZones, listCountries, listMunicipalities, type Municipality } from "../../core/tenancy/index.js";
import { emptyForm } from "../../core/views/context.js";
import { portalPolicy } from "./policy.js";
import { PORTAL_REASONS } from "./reasons.js";
import { MunicipalitySchema, NewsInputSchema, NewsSchema, SlugParams, type NewsInputBody } from "./schema.js";
import * as service from "./service.js";
import * as store from "./store.js";
import { AdminNewsListPage, AdminPagesListPage, DashboardPage, IdentityPage, MembersPage, NewsFormPage, OfficialsPage, PageFormPage } from "./views/admin.js";
import { NetworkAdminPage } from "./views/network-admin.js";
import { NETWORK_COLOR } from "./views/identity.js";
import { openNowIn, platformFigures } from "../../core/modules.js";
import { PUBLIC_READ_ERRORS, WRITE_ERRORS } from "../../core/http/api-schemas.js";
import { MunicipalityHomePage, NETWORK_NEWS_SHOWN, NetworkHomePage, NewsIndexPage, NewsItemPage, PagesIndexPage, StaticPage } from "./views/public.js";

const NEWS_PER_PAGE = 10;
const STAFF_ROLES = MUNICIPAL_ROLES.filter((role) => role !== "citizen");

function pageNumber(request: FastifyRequest): number {
  const raw = (request.query as Record<string, string | undefined>).page;
  const page = raw && /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  return Math.max(1, page);
}

function newsJson(municipality: Municipality, news: store.NewsRow, publicUrl: string) {
  return {
    id: news.id,
    title: news.title,
    summary: news.summary,
    body: news.body,
    language: news.language,
    status: news.status,
    published_at: news.published_at ? news.published_at.toISOString() : null,
    url: `${publicUrl}/${municipality.slug}/news/${news.id}`,
  };
}

export async function portalRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app;

  // ---- Public pages -------------------------------------------------------------------------

  app.get("/", async (request, reply) => {
    const municipalities = await listMunicipalities(db);
    const ids = municipalities.map((m) => m.id);
    const [figures, news] = await Promise.all([platformFigures(db, ids, new Date()), store.listPublishedNewsOf(db, ids, NETWORK_NEWS_SHOWN)]);
    return reply.page(<NetworkHomePage ctx={await request.view()} municipalities={municipalities} figures={figures} news={news} />);
  });

  app.get("/:slug/", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const now = new Date();
    const [officials, news, pages, openNow, figures] = await Promise.all([
      store.listOfficials(db, municipality.id),
      store.listPublishedNews(db, municipality.id, 3),
      store.listPublishedPages(db, municipality.id),
      openNowIn(db, municipality, now),
      platformFigures(db, [municipality.id], now),
    ]);
    return reply.page(
      <MunicipalityHomePage ctx={await request.view()} municipality={municipality} officials={officials} news={news} pages={pages} openNow={openNow} figures={figures} />,
    );
  });

  app.get("/:slug", async (request, reply) => {
    const municipality = request.requireMunicipality();
    return reply.redirect(`/${municipality.slug}/`, 301);
  });

  app.get("/:slug/news", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const page = pageNumber(request);
    const rows = await store.listPublishedNews(db, municipality.id, NEWS_PER_PAGE + 1, (page - 1) * NEWS_PER_PAGE);
    return reply.page(
      <NewsIndexPage ctx={await request.view()} municipality={municipality} news={rows.slice(0, NEWS_PER_PAGE)} page={page} hasNext={rows.length > NEWS_PER_PAGE} />,
    );
  });

  app.get("/:slug/news/:id", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const { id } = request.params as { id: string };
    const news = await store.getNews(db, municipality.id, id);
    // Drafts exist only for the people who may publish them.
    if (!news || (news.status !== "published" && !portalPolicy.manageContent(request.actor, municipality))) throw new AppError("NOT_FOUND");
    const attachment: StoredFile | undefined = news.attachment_id ? await findStoredFile(db, municipality.id, news.attachment_id) : undefined;
    return reply.page(<NewsItemPage ctx={await request.view()} municipality={municipality} news={news} attachment={attachment} />);
  });

  // A stored file is public once something published carries it; before that, only editors see it.
  app.get("/:slug/files/:id", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const file = await findStoredFile(db, municipality.id, (request.params as { id: string }).id);
    if (!file) throw new AppError("NOT_FOUND");
    // Only a news item's attachment: the municipality's other files (dossier documents, data
    // files) have their own routes and rules, and an id alone opens none of them here.
    const attached = await store.newsAttachmentStatus(db, municipality.id, file.id);
    const published = attached === "published";
    if (!attached || (!published && !portalPolicy.manageContent(request.actor, municipality))) throw new AppError("NOT_FOUND");
    return sendStoredFile(reply, app.config.filesDir, file, { cacheControl: published ? "public, max-age=86400" : "private, no-store" });
  });

  app.get("/:slug/pages", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const pages = await store.listPublishedPages(db, municipality.id);
    return reply.page(<PagesIndexPage ctx={await request.view()} municipality={municipality} pages={pages} />);
  });

  app.get("/:slug/pages/:page", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const { page: slug } = request.params as { page: string };
    const page = await store.getPageBySlug(db, municipality.id, slug);
    if (!page || (page.status !== "published" && !portalPolicy.manageContent(request.actor, municipality))) throw new AppError("NOT_FOUND");
    return reply.page(<StaticPage ctx={await request.view()} municipality={municipality} page={page} />);
  });

  // ---- Back office --------------------------------------------------------------------------

  /** The municipality of the URL, once the actor is known to be allowed this action there. */
  function authorize(request: FastifyRequest, rule: (typeof portalPolicy)[keyof typeof portalPolicy]): Municipality {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, rule(request.actor, municipality));
    return municipality;
  }

  app.get("/:slug/admin", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.viewBackOffice);
    const [counts, citizens] = await Promise.all([store.countNewsByStatus(db, municipality.id), store.countCitizens(db, municipality.id)]);
    return reply.page(
      <DashboardPage
        ctx={await request.view()}
        municipality={municipality}
        gatewayConfigured={app.notifier.delivers}
        can={{
          content: portalPolicy.manageContent(request.actor, municipality),
          members: portalPolicy.manageMembers(request.actor, municipality),
          officials: portalPolicy.manageOfficials(request.actor, municipality),
          identity: portalPolicy.manageIdentity(request.actor, municipality),
        }}
        counts={{ ...counts, citizens }}
      />,
    );
  });

  // News
  app.get("/:slug/admin/news", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageContent);
    const news = await store.listAllNews(db, municipality.id, 200);
    return reply.page(<AdminNewsListPage ctx={await request.view()} municipality={municipality} news={news} />);
  });

  app.get("/:slug/admin/news/new", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageContent);
    return reply.page(<NewsFormPage ctx={await request.view()} municipality={municipality} form={emptyForm({ language: request.locale })} />);
  });

  app.post("/:slug/admin/news", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageContent);
    const form = new FormReader(request.body);
    const input = service.readNewsInput(form);
    const change = service.readAttachment(form);
    form.text("_idem");
    if (form.invalid) return reply.page(<NewsFormPage ctx={await request.view()} municipality={municipality} form={form} />, 400);
    await service.createNews(db, municipality.id, request.actor!.id, input, { change, filesDir: app.config.filesDir });
    return reply.redirectWithFlash(`/${municipality.slug}/admin/news`, { kind: "success", key: "portal.flash.news_saved" });
  });

  app.get("/:slug/admin/news/:id/edit", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageContent);
    const news = await store.getNews(db, municipality.id, (request.params as { id: string }).id);
    if (!news) throw new AppError("NOT_FOUND");
    const form = emptyForm({ title: news.title, summary: news.summary, body: news.body, language: news.language });
    const attachment = news.attachment_id ? await findStoredFile(db, municipality.id, news.attachment_id) : undefined;
    return reply.page(<NewsFormPage ctx={await request.view()} municipality={municipality} form={form} newsId={news.id} attachment={attachment} />);
  });

  app.post("/:slug/admin/news/:id", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageContent);
    const { id } = request.params as { id: string };
    const existing = await store.getNews(db, municipality.id, id);
    if (!existing) throw new AppError("NOT_FOUND");
    const form = new FormReader(request.body);
    const input = service.readNewsInput(form);
    const change = service.readAttachment(form);
    form.text("_idem");
    if (form.invalid) {
      const attachment = existing.attachment_id ? await findStoredFile(db, municipality.id, existing.attachment_id) : undefined;
      return reply.page(<NewsFormPage ctx={await request.view()} municipality={municipality} form={form} newsId={id} attachment={attachment} />, 400);
    }
    await service.editNews(db, municipality.id, request.actor!.id, id, input, { change, filesDir: app.config.filesDir });
    return reply.redirectWithFlash(`/${municipality.slug}/admin/news`, { kind: "success", key: "portal.flash.news_saved" });
  });

  for (const [verb, status, flashKey] of [["publish", "published", "portal.flash.published"], ["unpublish", "draft", "portal.flash.unpublished"]] as const) {
    app.post(`/:slug/admin/news/:id/${verb}`, async (request, reply) => {
      const municipality = authorize(request, portalPolicy.manageContent);
      await service.setNewsPublication(db, municipality.id, request.actor!.id, uuidOr404((request.params as { id: string }).id), status);
      return reply.redirectWithFlash(`/${municipality.slug}/admin/news`, { kind: "success", key: flashKey });
    });
  }

  // Static pages
  app.get("/:slug/admin/pages", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageContent);
    const pages = await store.listAllPages(db, municipality.id);
    return reply.page(<AdminPagesListPage ctx={await request.view()} municipality={municipality} pages={pages} />);
  });

  app.get("/:slug/admin/pages/new", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageContent);
    return reply.page(<PageFormPage ctx={await request.view()} municipality={municipality} form={emptyForm({ language: request.locale })} />);
  });

  app.post("/:slug/admin/pages", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageContent);
    const form = new FormReader(request.body);
    const input = service.readPageInput(form);
    form.text("_idem");
    const saved = form.invalid ? undefined : await withConflictsOnForm(form, () => service.createPage(db, municipality.id, request.actor!.id, input));
    if (!saved) return reply.page(<PageFormPage ctx={await request.view()} municipality={municipality} form={form} />, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/pages`, { kind: "success", key: "portal.flash.page_saved" });
  });

  app.get("/:slug/admin/pages/:id/edit", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageContent);
    const page = await store.getPage(db, municipality.id, (request.params as { id: string }).id);
    if (!page) throw new AppError("NOT_FOUND");
    const form = emptyForm({ title: page.title, slug: page.slug, body: page.body, language: page.language });
    return reply.page(<PageFormPage ctx={await request.view()} municipality={municipality} form={form} pageId={page.id} />);
  });

  app.post("/:slug/admin/pages/:id", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageContent);
    const { id } = request.params as { id: string };
    if (!(await store.getPage(db, municipality.id, id))) throw new AppError("NOT_FOUND");
    const form = new FormReader(request.body);
    const input = service.readPageInput(form);
    form.text("_idem");
    const saved = form.invalid ? undefined : await withConflictsOnForm(form, () => service.editPage(db, municipality.id, request.actor!.id, id, input));
    if (!saved) return reply.page(<PageFormPage ctx={await request.view()} municipality={municipality} form={form} pageId={id} />, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/pages`, { kind: "success", key: "portal.flash.page_saved" });
  });

  for (const [verb, status, flashKey] of [["publish", "published", "portal.flash.published"], ["unpublish", "draft", "portal.flash.unpublished"]] as const) {
    app.post(`/:slug/admin/pages/:id/${verb}`, async (request, reply) => {
      const municipality = authorize(request, portalPolicy.manageContent);
      await service.setPagePublication(db, municipality.id, request.actor!.id, uuidOr404((request.params as { id: string }).id), status);
      return reply.redirectWithFlash(`/${municipality.slug}/admin/pages`, { kind: "success", key: flashKey });
    });
  }

  // Officials
  async function officialsPage(request: FastifyRequest, reply: FastifyReply, municipality: Municipality, form: ReturnType<typeof emptyForm>, status = 200) {
    const officials = await store.listOfficials(db, municipality.id);
    return reply.page(<OfficialsPage ctx={await request.view()} municipality={municipality} officials={officials} form={form} />, status);
  }

  app.get("/:slug/admin/officials", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageOfficials);
    return officialsPage(request, reply, municipality, emptyForm());
  });

  app.post("/:slug/admin/officials", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageOfficials);
    const form = new FormReader(request.body);
    const name = form.text("name", { required: true, max: 120 });
    const title = form.text("title", { required: true, max: 120 });
    const position = form.integer("position", { min: 0, max: 1000 }) ?? 0;
    form.text("_idem");
    if (form.invalid) return officialsPage(request, reply, municipality, form, 400);
    await service.addOfficial(db, municipality.id, request.actor!.id, { name, title, position });
    return reply.redirectWithFlash(`/${municipality.slug}/admin/officials`, { kind: "success", key: "portal.flash.official_added" });
  });

  app.post("/:slug/admin/officials/:id/delete", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageOfficials);
    await service.removeOfficial(db, municipality.id, request.actor!.id, (request.params as { id: string }).id);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/officials`, { kind: "success", key: "portal.flash.official_removed" });
  });

  // Identity: the colour of the header band and of the generated mark
  app.get("/:slug/admin/identity", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageIdentity);
    return reply.page(<IdentityPage ctx={await request.view()} municipality={municipality} form={emptyForm({ brand_color: municipality.brand_color ?? NETWORK_COLOR })} />);
  });

  app.post("/:slug/admin/identity", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageIdentity);
    const form = new FormReader(request.body);
    const color = service.readIdentityInput(form);
    form.text("_idem");
    if (form.invalid) return reply.page(<IdentityPage ctx={await request.view()} municipality={municipality} form={form} />, 400);
    await service.setIdentity(db, municipality.id, request.actor!.id, color);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/identity`, { kind: "success", key: "portal.flash.identity_saved" });
  });

  // Members and roles
  async function membersPage(request: FastifyRequest, reply: FastifyReply, municipality: Municipality, form: ReturnType<typeof emptyForm>, status = 200) {
    const members = await store.listMembers(db, municipality.id);
    return reply.page(<MembersPage ctx={await request.view()} municipality={municipality} members={members} form={form} />, status);
  }

  app.get("/:slug/admin/members", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageMembers);
    return membersPage(request, reply, municipality, emptyForm({ role: "agent" }));
  });

  app.post("/:slug/admin/members", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageMembers);
    const form = new FormReader(request.body);
    const identifier = form.text("identifier", { required: true, max: 200 });
    const role = form.choice("role", STAFF_ROLES);
    form.text("_idem");
    const email = identifier.includes("@") && looksLikeEmail(identifier) ? identifier : null;
    const phone = email ? null : normalizePhone(identifier, municipality.country_code);
    if (identifier && !email && !phone) form.fail("identifier", "auth.error.invalid_phone");
    const user = form.invalid ? undefined : await findUserByIdentifier(db, phone, email);
    if (!form.invalid && !user) form.refuse("identifier", PORTAL_REASONS.NO_SUCH_ACCOUNT);
    if (form.invalid || !user || !role) return membersPage(request, reply, municipality, form, 400);
    await service.grantStaffRole(db, municipality.id, request.actor!.id, user.id, role);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/members`, { kind: "success", key: "portal.flash.role_granted" });
  });

  app.post("/:slug/admin/members/revoke", async (request, reply) => {
    const municipality = authorize(request, portalPolicy.manageMembers);
    const form = new FormReader(request.body);
    const userId = form.text("user_id", { required: true });
    const role = form.choice("role", STAFF_ROLES);
    if (form.invalid || !role || !store.isUuid(userId)) throw new AppError("VALIDATION", form.errors);
    if (userId === request.actor!.id && role === "administrator") throw ruleRefused(PORTAL_REASONS.OWN_ADMINISTRATOR_ROLE);
    const revoked = await service.revokeStaffRole(db, municipality.id, request.actor!.id, userId, role);
    if (!revoked) throw new AppError("NOT_FOUND");
    return reply.redirectWithFlash(`/${municipality.slug}/admin/members`, { kind: "success", key: "portal.flash.role_revoked" });
  });

  // ---- Network administration ----------------------------------------------------------------

  async function networkAdminPage(request: FastifyRequest, reply: FastifyReply, form: ReturnType<typeof emptyForm>, status = 200) {
    const [municipalities, countries] = await Promise.all([listMunicipalities(db), listCountries(db)]);
    return reply.page(
      <NetworkAdminPage ctx={await request.view()} municipalities={municipalities} countries={countries} timeZones={africanTimeZones()} form={form} />,
      status,
    );
  }

  app.get("/admin/municipalities", async (request, reply) => {
    requireAllowed(request.actor, portalPolicy.manageMunicipalities(request.actor));
    return networkAdminPage(request, reply, emptyForm({ lang_fr: "on", time_zone: "Africa/Dakar" }));
  });

  app.post("/admin/municipalities", async (request, reply) => {
    requireAllowed(request.actor, portalPolicy.manageMunicipalities(request.actor));
    const form = new FormReader(request.body);
    const input = await service.readMunicipalityInput(db, form);
    form.text("_idem");
    const created = form.invalid ? undefined : await withConflictsOnForm(form, () => service.createMunicipality(db, request.actor!.id, input));
    if (!created) return networkAdminPage(request, reply, form, 400);
    return reply.redirectWithFlash(`/${created.slug}/admin`, { kind: "success", key: "portal.flash.municipality_created" });
  });

  // ---- JSON API -----------------------------------------------------------------------------

  app.get(
    "/api/v1/municipalities",
    { schema: { tags: ["portal"], operationId: "listMunicipalities", summary: "Municipalities of the network", response: { 200: Type.Object({ data: Type.Array(MunicipalitySchema) }), 400: PUBLIC_READ_ERRORS[400] } } },
    async () => {
      const municipalities = await listMunicipalities(db);
      return {
        data: municipalities.map((m) => ({
          id: m.id,
          slug: m.slug,
          name: m.name,
          country: m.country_code,
          region: m.region,
          time_zone: m.time_zone,
          currency: m.currency,
          languages: m.languages,
          url: `${app.config.publicUrl}/${m.slug}/`,
        })),
      };
    },
  );

  app.get(
    "/api/v1/:slug/news",
    { schema: { tags: ["portal"], operationId: "listNews", summary: "Published news of a municipality", params: SlugParams, response: { 200: Type.Object({ data: Type.Array(NewsSchema) }), ...PUBLIC_READ_ERRORS } } },
    async (request) => {
      const municipality = request.requireMunicipality();
      const news = await store.listPublishedNews(db, municipality.id, 50);
      return { data: news.map((item) => newsJson(municipality, item, app.config.publicUrl)) };
    },
  );

  app.post(
    "/api/v1/:slug/news",
    {
      schema: {
        tags: ["portal"],
        operationId: "createNews",
        summary: "Create a news item (editors); send an Idempotency-Key header to make retries safe",
        security: [{ session: [], csrf: [] }],
        params: SlugParams,
        body: NewsInputSchema,
        response: { 201: NewsSchema, ...WRITE_ERRORS },
      },
      // Who may write is decided before the body is validated: a stranger learns nothing from errors.
      preValidation: async (request) => {
        authorize(request, portalPolicy.manageContent);
      },
    },
    async (request, reply) => {
      const municipality = authorize(request, portalPolicy.manageContent);
      const body = request.body as NewsInputBody;
      const input = { title: body.title.trim(), summary: (body.summary ?? "").trim(), body: body.body.trim(), language: body.language ?? "fr" };
      if (!input.title || !input.body) throw new AppError("VALIDATION", input.title ? { body: { key: "form.required" } } : { title: { key: "form.required" } });
      let news = await service.createNews(db, municipality.id, request.actor!.id, input);
      if (body.publish) news = await service.setNewsPublication(db, municipality.id, request.actor!.id, news.id, "published");
      return reply.code(201).header("Location", `/${municipality.slug}/news/${news.id}`).send(newsJson(municipality, news, app.config.publicUrl));
    },
  );
}
