import { toCsv } from "../../core/export/csv.js";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { findUserByIdentifier } from "../../core/auth/accounts.js";
import { normalizePhone } from "../../core/auth/phone.js";
import { requireAllowed, requireSignedIn } from "../../core/auth/roles.js";
import { findStoredFile, MEDIA_TYPES, sendStoredFile, sniffMediaType } from "../../core/files/index.js";
import { AppError, uuidOr404 } from "../../core/http/errors.js";
import { FormReader, withConflictsOnForm } from "../../core/http/forms.js";
import { byAddress, limitedBy } from "../../core/http/rate-limits.js";
import type { Municipality } from "../../core/tenancy/index.js";
import { emptyForm, type FormState } from "../../core/views/context.js";
import { authorizeManager, processOf } from "./back-office.js";
import { participationPolicy } from "./policy.js";
import { budgetLinks } from "./budgets/service.js";
import { budgetsRoutes } from "./budgets/routes.js";
import { meetingsRoutes } from "./meetings/routes.js";
import { surveysRoutes } from "./surveys/routes.js";
import { surveyLinks } from "./surveys/service.js";
import * as service from "./service.js";
import * as store from "./store.js";
import { AdminProcessesPage, EditProcessPage, ModerationPage, NewProcessPage, ResidentsPage } from "./views/admin.js";
import { NewProposalPage, ProcessesPage, ProcessPage, PROPOSAL_STATUSES, ProposalPage, VerifyResidentPage, type ProposalListParams } from "./views/public.js";

const PROPOSALS_PER_PAGE = 12;

type ExtraLinks = (municipality: Municipality, process: store.ProcessRow) => Promise<{ href: string; label: string }[]>;
const PHOTO_TYPES: string[] = [MEDIA_TYPES.jpeg, MEDIA_TYPES.png, MEDIA_TYPES.webp];
/** Addresses a process may not take: they name pages of their own. */
const RESERVED_PROCESS_SLUGS = new Set(["verify"]);

function readProcessInput(form: FormReader): store.ProcessInput {
  const slug = form.text("slug", { required: true, max: 80, pattern: /^[a-z0-9]+(-[a-z0-9]+)*$/ });
  if (RESERVED_PROCESS_SLUGS.has(slug)) form.fail("slug", "participation.process.error.slug_taken");
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

function readListParams(query: Record<string, unknown>): ProposalListParams {
  const text = (name: string, max: number) => (typeof query[name] === "string" ? (query[name] as string).slice(0, max) : "");
  const sort = text("sort", 10);
  const status = text("status", 20);
  const seed = /^\d{1,9}$/.test(text("seed", 9)) ? Number(text("seed", 9)) : Math.floor(Math.random() * 1_000_000);
  return {
    q: text("q", 200),
    category: text("category", 100),
    status: (PROPOSAL_STATUSES as string[]).includes(status) ? (status as ProposalListParams["status"]) : "",
    sort: sort === "newest" || sort === "random" ? sort : "supports",
    seed,
    page: /^\d{1,5}$/.test(text("page", 5)) ? Math.max(1, Number(text("page", 5))) : 1,
  };
}

export async function participationRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app;
  const reach = (municipality: Municipality) => ({ db, notifier: app.notifier, publicUrl: config.publicUrl, municipality });

  async function publishedProcess(request: FastifyRequest): Promise<{ municipality: Municipality; process: store.ProcessRow }> {
    const municipality = request.requireMunicipality();
    const process = await store.getProcessBySlug(db, municipality.id, (request.params as { process: string }).process);
    if (!process || (process.status !== "published" && !participationPolicy.manageProcesses(request.actor, municipality))) throw new AppError("NOT_FOUND");
    return { municipality, process };
  }

  async function visibleProposal(request: FastifyRequest) {
    const { municipality, process } = await publishedProcess(request);
    const proposal = await store.getProposal(db, municipality.id, uuidOr404((request.params as { id: string }).id));
    if (!proposal || proposal.process_id !== process.id) throw new AppError("NOT_FOUND");
    // Hidden content leaves public pages; moderators still reach it to review the decision.
    if (proposal.hidden_at && !participationPolicy.moderate(request.actor, municipality)) throw new AppError("NOT_FOUND");
    return { municipality, process, proposal };
  }

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
    const { municipality, process } = await publishedProcess(request);
    const params = readListParams(request.query as Record<string, unknown>);
    const phases = await store.listPhases(db, municipality.id, [process.id]);
    const today = service.localToday(municipality.time_zone);
    const result = await store.searchProposals(db, municipality.id, {
      processId: process.id,
      text: params.q,
      category: params.category,
      status: params.status,
      sort: params.sort,
      seed: params.seed,
      includeHidden: false,
      limit: PROPOSALS_PER_PAGE,
      offset: (params.page - 1) * PROPOSALS_PER_PAGE,
    });
    const actor = request.actor;
    return reply.page(
      <ProcessPage
        ctx={await request.view()}
        municipality={municipality}
        process={process}
        phases={phases}
        current={service.currentPhase(phases, today)}
        timing={service.processTiming(phases, today)}
        following={actor ? await store.isFollowing(db, municipality.id, process.id, actor.id) : false}
        verified={actor ? !!(await store.verification(db, municipality.id, actor.id)) : false}
        proposals={result.rows}
        total={result.total}
        pageSize={PROPOSALS_PER_PAGE}
        params={params}
        extras={await extrasOf(municipality, process)}
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
      const { municipality, process } = await publishedProcess(request);
      const actor = requireSignedIn(request.actor);
      await store.follow(db, municipality.id, process.id, actor.id, verb === "follow");
      return reply.redirectWithFlash(`/${municipality.slug}/participation/${process.slug}`, { kind: "success", key: verb === "follow" ? "participation.flash.following" : "participation.flash.unfollowed" });
    });
  }

  app.get("/:slug/participation/:process/proposals.csv", async (request, reply) => {
    const { municipality, process } = await publishedProcess(request);
    const rows = await store.allProposals(db, municipality.id, process.id);
    const header = ["id", "title", "body", "category", "location", "status", "answer", "supports", "comments", "created_at"];
    const lines = rows.map((row) => [row.id, row.title, row.body, row.category, row.location, row.status, row.answer, row.supports_count, row.comments_count, row.created_at]);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${municipality.slug}-${process.slug}-propositions.csv"`)
      .send(toCsv(header, lines));
  });

  app.get("/:slug/participation/:process/proposals/new", async (request, reply) => {
    const { municipality, process } = await publishedProcess(request);
    requireSignedIn(request.actor);
    return reply.page(<NewProposalPage ctx={await request.view()} municipality={municipality} process={process} form={emptyForm()} />);
  });

  app.post("/:slug/participation/:process/proposals", async (request, reply) => {
    const { municipality, process } = await publishedProcess(request);
    const actor = requireSignedIn(request.actor);
    const form = new FormReader(request.body);
    const title = form.text("title", { required: true, min: 3, max: 150 });
    const body = form.text("body", { required: true, max: 10_000 });
    const category = process.categories.length ? (form.choice("category", process.categories, { required: false }) ?? "") : "";
    const location = form.text("location", { max: 200 });
    const photo = form.file("photo");
    form.text("_idem");
    const photoType = photo ? sniffMediaType(photo.data) : undefined;
    if (photo && (!photoType || !PHOTO_TYPES.includes(photoType))) form.fail("photo", "participation.proposal.error.photo_type");
    if (form.invalid) return reply.page(<NewProposalPage ctx={await request.view()} municipality={municipality} process={process} form={form} />, 400);
    const id = await service.createProposal(db, config.filesDir, municipality, actor, process, {
      title,
      body,
      category,
      location,
      photo: photo && photoType ? { data: photo.data, mediaType: photoType, filename: photo.filename } : null,
    });
    return reply.redirectWithFlash(`/${municipality.slug}/participation/${process.slug}/proposals/${id}`, { kind: "success", key: "participation.flash.proposal_created" });
  });

  async function proposalPage(request: FastifyRequest, reply: FastifyReply, commentForm: FormState = emptyForm(), status = 200) {
    const { municipality, process, proposal } = await visibleProposal(request);
    const actor = request.actor;
    const phase = service.currentPhase(await store.listPhases(db, municipality.id, [process.id]), service.localToday(municipality.time_zone));
    return reply.page(
      <ProposalPage
        ctx={await request.view()}
        municipality={municipality}
        process={process}
        proposal={proposal}
        comments={await store.listComments(db, municipality.id, proposal.id)}
        supported={actor ? (await store.supportedBy(db, municipality.id, [proposal.id], actor.id)).has(proposal.id) : false}
        verified={actor ? !!(await store.verification(db, municipality.id, actor.id)) : false}
        supportsOpen={!!phase?.supports_open}
        commentForm={commentForm}
      />,
      status,
    );
  }

  app.get("/:slug/participation/:process/proposals/:id", async (request, reply) => proposalPage(request, reply));

  app.get("/:slug/participation/:process/proposals/:id/photo", async (request, reply) => {
    const { municipality, proposal } = await visibleProposal(request);
    const file = proposal.photo_id ? await findStoredFile(db, municipality.id, proposal.photo_id) : undefined;
    if (!file) throw new AppError("NOT_FOUND");
    return sendStoredFile(reply, config.filesDir, file, { cacheControl: "public, max-age=86400" });
  });

  for (const verb of ["support", "unsupport"] as const) {
    app.post(`/:slug/participation/:process/proposals/:id/${verb}`, async (request, reply) => {
      const { municipality, process, proposal } = await visibleProposal(request);
      const actor = requireSignedIn(request.actor);
      await service.setSupport(db, municipality, actor, proposal.id, verb === "support");
      return reply.redirectWithFlash(`/${municipality.slug}/participation/${process.slug}/proposals/${proposal.id}`, { kind: "success", key: verb === "support" ? "participation.flash.supported" : "participation.flash.support_withdrawn" });
    });
  }

  app.post("/:slug/participation/:process/proposals/:id/withdraw", async (request, reply) => {
    const { municipality, process, proposal } = await visibleProposal(request);
    const actor = requireSignedIn(request.actor);
    await service.withdrawProposal(db, municipality.id, actor, proposal.id);
    return reply.redirectWithFlash(`/${municipality.slug}/participation/${process.slug}/proposals/${proposal.id}`, { kind: "success", key: "participation.flash.withdrawn" });
  });

  app.post("/:slug/participation/:process/proposals/:id/comments", async (request, reply) => {
    const { municipality, process, proposal } = await visibleProposal(request);
    const actor = requireSignedIn(request.actor);
    const form = new FormReader(request.body);
    const parentId = form.text("parent_id", { max: 36 });
    // A reply comes from the form under its comment, whose field is named after it.
    const field = parentId && /^[0-9a-f-]{36}$/i.test(parentId) ? `body-${parentId}` : "body";
    const body = form.text(field, { required: true, max: 5000 });
    form.text("_idem");
    if (form.invalid) return proposalPage(request, reply, { values: { body }, errors: { body: form.errors[field]! } }, 400);
    // A reply to a comment that cannot exist (a malformed id) is a reply to nothing.
    const id = await service.addComment(reach(municipality), actor, proposal, process, parentId ? uuidOr404(parentId) : null, body);
    return reply.redirectWithFlash(`/${municipality.slug}/participation/${process.slug}/proposals/${proposal.id}#c-${id}`, { kind: "success", key: "participation.flash.commented" });
  });

  app.post("/:slug/participation/:process/proposals/:id/flag", async (request, reply) => {
    const { municipality, process, proposal } = await visibleProposal(request);
    const actor = requireSignedIn(request.actor);
    const form = new FormReader(request.body);
    const subjectType = form.choice("subject_type", ["proposal", "comment"] as const) ?? "proposal";
    const subjectId = form.text("subject_id", { required: true, max: 36 });
    const reason = form.choice(`reason-${subjectId.replace(/[^0-9a-f-]/gi, "")}`, service.FLAG_REASONS) ?? form.choice("reason", service.FLAG_REASONS);
    form.text("_idem");
    if (!reason || !/^[0-9a-f-]{36}$/i.test(subjectId)) throw new AppError("VALIDATION", { reason: { key: "form.invalid_choice" } });
    if (subjectType === "proposal" && subjectId !== proposal.id) throw new AppError("NOT_FOUND");
    if (subjectType === "comment" && (await store.getComment(db, municipality.id, subjectId))?.proposal_id !== proposal.id) throw new AppError("NOT_FOUND");
    await service.flagContent(db, municipality.id, actor.id, subjectType, subjectId, reason, "");
    return reply.redirectWithFlash(`/${municipality.slug}/participation/${process.slug}/proposals/${proposal.id}`, { kind: "success", key: "participation.flash.flagged" });
  });

  // ---- Back office ------------------------------------------------------------------------------

  app.get("/:slug/admin/participation", async (request, reply) => {
    const municipality = authorizeManager(request);
    const [processes, flags] = await Promise.all([store.listProcesses(db, municipality.id, { publishedOnly: false }), store.openFlags(db, municipality.id)]);
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

  async function editPage(request: FastifyRequest, reply: FastifyReply, municipality: Municipality, process: store.ProcessRow, forms: { form?: FormState; phaseForm?: FormState; answerForm?: FormState; answering?: string } = {}, status = 200) {
    const [phases, proposals] = await Promise.all([
      store.listPhases(db, municipality.id, [process.id]),
      store.searchProposals(db, municipality.id, { processId: process.id, text: "", category: "", status: "", sort: "newest", seed: 0, includeHidden: true, limit: 500, offset: 0 }),
    ]);
    return reply.page(
      <EditProcessPage
        ctx={await request.view()}
        municipality={municipality}
        process={process}
        phases={phases}
        proposals={proposals.rows}
        form={forms.form ?? processForm(process)}
        phaseForm={forms.phaseForm ?? emptyForm()}
        answerForm={forms.answerForm ?? emptyForm()}
        answering={forms.answering}
        extras={adminExtrasOf(request, municipality, process)}
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

  app.post("/:slug/admin/proposals/:id/answer", async (request, reply) => {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, participationPolicy.answerProposals(request.actor, municipality));
    const proposal = await store.getProposal(db, municipality.id, uuidOr404((request.params as { id: string }).id));
    if (!proposal) throw new AppError("NOT_FOUND");
    const process = (await store.getProcess(db, municipality.id, proposal.process_id))!;
    const form = new FormReader(request.body);
    const status = form.choice("status", service.ANSWER_STATUSES);
    const answer = form.text("answer", { required: true, max: 10_000 });
    form.text("_idem");
    if (form.invalid || !status) return editPage(request, reply, municipality, process, { answerForm: form, answering: proposal.id }, 400);
    await service.answerProposal(reach(municipality), request.actor!.id, proposal, process, status, answer);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/participation/${process.id}#answers`, { kind: "success", key: "participation.flash.answered" });
  });

  app.get("/:slug/admin/moderation", async (request, reply) => {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, participationPolicy.moderate(request.actor, municipality));
    return reply.page(<ModerationPage ctx={await request.view()} municipality={municipality} flags={await store.openFlags(db, municipality.id)} />);
  });

  for (const verb of ["hide", "dismiss"] as const) {
    app.post(`/:slug/admin/moderation/:type/:id/${verb}`, async (request, reply) => {
      const municipality = request.requireMunicipality();
      requireAllowed(request.actor, participationPolicy.moderate(request.actor, municipality));
      const { type, id } = request.params as { type: string; id: string };
      if (type !== "proposal" && type !== "comment") throw new AppError("NOT_FOUND");
      if (verb === "hide") {
        const form = new FormReader(request.body);
        const reason = form.text("reason", { required: true, max: 1000 });
        form.text("_idem");
        if (form.invalid) throw new AppError("VALIDATION", form.errors);
        await service.hideContent(reach(municipality), request.actor!.id, type, uuidOr404(id), reason);
      } else {
        await service.dismissFlags(db, municipality.id, request.actor!.id, type, uuidOr404(id));
      }
      return reply.redirectWithFlash(`/${municipality.slug}/admin/moderation`, { kind: "success", key: verb === "hide" ? "participation.flash.hidden" : "participation.flash.dismissed" });
    });
  }

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

  app.get("/api/v1/:slug/processes", async (request) => {
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

  // The parts of participation that live in their own files.
  await meetingsRoutes(app);
  await budgetsRoutes(app);
  await surveysRoutes(app);

  app.get("/api/v1/:slug/processes/:process/proposals", async (request) => {
    const { municipality, process } = await publishedProcess(request);
    const rows = await store.allProposals(db, municipality.id, process.id);
    return {
      process: process.slug,
      proposals: rows.map((row) => ({
        id: row.id,
        title: row.title,
        body: row.body,
        category: row.category,
        location: row.location,
        status: row.status,
        answer: row.answer || null,
        supports: row.supports_count,
        comments: row.comments_count,
        created_at: row.created_at.toISOString(),
        url: `${config.publicUrl}/${municipality.slug}/participation/${process.slug}/proposals/${row.id}`,
      })),
    };
  });
}

