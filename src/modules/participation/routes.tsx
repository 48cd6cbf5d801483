import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { findUserByIdentifier } from "../../core/auth/accounts.js";
import { normalizePhone } from "../../core/auth/phone.js";
import { requireAllowed, requireSignedIn } from "../../core/auth/roles.js";
import { uuidOr404 } from "../../core/http/errors.js";
import { FormReader, withConflictsOnForm } from "../../core/http/forms.js";
import { byAddress, limitedBy } from "../../core/http/rate-limits.js";
import type { Municipality } from "../../core/tenancy/index.js";
import { emptyForm, type FormState } from "../../core/views/context.js";
import { authorizeManager, processOf, publishedProcess } from "./back-office.js";
import { participationPolicy } from "./policy.js";
import { PARTICIPATION_REASONS } from "./reasons.js";
import { budgetLinks } from "./budgets/service.js";
import { budgetsRoutes } from "./budgets/routes.js";
import { meetingsRoutes } from "./meetings/routes.js";
import { surveysRoutes } from "./surveys/routes.js";
import { budgetsApiRoutes } from "./budgets/api.js";
import { meetingsApiRoutes } from "./meetings/api.js";
import { surveysApiRoutes } from "./surveys/api.js";
import { surveyLinks } from "./surveys/service.js";
import { ProcessesSchema } from "./schema.js";
import * as service from "./service.js";
import * as store from "./store.js";
import { answersOf, proposalListOf, proposalsRoutes } from "./proposals/routes.js";
import { openFlags } from "./proposals/store.js";
import { AdminProcessesPage, EditProcessPage, NewProcessPage, ResidentsPage } from "./views/admin.js";
import { ProcessesPage, ProcessPage, VerifyResidentPage } from "./views/public.js";

type ExtraLinks = (municipality: Municipality, process: store.ProcessRow) => Promise<{ href: string; label: string }[]>;
/** Addresses a process may not take: they name pages of their own. */
const RESERVED_PROCESS_SLUGS = new Set(["verify"]);

function readProcessInput(form: FormReader): store.ProcessInput {
  const slug = form.text("slug", { required: true, max: 80, pattern: /^[a-z0-9]+(-[a-z0-9]+)*$/ });
  if (RESERVED_PROCESS_SLUGS.has(slug)) form.refuse("slug", PARTICIPATION_REASONS.PROCESS_SLUG_TAKEN);
  return {
    title: form.text("title", { required: true, max: 200 }),
    slug,
    description: form.text("description", { max: 20_000 }),
    scope: form.text("scope", { max: 200 }),
    categories: [
      ...new Set(
        form
          .text("categories", { max: 5000 })
          .split("\n")
          .map((line) => line.trim().slice(0, 100))
          .filter(Boolean),
      ),
    ].slice(0, 30),
  };
}

const processForm = (process: store.ProcessRow) =>
  emptyForm({ title: process.title, slug: process.slug, description: process.description, scope: process.scope, categories: process.categories.join("\n") });

export async function participationRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app;
  const reach = (municipality: Municipality) => ({ db, notifier: app.notifier, publicUrl: config.publicUrl, municipality });

  // ---- Public pages ----------------------------------------------------------------------------

  app.get("/:slug/participation", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const processes = await store.listProcesses(db, municipality.id, { publishedOnly: true });
    const phases = await store.listPhases(db, municipality.id, processes.map((process) => process.id));
    const today = service.localToday(municipality.time_zone);
    const items = processes.map((process) => {
      const own = phases.filter((phase) => phase.process_id === process.id);
      return { process, timing: service.processTiming(own, today), phase: service.currentPhase(own, today) };
    });
    return reply.page(<ProcessesPage ctx={await request.view()} municipality={municipality} processes={items} />);
  });

  async function processPage(request: FastifyRequest, reply: FastifyReply) {
    const { municipality, process } = await publishedProcess(db, request);
    const phases = await store.listPhases(db, municipality.id, [process.id]);
    const today = service.localToday(municipality.time_zone);
    const current = service.currentPhase(phases, today);
    const actor = request.actor;
    const ctx = await request.view();
    return reply.page(
      <ProcessPage
        ctx={ctx}
        municipality={municipality}
        process={process}
        phases={phases}
        current={current}
        timing={service.processTiming(phases, today)}
        following={actor ? await store.isFollowing(db, municipality.id, process.id, actor.id) : false}
        extras={await extrasOf(municipality, process)}
        proposals={await proposalListOf(db, request, ctx, municipality, process, current)}
      />,
    );
  }

  /** Links to the other parts of a process (surveys, budgets) on its public page. */
  const extraLinks: ExtraLinks[] = [surveyLinks(db), budgetLinks(db)];
  const extrasOf = async (municipality: Municipality, process: store.ProcessRow) => (await Promise.all(extraLinks.map((links) => links(municipality, process)))).flat();

  // ---- Verified residents ---------------------------------------------------------------------

  async function verifyPage(request: FastifyRequest, reply: FastifyReply, form: FormState = emptyForm(), codeSent = false, status = 200) {
    const municipality = request.requireMunicipality();
    const verified = request.actor ? await store.verification(db, municipality.id, request.actor.id) : undefined;
    return reply.page(<VerifyResidentPage ctx={await request.view()} municipality={municipality} verified={verified} codeSent={codeSent} form={form} />, status);
  }

  app.get("/:slug/participation/verify", async (request, reply) => verifyPage(request, reply));

  // Counted per account, and per address more loosely: a whole quarter may share one mobile
  // connection, but one address cannot go through account after account.
  const perAccount = (name: string, max: number) =>
    limitedBy(app, [
      { name: `${name}:account`, max, windowMs: 15 * 60_000, key: (request) => request.actor?.id },
      { name: `${name}:address`, max: max * 5, windowMs: 15 * 60_000, key: byAddress },
    ]);

  app.post("/:slug/participation/verify/code", { preHandler: perAccount("verify-code", 5) }, async (request, reply) => {
    const municipality = request.requireMunicipality();
    const actor = requireSignedIn(request.actor);
    await service.sendVerificationCode(reach(municipality), actor);
    return verifyPage(request, reply, emptyForm(), true);
  });

  app.post("/:slug/participation/verify", { preHandler: perAccount("verify", 20) }, async (request, reply) => {
    const municipality = request.requireMunicipality();
    const actor = requireSignedIn(request.actor);
    const form = new FormReader(request.body);
    const code = form.text("code", { required: true, max: 10, pattern: /^[0-9 ]{6,8}$/ });
    form.text("_idem");
    if (!form.invalid && !(await service.confirmVerificationCode(db, municipality.id, actor, code))) form.fail("code", "participation.verify.error.wrong_code");
    if (form.invalid) return verifyPage(request, reply, form, true, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/participation/verify`, { kind: "success", key: "participation.flash.verified" });
  });

  // ---- Processes and proposals ---------------------------------------------------------------

  app.get("/:slug/participation/:process", processPage);

  for (const verb of ["follow", "unfollow"] as const) {
    app.post(`/:slug/participation/:process/${verb}`, async (request, reply) => {
      const { municipality, process } = await publishedProcess(db, request);
      const actor = requireSignedIn(request.actor);
      await store.follow(db, municipality.id, process.id, actor.id, verb === "follow");
      return reply.redirectWithFlash(`/${municipality.slug}/participation/${process.slug}`, { kind: "success", key: verb === "follow" ? "participation.flash.following" : "participation.flash.unfollowed" });
    });
  }

  // ---- Back office ------------------------------------------------------------------------------

  app.get("/:slug/admin/participation", async (request, reply) => {
    const municipality = authorizeManager(request);
    const [processes, flags] = await Promise.all([store.listProcesses(db, municipality.id, { publishedOnly: false }), openFlags(db, municipality.id)]);
    return reply.page(<AdminProcessesPage ctx={await request.view()} municipality={municipality} processes={processes} flagged={flags.length} />);
  });

  app.get("/:slug/admin/participation/new", async (request, reply) => {
    const municipality = authorizeManager(request);
    return reply.page(<NewProcessPage ctx={await request.view()} municipality={municipality} form={emptyForm()} />);
  });

  app.post("/:slug/admin/participation", async (request, reply) => {
    const municipality = authorizeManager(request);
    const form = new FormReader(request.body);
    const input = readProcessInput(form);
    form.text("_idem");
    const id = form.invalid ? undefined : await withConflictsOnForm(form, () => service.createProcess(db, municipality.id, request.actor!.id, input));
    if (!id) return reply.page(<NewProcessPage ctx={await request.view()} municipality={municipality} form={form} />, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/participation/${id}`, { kind: "success", key: "participation.flash.process_created" });
  });

  async function editPage(
    request: FastifyRequest,
    reply: FastifyReply,
    municipality: Municipality,
    process: store.ProcessRow,
    forms: { form?: FormState; phaseForm?: FormState; answering?: { proposalId: string; form: FormState } } = {},
    status = 200,
  ) {
    const ctx = await request.view();
    const [phases, answers] = await Promise.all([store.listPhases(db, municipality.id, [process.id]), answersOf(db, ctx, municipality, process, forms.answering)]);
    return reply.page(
      <EditProcessPage
        ctx={ctx}
        municipality={municipality}
        process={process}
        phases={phases}
        form={forms.form ?? processForm(process)}
        phaseForm={forms.phaseForm ?? emptyForm()}
        extras={adminExtrasOf(request, municipality, process)}
        answers={answers}
      />,
      status,
    );
  }

  /** The process's surveys and budgets, managed from their own back-office pages. */
  const adminExtrasOf = (request: FastifyRequest, municipality: Municipality, process: store.ProcessRow) => [
    { href: `/${municipality.slug}/admin/participation/${process.id}/surveys`, label: request.t("participation.admin.surveys") },
    { href: `/${municipality.slug}/admin/participation/${process.id}/budgets`, label: request.t("participation.admin.budgets") },
  ];

  app.get("/:slug/admin/participation/:id", async (request, reply) => {
    const municipality = authorizeManager(request);
    return editPage(request, reply, municipality, await processOf(db, request, municipality));
  });

  app.post("/:slug/admin/participation/:id", async (request, reply) => {
    const municipality = authorizeManager(request);
    const process = await processOf(db, request, municipality);
    const form = new FormReader(request.body);
    const input = readProcessInput(form);
    form.text("_idem");
    const saved = form.invalid ? undefined : await withConflictsOnForm(form, () => service.updateProcess(db, municipality.id, request.actor!.id, process.id, input).then(() => true));
    if (!saved) return editPage(request, reply, municipality, process, { form }, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/participation/${process.id}`, { kind: "success", key: "participation.flash.saved" });
  });

  for (const [verb, status] of [["publish", "published"], ["unpublish", "draft"]] as const) {
    app.post(`/:slug/admin/participation/:id/${verb}`, async (request, reply) => {
      const municipality = authorizeManager(request);
      const process = await processOf(db, request, municipality);
      await service.setProcessStatus(db, municipality.id, request.actor!.id, process.id, status);
      return reply.redirectWithFlash(`/${municipality.slug}/admin/participation/${process.id}`, { kind: "success", key: "participation.flash.saved" });
    });
  }

  app.post("/:slug/admin/participation/:id/phases", async (request, reply) => {
    const municipality = authorizeManager(request);
    const process = await processOf(db, request, municipality);
    const form = new FormReader(request.body);
    const title = form.text("phase_title", { required: true, max: 200 });
    const description = form.text("phase_description", { max: 5000 });
    const startsOn = form.text("starts_on", { required: true, pattern: /^\d{4}-\d{2}-\d{2}$/ });
    const endsOn = form.text("ends_on", { required: true, pattern: /^\d{4}-\d{2}-\d{2}$/ });
    const proposalsOpen = form.checked("proposals_open");
    const supportsOpen = form.checked("supports_open");
    form.values.proposals_open = proposalsOpen ? "on" : "";
    form.values.supports_open = supportsOpen ? "on" : "";
    form.text("_idem");
    const valid = (iso: string) => !Number.isNaN(Date.parse(`${iso}T00:00:00Z`)) && new Date(`${iso}T00:00:00Z`).toISOString().startsWith(iso);
    if (startsOn && !form.errors.starts_on && !valid(startsOn)) form.fail("starts_on", "form.invalid_format");
    if (endsOn && !form.errors.ends_on && !valid(endsOn)) form.fail("ends_on", "form.invalid_format");
    if (!form.invalid && endsOn < startsOn) form.fail("ends_on", "participation.admin.phase.error.order");
    if (form.invalid) return editPage(request, reply, municipality, process, { phaseForm: form }, 400);
    await service.addPhase(db, municipality.id, request.actor!.id, process.id, { title, description, starts_on: startsOn, ends_on: endsOn, proposals_open: proposalsOpen, supports_open: supportsOpen });
    return reply.redirectWithFlash(`/${municipality.slug}/admin/participation/${process.id}#phases`, { kind: "success", key: "participation.flash.saved" });
  });

  app.post("/:slug/admin/participation/:id/phases/:phase/delete", async (request, reply) => {
    const municipality = authorizeManager(request);
    const process = await processOf(db, request, municipality);
    await service.removePhase(db, municipality.id, request.actor!.id, process.id, uuidOr404((request.params as { phase: string }).phase));
    return reply.redirectWithFlash(`/${municipality.slug}/admin/participation/${process.id}#phases`, { kind: "success", key: "participation.flash.saved" });
  });

  app.get("/:slug/admin/residents", async (request, reply) => {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, participationPolicy.actAtTheCounter(request.actor, municipality));
    return reply.page(<ResidentsPage ctx={await request.view()} municipality={municipality} form={emptyForm()} />);
  });

  app.post("/:slug/admin/residents", async (request, reply) => {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, participationPolicy.actAtTheCounter(request.actor, municipality));
    const form = new FormReader(request.body);
    const phoneText = form.text("phone", { required: true, max: 30 });
    if (!form.checked("document_seen")) form.fail("document_seen", "participation.residents.error.document");
    form.text("_idem");
    const phone = phoneText ? normalizePhone(phoneText, municipality.country_code) : null;
    if (phoneText && !phone) form.fail("phone", "auth.error.phone");
    const person = phone && !form.invalid ? await findUserByIdentifier(db, phone, null) : undefined;
    if (phone && !form.invalid && !person) form.fail("phone", "participation.residents.error.unknown");
    if (form.invalid || !person) return reply.page(<ResidentsPage ctx={await request.view()} municipality={municipality} form={form} />, 400);
    const done = await service.verifyInPerson(db, municipality.id, request.actor!.id, person.id);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/residents`, { kind: "success", key: done ? "participation.flash.resident_verified" : "participation.flash.resident_already" });
  });

  // ---- JSON API ---------------------------------------------------------------------------------

  app.get("/api/v1/:slug/processes", { schema: ProcessesSchema }, async (request) => {
    const municipality = request.requireMunicipality();
    const processes = await store.listProcesses(db, municipality.id, { publishedOnly: true });
    const phases = await store.listPhases(db, municipality.id, processes.map((process) => process.id));
    const today = service.localToday(municipality.time_zone);
    return {
      municipality: municipality.slug,
      processes: processes.map((process) => {
        const own = phases.filter((phase) => phase.process_id === process.id);
        return {
          slug: process.slug,
          title: process.title,
          description: process.description,
          scope: process.scope,
          status: service.processTiming(own, today),
          phases: own.map((phase) => ({ title: phase.title, starts_on: phase.starts_on, ends_on: phase.ends_on, proposals_open: phase.proposals_open, supports_open: phase.supports_open })),
          url: `${config.publicUrl}/${municipality.slug}/participation/${process.slug}`,
          proposals: `${config.publicUrl}/api/v1/${municipality.slug}/processes/${process.slug}/proposals`,
        };
      }),
    };
  });

  // The parts of participation, each in its own folder.
  await proposalsRoutes(app, { processEditPage: editPage });
  await meetingsRoutes(app);
  await budgetsRoutes(app);
  await surveysRoutes(app);
  // Their JSON API, each part's own file (/api/v1/{slug}/budgets, meetings, surveys).
  await budgetsApiRoutes(app);
  await meetingsApiRoutes(app);
  await surveysApiRoutes(app);


}

