/**
 * Participatory budgeting: checking a resident's ballot and counting the results.
 *
 * Two kinds of ballot, as Decidim's budgets component and CONSUL offer:
 * - knapsack: the resident picks any projects whose costs together fit in the budget, so they
 *   weigh what each project takes from the others;
 * - approval: the resident picks between `minProjects` (default 1) and `maxProjects` projects,
 *   whatever they cost.
 *
 * Counting is "greedy by votes", the method of Paris, New York and most programmes: every
 * project gets one vote per ballot that chose it; projects are ranked by votes (more first), then
 * by cost (cheaper first: the same money funds more), then by id in code-unit order (not the
 * locale's, so every machine gives the same ranking); they are funded in that order, and a
 * project that no longer fits in what is left is skipped while the ones below it are still tried,
 * so a cheaper, less popular project can be funded after a dearer one was passed over. A project
 * nobody voted for is never funded, even if money is left. Under approval rules with no budget
 * given, the first `maxProjects` of the ranking win.
 *
 * Known limits, to be said when results are published:
 * - Not proportional: a majority that agrees can take the whole budget and a district that votes
 *   as a minority gets nothing. The Method of Equal Shares (Peters & Skowron; Wieliczka, Aarau)
 *   answers this and would be another counting rule, not a change to this one.
 * - Votes ignore cost: one project with 1,000 votes that costs the whole budget beats ten with 900
 *   votes each that together would have served far more people.
 * - Skipping is abrupt: a project one franc too dear is dropped for a much less popular one.
 * - Not monotone in the budget: with more money a project can lose its funding, because a dearer
 *   one above it now fits and uses what was left (the tests show a case).
 *
 * Amounts are integers in the currency's minor unit (XOF and GNF have none, so francs) and every
 * sum is checked to stay a safe integer. Pure: no I/O. A bad programme (rules or project list)
 * throws RangeError, since the municipality must fix it; a bad ballot never throws, it is refused
 * with a reason, because ballots come from outside.
 */

export type BudgetRules =
  | { kind: "knapsack"; /** Integer minor units. */ budget: number }
  | { kind: "approval"; maxProjects: number; minProjects?: number };

export interface Project {
  id: string;
  /** Integer minor units; 0 is allowed (a project that needs no money still needs a mandate). */
  cost: number;
}

export type BallotRejection = "unknown_project" | "duplicate_project" | "over_budget" | "too_many" | "too_few" | "empty";

/**
 * `params` carries what a message needs: `index` (position in the ballot) for unknown and
 * duplicate projects, `total` and `budget` for over_budget, `count` and `max`/`min` for too_many
 * and too_few.
 */
export type BallotCheck =
  | { ok: true; total: number }
  | { ok: false; reason: BallotRejection; params?: Record<string, number> };

export interface ProjectResult {
  id: string;
  cost: number;
  votes: number;
  /**
   * Knapsack only: the money the ballots gave this project (votes × cost); null if it exceeds
   * Number.MAX_SAFE_INTEGER, so a wrong figure is never shown. Absent under approval rules.
   */
  allocated?: number | null;
  /** 1-based position in the ranking; unique, ties being broken. */
  rank: number;
  selected: boolean;
}

export interface BudgetResults {
  /** Every project, in ranking order. */
  ranking: ProjectResult[];
  /** Ids of the funded projects, in ranking order. */
  selected: string[];
  /** Sum of the costs of the selected projects. */
  spent: number;
  /** Budget left after selection; null when no budget applies (approval without one). */
  remaining: number | null;
  /**
   * `ballots` counts valid ballots only. `rate` is ballots / eligible, not clamped (above 1 means
   * the electoral roll is wrong), and null when the number of eligible voters is unknown or 0.
   */
  turnout: { ballots: number; eligible: number | null; rate: number | null };
  /** Ballots refused by checkBallot and left out of the count; should stay 0. */
  invalid: number;
  invalidReasons: Partial<Record<BallotRejection, number>>;
}

export interface ComputeOptions {
  /** Approval rules only: fund greedily within this amount instead of taking the top maxProjects. */
  budget?: number;
}

interface Programme {
  rules: BudgetRules;
  /** A Map, not an object, so ids such as "__proto__" or "toString" are never found by accident. */
  costs: Map<string, number>;
  minProjects: number;
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function prepare(rules: BudgetRules, projects: readonly Project[]): Programme {
  const costs = new Map<string, number>();
  let allCosts = 0;
  for (const project of projects) {
    if (typeof project.id !== "string" || project.id === "") throw new RangeError("a project has no id");
    if (costs.has(project.id)) throw new RangeError(`project ${project.id} is listed twice`);
    if (!Number.isSafeInteger(project.cost) || project.cost < 0) {
      throw new RangeError(`project ${project.id} costs ${project.cost}: costs are non-negative integers in minor units`);
    }
    allCosts += project.cost;
    // Checked once for all projects, so no ballot total or selection sum can lose precision later.
    if (!Number.isSafeInteger(allCosts)) throw new RangeError("the projects together cost more than Number.MAX_SAFE_INTEGER");
    costs.set(project.id, project.cost);
  }

  if (rules.kind === "knapsack") {
    if (!isPositiveInteger(rules.budget)) throw new RangeError(`budget ${rules.budget} is not a positive integer in minor units`);
    return { rules, costs, minProjects: 1 };
  }
  if (rules.kind === "approval") {
    if (!isPositiveInteger(rules.maxProjects)) throw new RangeError(`maxProjects ${rules.maxProjects} is not a positive integer`);
    const minProjects = rules.minProjects ?? 1;
    // An empty ballot says nothing (abstaining is not voting), so at least one project is asked.
    if (!isPositiveInteger(minProjects) || minProjects > rules.maxProjects) {
      throw new RangeError(`minProjects ${minProjects} is not an integer between 1 and maxProjects (${rules.maxProjects})`);
    }
    return { rules, costs, minProjects };
  }
  throw new RangeError(`unknown budget rules ${String((rules as { kind: unknown }).kind)}`);
}

function reject(reason: BallotRejection, params?: Record<string, number>): BallotCheck {
  return params ? { ok: false, reason, params } : { ok: false, reason };
}

/** Typed as unknown because stored ballots are not trusted to be what the types say. */
function check(programme: Programme, chosen: unknown): BallotCheck {
  if (!Array.isArray(chosen) || chosen.length === 0) return reject("empty");

  // Each id must be known and new, so this loop runs at most projects + 1 times, however long a
  // hostile ballot is.
  const seen = new Set<string>();
  let total = 0;
  for (const [index, id] of chosen.entries()) {
    const cost = typeof id === "string" ? programme.costs.get(id) : undefined;
    if (cost === undefined) return reject("unknown_project", { index });
    if (seen.has(id as string)) return reject("duplicate_project", { index });
    seen.add(id as string);
    total += cost;
  }

  const { rules } = programme;
  if (rules.kind === "knapsack") {
    if (total > rules.budget) return reject("over_budget", { total, budget: rules.budget });
  } else {
    if (seen.size > rules.maxProjects) return reject("too_many", { count: seen.size, max: rules.maxProjects });
    if (seen.size < programme.minProjects) return reject("too_few", { count: seen.size, min: programme.minProjects });
  }
  return { ok: true, total };
}

/**
 * Checks the projects a resident chose. Throws RangeError only when the rules or the project list
 * are wrong; a wrong ballot is refused with the first problem found, in the ballot's order.
 */
export function checkBallot(rules: BudgetRules, projects: readonly Project[], chosenIds: readonly string[]): BallotCheck {
  return check(prepare(rules, projects), chosenIds);
}

function byRanking(a: ProjectResult, b: ProjectResult): number {
  return b.votes - a.votes || a.cost - b.cost || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Counts the ballots and selects the funded projects (see the top of this file for the method).
 * `eligibleVoters` is the size of the electoral roll, for the turnout rate.
 */
export function computeResults(
  rules: BudgetRules,
  projects: readonly Project[],
  ballots: readonly (readonly string[])[],
  eligibleVoters?: number,
  options: ComputeOptions = {},
): BudgetResults {
  const programme = prepare(rules, projects);
  if (eligibleVoters !== undefined && (!Number.isSafeInteger(eligibleVoters) || eligibleVoters < 0)) {
    throw new RangeError(`eligibleVoters ${eligibleVoters} is not a non-negative integer`);
  }
  let budget: number | null = null;
  if (rules.kind === "knapsack") {
    // Two budgets would be ambiguous: say which one is meant rather than pick one silently.
    if (options.budget !== undefined) throw new RangeError("options.budget is for approval rules; knapsack rules carry their budget");
    budget = rules.budget;
  } else if (options.budget !== undefined) {
    if (!isPositiveInteger(options.budget)) throw new RangeError(`budget ${options.budget} is not a positive integer in minor units`);
    budget = options.budget;
  }

  const votes = new Map<string, number>(projects.map((project) => [project.id, 0]));
  let counted = 0;
  let invalid = 0;
  const invalidReasons: Partial<Record<BallotRejection, number>> = {};
  for (const ballot of ballots) {
    const result = check(programme, ballot);
    if (!result.ok) {
      invalid++;
      invalidReasons[result.reason] = (invalidReasons[result.reason] ?? 0) + 1;
      continue;
    }
    counted++;
    for (const id of ballot) votes.set(id, votes.get(id)! + 1);
  }

  const ranking: ProjectResult[] = projects
    .map((project): ProjectResult => {
      const count = votes.get(project.id)!;
      const result: ProjectResult = { id: project.id, cost: project.cost, votes: count, rank: 0, selected: false };
      if (rules.kind === "knapsack") {
        const allocated = count * project.cost;
        result.allocated = Number.isSafeInteger(allocated) ? allocated : null;
      }
      return result;
    })
    .sort(byRanking);

  const selected: string[] = [];
  let spent = 0;
  for (const [index, project] of ranking.entries()) {
    project.rank = index + 1;
    if (project.votes === 0) continue;
    const fits = budget === null ? rules.kind === "approval" && selected.length < rules.maxProjects : project.cost <= budget - spent;
    if (!fits) continue;
    project.selected = true;
    selected.push(project.id);
    spent += project.cost;
  }

  const eligible = eligibleVoters ?? null;
  return {
    ranking,
    selected,
    spent,
    remaining: budget === null ? null : budget - spent,
    turnout: { ballots: counted, eligible, rate: eligible ? counted / eligible : null },
    invalid,
    invalidReasons,
  };
}
