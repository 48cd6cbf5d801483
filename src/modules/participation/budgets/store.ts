import type { Queryable } from "../../../core/db/index.js";
import type { BudgetResults } from "./ballot.js";

/** The SQL of participatory budgets: every query names the municipality it works in. */

export type BudgetKind = "knapsack" | "approval";
export type BudgetStatus = "draft" | "published";

export interface BudgetRow {
  municipality_id: string;
  id: string;
  process_id: string;
  title: string;
  description: string;
  kind: BudgetKind;
  /** Integer minor units of the municipality's currency (francs for XOF and GNF). */
  total_amount: number;
  max_projects: number | null;
  min_projects: number;
  voting_opens_at: Date;
  voting_closes_at: Date;
  status: BudgetStatus;
  results_published_at: Date | null;
  /** The count as published; null until then. */
  results: BudgetResults | null;
  /** Residents verified when voting closed: the denominator of the published turnout. */
  eligible_voters: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface BudgetProjectRow {
  id: string;
  budget_id: string;
  title: string;
  description: string;
  cost: number;
  location: string;
  position: number;
}

export interface BallotRow {
  project_ids: string[];
  total: number;
  cast_at: Date;
  updated_at: Date;
}

export interface BudgetInput {
  title: string;
  description: string;
  kind: BudgetKind;
  totalAmount: number;
  /** Approval rules only; null under knapsack rules. */
  maxProjects: number | null;
  minProjects: number;
  opensAt: Date;
  closesAt: Date;
}

export interface ProjectInput {
  title: string;
  description: string;
  cost: number;
  location: string;
}

const BUDGET_COLUMNS = `municipality_id, id, process_id, title, description, kind, total_amount, max_projects, min_projects, voting_opens_at, voting_closes_at,
  status, results_published_at, results, eligible_voters, created_at, updated_at`;

export async function getBudget(db: Queryable, municipalityId: string, id: string): Promise<BudgetRow | undefined> {
  const [row] = await db.query<BudgetRow>(`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE municipality_id = $1 AND id = $2`, [municipalityId, id]);
  return row;
}

/**
 * The budget row locked for the rest of the transaction, with the database's clock: the same
 * clock the ballot trigger reads, so the service and the guard never disagree about "closed".
 */
export async function lockBudget(tx: Queryable, municipalityId: string, id: string): Promise<{ budget: BudgetRow; now: Date } | undefined> {
  const [row] = await tx.query<BudgetRow & { db_now: Date }>(`SELECT ${BUDGET_COLUMNS}, now() AS db_now FROM budgets WHERE municipality_id = $1 AND id = $2 FOR UPDATE`, [municipalityId, id]);
  if (!row) return undefined;
  const { db_now: now, ...budget } = row;
  return { budget, now: new Date(now) };
}

export async function listBudgets(db: Queryable, municipalityId: string, processId: string, options: { publishedOnly: boolean }): Promise<BudgetRow[]> {
  return db.query<BudgetRow>(
    `SELECT ${BUDGET_COLUMNS} FROM budgets WHERE municipality_id = $1 AND process_id = $2 ${options.publishedOnly ? "AND status = 'published'" : ""} ORDER BY voting_opens_at DESC, created_at DESC`,
    [municipalityId, processId],
  );
}

export async function listProjects(db: Queryable, municipalityId: string, budgetId: string): Promise<BudgetProjectRow[]> {
  return db.query<BudgetProjectRow>(
    "SELECT id, budget_id, title, description, cost, location, position FROM budget_projects WHERE municipality_id = $1 AND budget_id = $2 ORDER BY position, created_at, id",
    [municipalityId, budgetId],
  );
}

export async function getBallot(db: Queryable, municipalityId: string, budgetId: string, userId: string): Promise<BallotRow | undefined> {
  const [row] = await db.query<BallotRow>(
    "SELECT project_ids, total, cast_at, updated_at FROM budget_ballots WHERE municipality_id = $1 AND budget_id = $2 AND user_id = $3",
    [municipalityId, budgetId, userId],
  );
  return row;
}

/** Every ballot's choices, and nothing that says whose it is. */
export async function ballotChoices(db: Queryable, municipalityId: string, budgetId: string): Promise<string[][]> {
  const rows = await db.query<{ project_ids: string[] }>("SELECT project_ids FROM budget_ballots WHERE municipality_id = $1 AND budget_id = $2", [municipalityId, budgetId]);
  return rows.map((row) => row.project_ids);
}

/** The electoral roll when voting closed: residents verified by then (later ones could not vote). */
export async function countEligibleVoters(db: Queryable, municipalityId: string, at: Date): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM resident_verifications WHERE municipality_id = $1 AND verified_at <= $2", [municipalityId, at]);
  return row?.n ?? 0;
}

export async function insertBudget(db: Queryable, municipalityId: string, actorId: string, processId: string, values: BudgetInput): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO budgets (municipality_id, process_id, title, description, kind, total_amount, max_projects, min_projects, voting_opens_at, voting_closes_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [municipalityId, processId, values.title, values.description, values.kind, values.totalAmount, values.maxProjects, values.minProjects, values.opensAt, values.closesAt, actorId],
  );
  return row!.id;
}

/** Title and description only: what may still change once the vote has opened. */
export async function updateBudgetText(db: Queryable, municipalityId: string, id: string, values: Pick<BudgetInput, "title" | "description">): Promise<void> {
  await db.query("UPDATE budgets SET title = $3, description = $4, updated_at = now() WHERE municipality_id = $1 AND id = $2", [municipalityId, id, values.title, values.description]);
}

export async function updateBudget(db: Queryable, municipalityId: string, id: string, values: BudgetInput): Promise<void> {
  await db.query(
    `UPDATE budgets SET title = $3, description = $4, kind = $5, total_amount = $6, max_projects = $7, min_projects = $8, voting_opens_at = $9, voting_closes_at = $10, updated_at = now()
     WHERE municipality_id = $1 AND id = $2`,
    [municipalityId, id, values.title, values.description, values.kind, values.totalAmount, values.maxProjects, values.minProjects, values.opensAt, values.closesAt],
  );
}

/** A project at the end of the budget's list. */
export async function insertProject(db: Queryable, municipalityId: string, budgetId: string, input: ProjectInput): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO budget_projects (municipality_id, budget_id, title, description, cost, location, position)
     VALUES ($1, $2, $3, $4, $5, $6, (SELECT COALESCE(max(position), 0) + 1 FROM budget_projects WHERE municipality_id = $1 AND budget_id = $2)) RETURNING id`,
    [municipalityId, budgetId, input.title, input.description, input.cost, input.location],
  );
  return row!.id;
}

/** The removed project's title, or undefined when there was none. */
export async function deleteProject(db: Queryable, municipalityId: string, budgetId: string, projectId: string): Promise<string | undefined> {
  const [row] = await db.query<{ title: string }>("DELETE FROM budget_projects WHERE municipality_id = $1 AND budget_id = $2 AND id = $3 RETURNING title", [municipalityId, budgetId, projectId]);
  return row?.title;
}

export async function markBudgetPublished(db: Queryable, municipalityId: string, id: string): Promise<void> {
  await db.query("UPDATE budgets SET status = 'published', updated_at = now() WHERE municipality_id = $1 AND id = $2", [municipalityId, id]);
}

/** Writes a resident's ballot, replacing theirs; the migration's trigger refuses it once voting has closed. */
export async function upsertBallot(db: Queryable, municipalityId: string, budgetId: string, userId: string, projectIds: readonly string[], total: number): Promise<void> {
  await db.query(
    `INSERT INTO budget_ballots (municipality_id, budget_id, user_id, project_ids, total) VALUES ($1, $2, $3, $4::uuid[], $5)
     ON CONFLICT (municipality_id, budget_id, user_id) DO UPDATE SET project_ids = EXCLUDED.project_ids, total = EXCLUDED.total, updated_at = now()`,
    [municipalityId, budgetId, userId, [...projectIds], total],
  );
}

export async function saveResults(db: Queryable, municipalityId: string, id: string, results: BudgetResults, eligible: number): Promise<void> {
  await db.query("UPDATE budgets SET results = $3::jsonb, eligible_voters = $4, results_published_at = now(), updated_at = now() WHERE municipality_id = $1 AND id = $2", [
    municipalityId,
    id,
    JSON.stringify(results),
    eligible,
  ]);
}

/** A budget the public may see, with its process's slug for its address. */
export type PublicBudgetRow = BudgetRow & { process_slug: string };

const PUBLIC_BUDGETS = `FROM budgets b JOIN processes p ON p.municipality_id = b.municipality_id AND p.id = b.process_id
  WHERE b.municipality_id = $1 AND b.status = 'published' AND p.status = 'published'`;

/** One page of the published budgets of published processes, the latest vote first, and how many there are. */
export async function pagePublicBudgets(db: Queryable, municipalityId: string, page: { limit: number; offset: number }): Promise<{ total: number; rows: PublicBudgetRow[] }> {
  const columns = BUDGET_COLUMNS.split(",").map((column) => `b.${column.trim()}`).join(", ");
  const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${PUBLIC_BUDGETS}`, [municipalityId]);
  const rows = await db.query<PublicBudgetRow>(`SELECT ${columns}, p.slug AS process_slug ${PUBLIC_BUDGETS} ORDER BY b.voting_opens_at DESC, b.created_at DESC, b.id LIMIT $2 OFFSET $3`, [
    municipalityId,
    page.limit,
    page.offset,
  ]);
  return { total: count?.n ?? 0, rows };
}

export async function getPublicBudget(db: Queryable, municipalityId: string, id: string): Promise<PublicBudgetRow | undefined> {
  const columns = BUDGET_COLUMNS.split(",").map((column) => `b.${column.trim()}`).join(", ");
  const [row] = await db.query<PublicBudgetRow>(`SELECT ${columns}, p.slug AS process_slug ${PUBLIC_BUDGETS} AND b.id = $2`, [municipalityId, id]);
  return row;
}

/** How many projects each budget offers. */
export async function countProjects(db: Queryable, municipalityId: string, budgetIds: string[]): Promise<Map<string, number>> {
  if (budgetIds.length === 0) return new Map();
  const rows = await db.query<{ budget_id: string; n: number }>(
    "SELECT budget_id, count(*)::int AS n FROM budget_projects WHERE municipality_id = $1 AND budget_id = ANY($2::uuid[]) GROUP BY budget_id",
    [municipalityId, budgetIds],
  );
  return new Map(rows.map((row) => [row.budget_id, row.n]));
}
