import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { requireSignedIn } from "../../../core/auth/roles.js";
import { AppError, uuidOr404 } from "../../../core/http/errors.js";
import { FormReader, withConflictsOnForm } from "../../../core/http/forms.js";
import type { Formatters } from "../../../core/i18n/index.js";
import { wallClock } from "../../../core/tenancy/clock.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { emptyForm, type FormState } from "../../../core/views/context.js";
import * as budgets from "./service.js";
import { BallotRefused, BUDGET_KINDS, type BallotRefusal, type BudgetInput, type BudgetRow, type ProjectInput } from "./service.js";
import { authorizeManager, processOf } from "../back-office.js";
import { zonedToUtc } from "../service.js";
import { getProcess, getProcessBySlug, verification, type ProcessRow } from "../store.js";
import { budgetPolicy } from "./policy.js";
import * as store from "./store.js";
import { BudgetEditPage, BudgetPage, BudgetsAdminPage, type Voter } from "./views.js";

/**
 * An amount as people type it: "50 000 000" or "50000000", in the currency's minor unit (the
 * franc for XOF and GNF, which have no smaller one). Dots and commas are refused rather than
 * guessed at: in French "1,5" is a decimal, in English "1,500" is not.
 */
function readAmount(form: FormReader, name: string, rules: { required: boolean; min: number }): number | undefined {
  const typed = form.text(name, { required: rules.required, max: 25 });
  if (!typed) return undefined;
  const digits = typed.replace(/[\s\u00a0\u202f]/g, "");
  if (!/^\d{1,16}$/.test(digits)) {
    form.fail(name, "participation.budgets.error.amount");
    return undefined;
  }
  const amount = Number(digits);
  if (!Number.isSafeInteger(amount)) form.fail(name, "form.too_large", { max: Number.MAX_SAFE_INTEGER });
  else if (amount < rules.min) form.fail(name, "form.too_small", { min: rules.min });
  return amount;
}

/** A date and a time typed on the municipality's clock (a browser without date inputs sends DD/MM/YYYY). */
function readMoment(form: FormReader, prefix: "opens" | "closes", timeZone: string): Date | undefined {
  const dateName = `${prefix}_date`;
  const date = form.text(dateName, { required: true, max: 10 });
  const time = form.text(`${prefix}_time`, { required: true, max: 8 });
  if (!date || !time) return undefined;
  const french = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(date);
  const isoDate = french ? `${french[3]}-${french[2]!.padStart(2, "0")}-${french[1]!.padStart(2, "0")}` : date;
  const clock = /^(\d{1,2})[:hH](\d{2})(?::\d{2})?$/.exec(time);
  const moment = clock ? zonedToUtc(isoDate, `${clock[1]!.padStart(2, "0")}:${clock[2]}`, timeZone) : undefined;
  if (!moment) form.fail(dateName, "participation.budgets.error.moment");
  return moment;
}

function readSettings(form: FormReader, timeZone: string): BudgetInput {
  const title = form.text("title", { required: true, max: 200 });
  const description = form.text("description", { max: 20_000 });
  const kind = form.choice("kind", BUDGET_KINDS) ?? "knapsack";
  const totalAmount = readAmount(form, "total_amount", { required: true, min: 1 }) ?? 0;
  // Project counts belong to approval rules; under knapsack rules they are kept but not read.
  const maxProjects = kind === "approval" ? (form.integer("max_projects", { required: true, min: 1, max: 1000 }) ?? null) : (form.text("max_projects", { max: 10 }), null);
  const minProjects = kind === "approval" ? (form.integer("min_projects", { min: 1, max: 1000 }) ?? 1) : (form.text("min_projects", { max: 10 }), 1);
  const opensAt = readMoment(form, "opens", timeZone) ?? new Date(0);
  const closesAt = readMoment(form, "closes", timeZone) ?? new Date(0);
  form.text("_idem");
  return { title, description, kind, totalAmount, maxProjects, minProjects, opensAt, closesAt };
}

function readProject(form: FormReader): ProjectInput {
  const input = {
    title: form.text("project_title", { required: true, max: 200 }),
    cost: readAmount(form, "project_cost", { required: true, min: 0 }) ?? 0,
    location: form.text("project_location", { max: 200 }),
    description: form.text("project_description", { max: 5000 }),
  };
  form.text("_idem");
  return input;
}

function settingsForm(budget: BudgetRow, timeZone: string): FormState {
  const opens = wallClock(budget.voting_opens_at, timeZone);
  const closes = wallClock(budget.voting_closes_at, timeZone);
  return emptyForm({
    title: budget.title,
    description: budget.description,
    kind: budget.kind,
    total_amount: String(budget.total_amount),
    max_projects: budget.max_projects === null ? "" : String(budget.max_projects),
    min_projects: String(budget.min_projects),
    opens_date: opens.date,
    opens_time: opens.time,
    closes_date: closes.date,
    closes_time: closes.time,
  });
}

/** A new budget's form: voting from tomorrow morning for a month, on the municipality's clock. */
function newSettingsForm(timeZone: string, now: Date): FormState {
  const day = 86_400_000;
  return emptyForm({
    kind: "knapsack",
    min_projects: "1",
    opens_date: wallClock(new Date(now.getTime() + day), timeZone).date,
    opens_time: "08:00",
    closes_date: wallClock(new Date(now.getTime() + 31 * day), timeZone).date,
    closes_time: "18:00",
  });
}

/** A refusal's message parameters, amounts and times written for the person reading them. */
function refusalParams(refusal: BallotRefusal, fmt: Formatters, municipality: Municipality, budget: BudgetRow): Record<string, string | number> {
  const money = (amount: number) => fmt.money(amount, municipality.currency);
  switch (refusal.reason) {
    case "over_budget":
      return { over: money(refusal.over), total: money(refusal.total), budget: money(refusal.budget) };
    case "too_many":
      return { count: refusal.count, max: refusal.max };
    case "too_few":
      return { count: refusal.count, min: refusal.min };
    case "closed":
      return { closes: fmt.dateTime(budget.voting_closes_at, municipality.time_zone) };
    case "not_open":
      return { opens: fmt.dateTime(budget.voting_opens_at, municipality.time_zone) };
    default:
      return {};
  }
}

export async function budgetsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app;

  // ---- Public ------------------------------------------------------------------------------

  /** The budget of the URL, in the URL's municipality and process; drafts only for their editors. */
  async function visibleBudget(request: FastifyRequest): Promise<{ municipality: Municipality; process: ProcessRow; budget: BudgetRow }> {
    const municipality = request.requireMunicipality();
    const params = request.params as { process: string; budget: string };
    const manager = budgetPolicy.seeDrafts(request.actor, municipality);
    const process = await getProcessBySlug(db, municipality.id, params.process);
    if (!process || (process.status !== "published" && !manager)) throw new AppError("NOT_FOUND");
    const budget = await store.getBudget(db, municipality.id, uuidOr404(params.budget));
    if (!budget || budget.process_id !== process.id || (budget.status !== "published" && !manager)) throw new AppError("NOT_FOUND");
    return { municipality, process, budget };
  }

  async function budgetPage(request: FastifyRequest, reply: FastifyReply, found: Awaited<ReturnType<typeof visibleBudget>>, form: FormState = emptyForm(), status = 200) {
    const { municipality, process, budget } = found;
    const actor = request.actor;
    const [projects, verified, ballot] = await Promise.all([
      store.listProjects(db, municipality.id, budget.id),
      actor ? verification(db, municipality.id, actor.id) : undefined,
      actor ? store.getBallot(db, municipality.id, budget.id, actor.id) : undefined,
    ]);
    const voter: Voter = !actor ? "anonymous" : verified ? "verified" : "unverified";
    const sent = form.values.projects;
    const chosen = new Set(sent !== undefined ? sent.split(",").filter(Boolean) : (ballot?.project_ids ?? []));
    return reply.page(
      <BudgetPage
        ctx={await request.view()}
        municipality={municipality}
        process={process}
        budget={budget}
        projects={projects}
        phase={budgets.votingPhase(budget, new Date())}
        voter={voter}
        ballot={ballot}
        chosen={chosen}
        form={form}
      />,
      status,
    );
  }

  app.get("/:slug/participation/:process/budgets/:budget", async (request, reply) => budgetPage(request, reply, await visibleBudget(request)));

  app.get("/:slug/participation/:process/budgets/:budget/results.csv", async (request, reply) => {
    const { municipality, process, budget } = await visibleBudget(request);
    if (!budget.results) throw new AppError("NOT_FOUND");
    const projects = await store.listProjects(db, municipality.id, budget.id);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${municipality.slug}-${process.slug}-budget-resultats.csv"`)
      .send(budgets.resultsCsv(budget, projects, municipality.currency));
  });

  app.post("/:slug/participation/:process/budgets/:budget/ballot", async (request, reply) => {
    const found = await visibleBudget(request);
    const { municipality, process, budget } = found;
    const actor = requireSignedIn(request.actor);
    const projects = await store.listProjects(db, municipality.id, budget.id);
    const form = new FormReader(request.body);
    const chosen = form.list("projects", projects.map((project) => project.id));
    form.text("_idem");
    if (form.invalid) return budgetPage(request, reply, found, form, 400);
    try {
      const outcome = await budgets.castBallot(db, municipality.id, actor.id, budget.id, chosen);
      return reply.redirectWithFlash(`/${municipality.slug}/participation/${process.slug}/budgets/${budget.id}#ballot`, {
        kind: "success",
        key: outcome.replaced ? "participation.budgets.flash.ballot_replaced" : "participation.budgets.flash.ballot_cast",
      });
    } catch (error) {
      if (!(error instanceof BallotRefused)) throw error;
      form.refuse("projects", budgets.BALLOT_REFUSALS[error.refusal.reason], refusalParams(error.refusal, request.fmt, municipality, budget));
      // Who or when is not the ballot's fault (409); what was chosen can be corrected (400).
      return budgetPage(request, reply, found, form, error.aboutState ? 409 : 400);
    }
  });

  // ---- Back office -------------------------------------------------------------------------

  async function budgetOf(request: FastifyRequest, municipality: Municipality): Promise<{ budget: BudgetRow; process: ProcessRow }> {
    const budget = await store.getBudget(db, municipality.id, uuidOr404((request.params as { budget: string }).budget));
    const process = budget ? await getProcess(db, municipality.id, budget.process_id) : undefined;
    if (!budget || !process) throw new AppError("NOT_FOUND");
    return { budget, process };
  }

  async function listPage(request: FastifyRequest, reply: FastifyReply, municipality: Municipality, process: ProcessRow, form: FormState, status = 200) {
    const now = new Date();
    const rows = await store.listBudgets(db, municipality.id, process.id, { publishedOnly: false });
    return reply.page(
      <BudgetsAdminPage ctx={await request.view()} municipality={municipality} process={process} budgets={rows} form={form} phaseOf={(budget) => budgets.votingPhase(budget, now)} />,
      status,
    );
  }

  app.get("/:slug/admin/participation/:id/budgets", async (request, reply) => {
    const municipality = authorizeManager(request, budgetPolicy.manage);
    const process = await processOf(db, request, municipality);
    return listPage(request, reply, municipality, process, newSettingsForm(municipality.time_zone, new Date()));
  });

  app.post("/:slug/admin/participation/:id/budgets", async (request, reply) => {
    const municipality = authorizeManager(request, budgetPolicy.manage);
    const process = await processOf(db, request, municipality);
    const form = new FormReader(request.body);
    const input = readSettings(form, municipality.time_zone);
    const id = form.invalid ? undefined : await withConflictsOnForm(form, () => budgets.createBudget(db, municipality.id, request.actor!.id, process.id, input));
    if (!id) return listPage(request, reply, municipality, process, form, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/budgets/${id}`, { kind: "success", key: "participation.budgets.flash.created" });
  });

  async function editPage(request: FastifyRequest, reply: FastifyReply, municipality: Municipality, found: { budget: BudgetRow; process: ProcessRow }, forms: { settings?: FormState; project?: FormState } = {}, status = 200) {
    const { budget, process } = found;
    const now = new Date();
    const phase = budgets.votingPhase(budget, now);
    const [projects, preview] = await Promise.all([
      store.listProjects(db, municipality.id, budget.id),
      phase === "closed" && !budget.results_published_at ? budgets.countResults(db, municipality.id, budget) : undefined,
    ]);
    return reply.page(
      <BudgetEditPage
        ctx={await request.view()}
        municipality={municipality}
        process={process}
        budget={budget}
        projects={projects}
        phase={phase}
        projectsEditable={budgets.projectsEditable(budget, now)}
        preview={preview?.results}
        settingsForm={forms.settings ?? settingsForm(budget, municipality.time_zone)}
        projectForm={forms.project ?? emptyForm()}
      />,
      status,
    );
  }

  app.get("/:slug/admin/budgets/:budget", async (request, reply) => {
    const municipality = authorizeManager(request, budgetPolicy.manage);
    return editPage(request, reply, municipality, await budgetOf(request, municipality));
  });

  app.post("/:slug/admin/budgets/:budget", async (request, reply) => {
    const municipality = authorizeManager(request, budgetPolicy.manage);
    const found = await budgetOf(request, municipality);
    const form = new FormReader(request.body);
    const input = readSettings(form, municipality.time_zone);
    const saved = form.invalid ? undefined : await withConflictsOnForm(form, () => budgets.updateBudgetSettings(db, municipality.id, request.actor!.id, found.budget.id, input).then(() => true));
    if (!saved) return editPage(request, reply, municipality, found, { settings: form }, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/budgets/${found.budget.id}#settings`, { kind: "success", key: "participation.budgets.flash.saved" });
  });

  app.post("/:slug/admin/budgets/:budget/projects", async (request, reply) => {
    const municipality = authorizeManager(request, budgetPolicy.manage);
    const found = await budgetOf(request, municipality);
    const form = new FormReader(request.body);
    const input = readProject(form);
    if (form.invalid) return editPage(request, reply, municipality, found, { project: form }, 400);
    await budgets.addProject(db, municipality.id, request.actor!.id, found.budget.id, input);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/budgets/${found.budget.id}#projects`, { kind: "success", key: "participation.budgets.flash.project_added" });
  });

  app.post("/:slug/admin/budgets/:budget/projects/:project/delete", async (request, reply) => {
    const municipality = authorizeManager(request, budgetPolicy.manage);
    const { budget } = await budgetOf(request, municipality);
    await budgets.removeProject(db, municipality.id, request.actor!.id, budget.id, uuidOr404((request.params as { project: string }).project));
    return reply.redirectWithFlash(`/${municipality.slug}/admin/budgets/${budget.id}#projects`, { kind: "success", key: "participation.budgets.flash.project_removed" });
  });

  app.post("/:slug/admin/budgets/:budget/publish", async (request, reply) => {
    const municipality = authorizeManager(request, budgetPolicy.manage);
    const { budget } = await budgetOf(request, municipality);
    await budgets.publishBudget(db, municipality.id, request.actor!.id, budget.id);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/budgets/${budget.id}`, { kind: "success", key: "participation.budgets.flash.published" });
  });

  app.post("/:slug/admin/budgets/:budget/results", async (request, reply) => {
    const municipality = authorizeManager(request, budgetPolicy.manage);
    const { budget } = await budgetOf(request, municipality);
    await budgets.publishResults(db, municipality.id, request.actor!.id, budget.id);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/budgets/${budget.id}#results`, { kind: "success", key: "participation.budgets.flash.results_published" });
  });
}
