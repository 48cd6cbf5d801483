import { toCsv } from "../../../core/export/csv.js";
import { recordAudit } from "../../../core/audit/index.js";
import type { Queryable, Tx } from "../../../core/db/index.js";
import { AppError, ruleRefused, type FieldError, type Reason } from "../../../core/http/errors.js";
import { checkBallot, computeResults, type BudgetResults, type BudgetRules, type Project } from "./ballot.js";
import { PARTICIPATION_REASONS as REASONS } from "../reasons.js";
import { getProcess, verification } from "../store.js";
import * as store from "./store.js";
import type { BudgetInput, BudgetKind, BudgetProjectRow, BudgetRow, ProjectInput } from "./store.js";

/*
 * Participatory budgets (budget participatif): the municipality sets aside an envelope, lists
 * costed projects, and verified residents vote during a window typed in the municipality's time
 * zone. A resident holds one ballot per budget, which they may replace while voting is open; once
 * it closes the ballot stays as cast (the service refuses, and a trigger in the database refuses
 * too). The count (budget.ts) is published once, after closing, and kept as published.
 */

/** Where a budget's vote stands at a given moment. */
export type VotingPhase = "draft" | "upcoming" | "open" | "closed";

export const BUDGET_KINDS: readonly BudgetKind[] = ["knapsack", "approval"];

export type { BallotRow, BudgetInput, BudgetKind, BudgetProjectRow, BudgetRow, BudgetStatus, ProjectInput } from "./store.js";

/** The budget locked for the rest of the transaction, with the database's clock (see the store). */
async function lockBudget(tx: Queryable, municipalityId: string, id: string): Promise<{ budget: BudgetRow; now: Date }> {
  const locked = await store.lockBudget(tx, municipalityId, id);
  if (!locked) throw new AppError("NOT_FOUND");
  return locked;
}

// ---------------------------------------------------------------------------------------------
// Rules

export function rulesOf(budget: Pick<BudgetRow, "kind" | "total_amount" | "max_projects" | "min_projects">): BudgetRules {
  return budget.kind === "knapsack"
    ? { kind: "knapsack", budget: budget.total_amount }
    : { kind: "approval", maxProjects: budget.max_projects ?? 1, minProjects: budget.min_projects };
}

export function votingPhase(budget: Pick<BudgetRow, "status" | "voting_opens_at" | "voting_closes_at">, now: Date): VotingPhase {
  if (budget.status === "draft") return "draft";
  if (now < budget.voting_opens_at) return "upcoming";
  if (now < budget.voting_closes_at) return "open";
  return "closed";
}

/** Projects may change while nobody can have voted: a draft, or a published budget before opening. */
export function projectsEditable(budget: Pick<BudgetRow, "status" | "voting_opens_at">, now: Date): boolean {
  return budget.status === "draft" || now < budget.voting_opens_at;
}

/** A field's value refused by a rule: its message, and the rule's code for whoever reads the form. */
const refusedValue = (reason: Reason): FieldError => ({ key: reason.messageKey, reason: reason.code });

/** Problems with settings that the form alone cannot see, by field name. */
export function settingsErrors(input: BudgetInput): Record<string, FieldError> {
  const errors: Record<string, FieldError> = {};
  if (input.closesAt.getTime() <= input.opensAt.getTime()) errors.closes_date = refusedValue(REASONS.BUDGET_CLOSES_BEFORE_OPENS);
  if (input.kind === "approval") {
    if (input.maxProjects === null) errors.max_projects = { key: "form.required" };
    else if (input.minProjects > input.maxProjects) errors.min_projects = refusedValue(REASONS.BUDGET_MIN_OVER_MAX);
  }
  return errors;
}

/** The rules as stored: a knapsack vote carries no project counts. */
function normalise(input: BudgetInput): BudgetInput {
  return input.kind === "knapsack" ? { ...input, maxProjects: null, minProjects: 1 } : input;
}

/** Why a ballot was refused, with what the message needs; amounts in minor units. */
export type BallotRefusal =
  | { reason: "not_verified" | "not_open" | "closed" | "empty" | "unknown_project" | "duplicate_project" }
  | { reason: "over_budget"; over: number; total: number; budget: number }
  | { reason: "too_many"; count: number; max: number }
  | { reason: "too_few"; count: number; min: number };

/** The rule behind each refusal; the state ones (who, when) are not the ballot's fault. */
export const BALLOT_REFUSALS: Record<BallotRefusal["reason"], Reason> = {
  not_verified: REASONS.BALLOT_NOT_VERIFIED,
  not_open: REASONS.BALLOT_NOT_OPEN,
  closed: REASONS.BALLOT_CLOSED,
  empty: REASONS.BALLOT_EMPTY,
  unknown_project: REASONS.BALLOT_UNKNOWN_PROJECT,
  duplicate_project: REASONS.BALLOT_DUPLICATE_PROJECT,
  over_budget: REASONS.BALLOT_OVER_BUDGET,
  too_many: REASONS.BALLOT_TOO_MANY,
  too_few: REASONS.BALLOT_TOO_FEW,
};

export class BallotRefused extends AppError {
  constructor(readonly refusal: BallotRefusal) {
    super("CONFLICT", {}, {}, BALLOT_REFUSALS[refusal.reason]);
  }
  /** Refused for who or when the person votes, not for what they chose. */
  get aboutState(): boolean {
    return this.refusal.reason === "not_verified" || this.refusal.reason === "not_open" || this.refusal.reason === "closed";
  }
}

/** The guard of the migration says a ballot cannot be written any more. */
const isGuardRefusal = (error: unknown) => error instanceof Error && /budget_ballot_locked/.test(error.message);

// ---------------------------------------------------------------------------------------------
// Use cases: each a transaction, each change audited

export async function createBudget(db: Tx, municipalityId: string, actorId: string, processId: string, input: BudgetInput): Promise<string> {
  const errors = settingsErrors(input);
  if (Object.keys(errors).length > 0) throw new AppError("CONFLICT", errors);
  const values = normalise(input);
  return db.transaction(async (tx) => {
    if (!(await getProcess(tx, municipalityId, processId))) throw new AppError("NOT_FOUND");
    const id = await store.insertBudget(tx, municipalityId, actorId, processId, values);
    await recordAudit(tx, { actorId, municipalityId, action: "participation.budget.create", subjectType: "budget", subjectId: id, data: { process: processId, title: values.title, kind: values.kind, total: values.totalAmount } });
    return id;
  });
}

/**
 * Once a published budget's vote has opened, residents vote against its rules and dates: only
 * its title and description may still change (a typo), everything else is refused field by field.
 */
export async function updateBudgetSettings(db: Tx, municipalityId: string, actorId: string, id: string, input: BudgetInput): Promise<void> {
  const errors = settingsErrors(input);
  if (Object.keys(errors).length > 0) throw new AppError("CONFLICT", errors);
  const values = normalise(input);
  await db.transaction(async (tx) => {
    const { budget, now } = await lockBudget(tx, municipalityId, id);
    if (budget.status === "published" && now >= budget.voting_opens_at) {
      const locked: Record<string, FieldError> = {};
      const refused = refusedValue(REASONS.BUDGET_LOCKED_AFTER_OPENING);
      // A form carries minutes: a stored time with seconds comes back as the same minute.
      const sameMinute = (a: Date, b: Date) => Math.floor(a.getTime() / 60_000) === Math.floor(b.getTime() / 60_000);
      if (values.kind !== budget.kind) locked.kind = refused;
      if (values.totalAmount !== budget.total_amount) locked.total_amount = refused;
      if (values.maxProjects !== budget.max_projects) locked.max_projects = refused;
      if (values.minProjects !== budget.min_projects) locked.min_projects = refused;
      if (!sameMinute(values.opensAt, budget.voting_opens_at)) locked.opens_date = refused;
      if (!sameMinute(values.closesAt, budget.voting_closes_at)) locked.closes_date = refused;
      if (Object.keys(locked).length > 0) throw new AppError("CONFLICT", locked);
      await store.updateBudgetText(tx, municipalityId, id, values);
      await recordAudit(tx, { actorId, municipalityId, action: "participation.budget.update", subjectType: "budget", subjectId: id, data: { title: values.title } });
      return;
    }
    await store.updateBudget(tx, municipalityId, id, values);
    await recordAudit(tx, { actorId, municipalityId, action: "participation.budget.update", subjectType: "budget", subjectId: id, data: { title: values.title, kind: values.kind, total: values.totalAmount } });
  });
}

export async function addProject(db: Tx, municipalityId: string, actorId: string, budgetId: string, input: ProjectInput): Promise<string> {
  return db.transaction(async (tx) => {
    const { budget, now } = await lockBudget(tx, municipalityId, budgetId);
    if (!projectsEditable(budget, now)) throw ruleRefused(REASONS.BUDGET_PROJECTS_LOCKED);
    const id = await store.insertProject(tx, municipalityId, budgetId, input);
    await recordAudit(tx, { actorId, municipalityId, action: "participation.budget.project.add", subjectType: "budget", subjectId: budgetId, data: { project: id, title: input.title, cost: input.cost } });
    return id;
  });
}

export async function removeProject(db: Tx, municipalityId: string, actorId: string, budgetId: string, projectId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const { budget, now } = await lockBudget(tx, municipalityId, budgetId);
    if (!projectsEditable(budget, now)) throw ruleRefused(REASONS.BUDGET_PROJECTS_LOCKED);
    const title = await store.deleteProject(tx, municipalityId, budgetId, projectId);
    if (title === undefined) throw new AppError("NOT_FOUND");
    await recordAudit(tx, { actorId, municipalityId, action: "participation.budget.project.remove", subjectType: "budget", subjectId: budgetId, data: { project: projectId, title } });
  });
}

/** A budget opens to residents only if some ballot can satisfy its rules. */
export async function publishBudget(db: Tx, municipalityId: string, actorId: string, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const { budget } = await lockBudget(tx, municipalityId, id);
    if (budget.status === "published") return;
    const projects = await store.listProjects(tx, municipalityId, id);
    if (projects.length === 0) throw ruleRefused(REASONS.BUDGET_NO_PROJECTS);
    if (budget.kind === "knapsack" && projects.every((project) => project.cost > budget.total_amount)) throw ruleRefused(REASONS.BUDGET_NOTHING_FITS);
    if (budget.kind === "approval" && projects.length < budget.min_projects) throw ruleRefused(REASONS.BUDGET_TOO_FEW_PROJECTS);
    await store.markBudgetPublished(tx, municipalityId, id);
    await recordAudit(tx, { actorId, municipalityId, action: "participation.budget.publish", subjectType: "budget", subjectId: id, data: { projects: projects.length } });
  });
}

const asProjects = (rows: BudgetProjectRow[]): Project[] => rows.map((row) => ({ id: row.id, cost: row.cost }));

/**
 * Casts a verified resident's ballot, or replaces theirs, while voting is open. The budget row is
 * locked so that the window checked here is the one in force when the ballot is written.
 */
export async function castBallot(db: Tx, municipalityId: string, userId: string, budgetId: string, projectIds: readonly string[]): Promise<{ replaced: boolean; total: number }> {
  try {
    return await db.transaction(async (tx) => {
      const { budget, now } = await lockBudget(tx, municipalityId, budgetId);
      const phase = votingPhase(budget, now);
      if (phase === "draft") throw new AppError("NOT_FOUND");
      // When comes first: after closing, "closed" is the answer for everyone.
      if (phase === "upcoming") throw new BallotRefused({ reason: "not_open" });
      if (phase === "closed") throw new BallotRefused({ reason: "closed" });
      if (!(await verification(tx, municipalityId, userId))) throw new BallotRefused({ reason: "not_verified" });
      const checked = checkBallot(rulesOf(budget), asProjects(await store.listProjects(tx, municipalityId, budgetId)), projectIds);
      if (!checked.ok) {
        const params = checked.params ?? {};
        if (checked.reason === "over_budget") throw new BallotRefused({ reason: "over_budget", over: params.total! - params.budget!, total: params.total!, budget: params.budget! });
        if (checked.reason === "too_many") throw new BallotRefused({ reason: "too_many", count: params.count!, max: params.max! });
        if (checked.reason === "too_few") throw new BallotRefused({ reason: "too_few", count: params.count!, min: params.min! });
        throw new BallotRefused({ reason: checked.reason });
      }
      const replaced = !!(await store.getBallot(tx, municipalityId, budgetId, userId));
      await store.upsertBallot(tx, municipalityId, budgetId, userId, projectIds, checked.total);
      // That this person voted is recorded; what they chose is not copied into the audit log.
      await recordAudit(tx, { actorId: userId, municipalityId, action: replaced ? "participation.budget.ballot.replace" : "participation.budget.ballot.cast", subjectType: "budget", subjectId: budgetId });
      return { replaced, total: checked.total };
    });
  } catch (error) {
    if (isGuardRefusal(error)) throw new BallotRefused({ reason: "closed" });
    throw error;
  }
}

/** Counts a budget's ballots now (for the back office before publication). */
export async function countResults(db: Queryable, municipalityId: string, budget: BudgetRow): Promise<{ results: BudgetResults; eligible: number }> {
  const [projects, ballots, eligible] = await Promise.all([
    store.listProjects(db, municipalityId, budget.id),
    store.ballotChoices(db, municipalityId, budget.id),
    store.countEligibleVoters(db, municipalityId, budget.voting_closes_at),
  ]);
  // Under approval rules the envelope still bounds what is funded, greedily by votes.
  const options = budget.kind === "approval" ? { budget: budget.total_amount } : {};
  return { results: computeResults(rulesOf(budget), asProjects(projects), ballots, eligible, options), eligible };
}

/** Publishes the count once voting has closed; the published count is kept as it is. */
export async function publishResults(db: Tx, municipalityId: string, actorId: string, id: string): Promise<BudgetResults> {
  return db.transaction(async (tx) => {
    const { budget, now } = await lockBudget(tx, municipalityId, id);
    if (budget.results_published_at) throw ruleRefused(REASONS.BUDGET_RESULTS_ALREADY_PUBLISHED);
    if (votingPhase(budget, now) !== "closed") throw ruleRefused(REASONS.BUDGET_NOT_CLOSED_YET);
    const { results, eligible } = await countResults(tx, municipalityId, budget);
    await store.saveResults(tx, municipalityId, id, results, eligible);
    await recordAudit(tx, {
      actorId,
      municipalityId,
      action: "participation.budget.results.publish",
      subjectType: "budget",
      subjectId: id,
      data: { ballots: results.turnout.ballots, eligible, selected: results.selected, spent: results.spent },
    });
    return results;
  });
}

// ---------------------------------------------------------------------------------------------
// Open data

/**
 * The published results as CSV, one row per project in ranking order: no person appears, only
 * counts. Header names are stable and in English, like the platform's other exports; the
 * budget-wide figures are repeated on each row so that the file stands alone.
 */
export function resultsCsv(budget: BudgetRow, projects: BudgetProjectRow[], currency: string): string {
  const results = budget.results;
  if (!results) throw new RangeError("results are not published");
  const byId = new Map(projects.map((project) => [project.id, project]));
  const header = ["rank", "project_id", "title", "location", "cost", "currency", "votes", "selected", "budget_total", "ballots", "eligible_voters", "turnout"];
  const rows = results.ranking.map((entry) => [
    entry.rank,
    entry.id,
    byId.get(entry.id)?.title ?? "",
    byId.get(entry.id)?.location ?? "",
    entry.cost,
    currency,
    entry.votes,
    entry.selected,
    budget.total_amount,
    results.turnout.ballots,
    results.turnout.eligible,
    results.turnout.rate === null ? null : Math.round(results.turnout.rate * 10000) / 10000,
  ]);
  return toCsv(header, rows);
}

/** Links to a process's published budgets, for its public page. */
export function budgetLinks(db: Queryable) {
  return async (municipality: { id: string; slug: string }, process: { id: string; slug: string }): Promise<{ href: string; label: string }[]> =>
    (await store.listBudgets(db, municipality.id, process.id, { publishedOnly: true })).map((budget) => ({
      href: `/${municipality.slug}/participation/${process.slug}/budgets/${budget.id}`,
      label: budget.title,
    }));
}
