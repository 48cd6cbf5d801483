import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { IdParam, MunicipalityParams, PageQuery, PUBLIC_READ_ERRORS, pageOf, type Page } from "../../../core/http/api-schemas.js";
import { AppError, uuidOr404 } from "../../../core/http/errors.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { votingPhase } from "./service.js";
import * as store from "./store.js";

/*
 * Participatory budgets as open data, under /api/v1/{slug}/budgets: published budgets of
 * published processes, their projects and, once published, the count. Ballots never appear,
 * only totals: who voted for what is nobody's business.
 */

const Money = Type.Object({ amount: Type.Integer({ description: "In minor units of the currency (francs for XOF and GNF)." }), currency: Type.String({ description: "ISO 4217" }) });

const BudgetSummary = Type.Object({
  id: Type.String({ format: "uuid" }),
  process: Type.String({ description: "The slug of the participatory process the budget belongs to." }),
  title: Type.String(),
  description: Type.String(),
  kind: Type.Union([Type.Literal("knapsack"), Type.Literal("approval")], { description: "knapsack: choose projects within the amount; approval: choose up to max_projects." }),
  total: Money,
  min_projects: Type.Integer(),
  max_projects: Type.Union([Type.Integer(), Type.Null()]),
  voting_opens_at: Type.String({ format: "date-time" }),
  voting_closes_at: Type.String({ format: "date-time" }),
  phase: Type.Union([Type.Literal("upcoming"), Type.Literal("open"), Type.Literal("closed")]),
  projects: Type.Integer({ minimum: 0, description: "How many projects are offered." }),
  results_published_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  url: Type.String({ format: "uri" }),
});

const Project = Type.Object({
  id: Type.String({ format: "uuid" }),
  title: Type.String(),
  description: Type.String(),
  location: Type.String(),
  cost: Money,
});

const ProjectResult = Type.Object({
  project: Type.String({ format: "uuid" }),
  rank: Type.Integer({ minimum: 1 }),
  votes: Type.Integer({ minimum: 0 }),
  selected: Type.Boolean({ description: "Funded by the vote." }),
  allocated: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: "Knapsack only: votes × cost." })),
});

const Results = Type.Object({
  ranking: Type.Array(ProjectResult),
  spent: Type.Integer(),
  remaining: Type.Union([Type.Integer(), Type.Null()]),
  ballots: Type.Integer({ minimum: 0, description: "Valid ballots counted." }),
  eligible: Type.Union([Type.Integer(), Type.Null()], { description: "Residents verified when voting closed." }),
  turnout: Type.Union([Type.Number(), Type.Null()], { description: "ballots / eligible." }),
  csv: Type.String({ format: "uri" }),
});

const BudgetDetail = Type.Object({
  municipality: Type.String(),
  budget: BudgetSummary,
  projects: Type.Array(Project),
  results: Type.Union([Results, Type.Null()], { description: "null until the municipality publishes the count." }),
});

const BudgetParams = Type.Object({ ...MunicipalityParams.properties, budget: IdParam("The budget's id") });

export async function budgetsApiRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app;
  const pageUrl = (municipality: Municipality, budget: store.PublicBudgetRow) => `${config.publicUrl}/${municipality.slug}/participation/${budget.process_slug}/budgets/${budget.id}`;

  function summary(municipality: Municipality, budget: store.PublicBudgetRow, projects: number, now: Date) {
    const phase = votingPhase(budget, now);
    return {
      id: budget.id,
      process: budget.process_slug,
      title: budget.title,
      description: budget.description,
      kind: budget.kind,
      total: { amount: Number(budget.total_amount), currency: municipality.currency },
      min_projects: budget.min_projects,
      max_projects: budget.max_projects,
      voting_opens_at: budget.voting_opens_at.toISOString(),
      voting_closes_at: budget.voting_closes_at.toISOString(),
      phase: phase === "draft" ? "upcoming" : phase,
      projects,
      results_published_at: budget.results_published_at?.toISOString() ?? null,
      url: pageUrl(municipality, budget),
    };
  }

  app.get(
    "/api/v1/:slug/budgets",
    {
      schema: {
        tags: ["participation"],
        operationId: "listBudgets",
        summary: "Participatory budgets of a municipality",
        description: "Published budgets of published participatory processes, the latest vote first.",
        params: MunicipalityParams,
        querystring: PageQuery,
        response: { 200: pageOf("budgets", BudgetSummary), ...PUBLIC_READ_ERRORS },
      },
    },
    async (request) => {
      const municipality = request.requireMunicipality();
      const page = request.query as Page;
      const { total, rows } = await store.pagePublicBudgets(db, municipality.id, page);
      const counts = await store.countProjects(db, municipality.id, rows.map((row) => row.id));
      const now = new Date();
      return { municipality: municipality.slug, total, limit: page.limit, offset: page.offset, budgets: rows.map((row) => summary(municipality, row, counts.get(row.id) ?? 0, now)) };
    },
  );

  app.get(
    "/api/v1/:slug/budgets/:budget",
    {
      schema: {
        tags: ["participation"],
        operationId: "getBudget",
        summary: "A participatory budget with its projects and, once published, its results",
        params: BudgetParams,
        response: { 200: BudgetDetail, ...PUBLIC_READ_ERRORS },
      },
    },
    async (request) => {
      const municipality = request.requireMunicipality();
      const budget = await store.getPublicBudget(db, municipality.id, uuidOr404((request.params as { budget: string }).budget));
      if (!budget) throw new AppError("NOT_FOUND");
      const projects = await store.listProjects(db, municipality.id, budget.id);
      const results = budget.results_published_at ? budget.results : null;
      const money = (amount: number) => ({ amount: Number(amount), currency: municipality.currency });
      return {
        municipality: municipality.slug,
        budget: summary(municipality, budget, projects.length, new Date()),
        projects: projects.map((project) => ({ id: project.id, title: project.title, description: project.description, location: project.location, cost: money(project.cost) })),
        results: results
          ? {
              ranking: results.ranking.map((entry) => ({
                project: entry.id,
                rank: entry.rank,
                votes: entry.votes,
                selected: entry.selected,
                ...(entry.allocated === undefined ? {} : { allocated: entry.allocated }),
              })),
              spent: results.spent,
              remaining: results.remaining,
              ballots: results.turnout.ballots,
              eligible: results.turnout.eligible,
              turnout: results.turnout.rate,
              csv: `${pageUrl(municipality, budget)}/results.csv`,
            }
          : null,
      };
    },
  );
}
