import { toCsv } from "../../../core/export/csv.js";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { requireAllowed, requireSignedIn } from "../../../core/auth/roles.js";
import type { Tx } from "../../../core/db/index.js";
import { findStoredFile, MEDIA_TYPES, sendStoredFile, sniffMediaType } from "../../../core/files/index.js";
import { AppError, uuidOr404 } from "../../../core/http/errors.js";
import { FormReader } from "../../../core/http/forms.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { emptyForm, type FormState, type ViewContext } from "../../../core/views/context.js";
import { publishedProcess } from "../back-office.js";
import { currentPhase, localToday } from "../service.js";
import { getProcess, listPhases, verification, type PhaseRow, type ProcessRow } from "../store.js";
import { proposalPolicy } from "./policy.js";
import * as service from "./service.js";
import * as store from "./store.js";
import { ProposalsSchema } from "../schema.js";
import { AnswersSection, ModerationPage, NewProposalPage, PROPOSAL_STATUSES, ProposalList, ProposalPage, type ProposalListParams } from "./views.js";

const PROPOSALS_PER_PAGE = 12;
const PHOTO_TYPES: string[] = [MEDIA_TYPES.jpeg, MEDIA_TYPES.png, MEDIA_TYPES.webp];

function readListParams(query: Record<string, unknown>): ProposalListParams {
  const text = (name: string, max: number) => (typeof query[name] === "string" ? (query[name] as string).slice(0, max) : "");
  const sort = text("sort", 10);
  const status = text("status", 20);
  const seed = /^\d{1,9}$/.test(text("seed", 9)) ? Number(text("seed", 9)) : Math.floor(Math.random() * 1_000_000);
  return {
    q: text("q", 200),
    category: text("category", 100),
    status: (PROPOSAL_STATUSES as string[]).includes(status) ? (status as ProposalListParams["status"]) : "",
    sort: (store.PROPOSAL_SORTS as readonly string[]).includes(sort) ? (sort as store.ProposalSort) : "supports",
    seed,
    page: /^\d{1,5}$/.test(text("page", 5)) ? Math.max(1, Number(text("page", 5))) : 1,
  };
}

/** A process's proposals for its public page, as the query string asks for them. */
export async function proposalListOf(db: Tx, request: FastifyRequest, ctx: ViewContext, municipality: Municipality, process: ProcessRow, current: PhaseRow | undefined): Promise<JSX.Element> {
  const params = readListParams(request.query as Record<string, unknown>);
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
  return (
    <ProposalList
      ctx={ctx}
      municipality={municipality}
      process={process}
      proposalsOpen={!!current?.proposals_open}
      verified={actor ? !!(await verification(db, municipality.id, actor.id)) : false}
      list={result}
      params={params}
    />
  );
}

/** The proposals a process's back-office page lists for answering, hidden ones included. */
export async function answersOf(db: Tx, ctx: ViewContext, municipality: Municipality, process: ProcessRow, answering?: { proposalId: string; form: FormState }): Promise<JSX.Element> {
  const proposals = await store.searchProposals(db, municipality.id, { processId: process.id, text: "", category: "", status: "", sort: "newest", seed: 0, includeHidden: true, limit: 500, offset: 0 });
  return <AnswersSection ctx={ctx} municipality={municipality} proposals={proposals.rows} answering={answering} />;
}

/** How the part draws the process's back-office page again, with an answer form that came back with errors. */
export type ProcessEditPage = (
  request: FastifyRequest,
  reply: FastifyReply,
  municipality: Municipality,
  process: ProcessRow,
  forms: { answering: { proposalId: string; form: FormState } },
  status: number,
) => Promise<unknown>;

/** Proposals, supports, comments, flags, answers and moderation. */
export async function proposalsRoutes(app: FastifyInstance, options: { processEditPage: ProcessEditPage }): Promise<void> {
  const { db, config } = app;
  const reach = (municipality: Municipality) => ({ db, notifier: app.notifier, publicUrl: config.publicUrl, municipality });

  async function visibleProposal(request: FastifyRequest) {
    const { municipality, process } = await publishedProcess(db, request);
    const proposal = await store.getProposal(db, municipality.id, uuidOr404((request.params as { id: string }).id));
    if (!proposal || proposal.process_id !== process.id) throw new AppError("NOT_FOUND");
    // Hidden content leaves public pages; moderators still reach it to review the decision.
    if (proposal.hidden_at && !proposalPolicy.seeHidden(request.actor, municipality)) throw new AppError("NOT_FOUND");
    return { municipality, process, proposal };
  }

  app.get("/:slug/participation/:process/proposals.csv", async (request, reply) => {
    const { municipality, process } = await publishedProcess(db, request);
    const rows = await store.allProposals(db, municipality.id, process.id);
    const header = ["id", "title", "body", "category", "location", "status", "answer", "supports", "comments", "created_at"];
    const lines = rows.map((row) => [row.id, row.title, row.body, row.category, row.location, row.status, row.answer, row.supports_count, row.comments_count, row.created_at]);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${municipality.slug}-${process.slug}-propositions.csv"`)
      .send(toCsv(header, lines));
  });

  app.get("/:slug/participation/:process/proposals/new", async (request, reply) => {
    const { municipality, process } = await publishedProcess(db, request);
    requireSignedIn(request.actor);
    return reply.page(<NewProposalPage ctx={await request.view()} municipality={municipality} process={process} form={emptyForm()} />);
  });

  app.post("/:slug/participation/:process/proposals", async (request, reply) => {
    const { municipality, process } = await publishedProcess(db, request);
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
    const phase = currentPhase(await listPhases(db, municipality.id, [process.id]), localToday(municipality.time_zone));
    return reply.page(
      <ProposalPage
        ctx={await request.view()}
        municipality={municipality}
        process={process}
        proposal={proposal}
        comments={await store.listComments(db, municipality.id, proposal.id)}
        supported={actor ? (await store.supportedBy(db, municipality.id, [proposal.id], actor.id)).has(proposal.id) : false}
        verified={actor ? !!(await verification(db, municipality.id, actor.id)) : false}
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

  app.post("/:slug/admin/proposals/:id/answer", async (request, reply) => {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, proposalPolicy.answer(request.actor, municipality));
    const proposal = await store.getProposal(db, municipality.id, uuidOr404((request.params as { id: string }).id));
    if (!proposal) throw new AppError("NOT_FOUND");
    const process = (await getProcess(db, municipality.id, proposal.process_id))!;
    const form = new FormReader(request.body);
    const status = form.choice("status", service.ANSWER_STATUSES);
    const answer = form.text("answer", { required: true, max: 10_000 });
    form.text("_idem");
    if (form.invalid || !status) return options.processEditPage(request, reply, municipality, process, { answering: { proposalId: proposal.id, form } }, 400);
    await service.answerProposal(reach(municipality), request.actor!.id, proposal, process, status, answer);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/participation/${process.id}#answers`, { kind: "success", key: "participation.flash.answered" });
  });

  app.get("/:slug/admin/moderation", async (request, reply) => {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, proposalPolicy.moderate(request.actor, municipality));
    return reply.page(<ModerationPage ctx={await request.view()} municipality={municipality} flags={await store.openFlags(db, municipality.id)} />);
  });

  for (const verb of ["hide", "dismiss"] as const) {
    app.post(`/:slug/admin/moderation/:type/:id/${verb}`, async (request, reply) => {
      const municipality = request.requireMunicipality();
      requireAllowed(request.actor, proposalPolicy.moderate(request.actor, municipality));
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

  app.get("/api/v1/:slug/processes/:process/proposals", { schema: ProposalsSchema }, async (request) => {
    const { municipality, process } = await publishedProcess(db, request);
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
  });}
