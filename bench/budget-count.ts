// Counting a participatory-budget vote, against a baseline measured in the same run: a plain loop
// that tallies the same ballots into a Map, with no checking. The ratio says what the rules cost
// (each ballot checked against the budget, duplicates and unknown projects refused, ranking and
// selection) on top of reading every vote once.
//
//   npm run bench:budget                  200,000 ballots, median of 7 runs each
//   BENCH_BALLOTS=1000000 npm run bench:budget
import { computeResults, type Project } from "../src/modules/participation/budgets/ballot.js";

const BALLOTS = Number(process.env.BENCH_BALLOTS ?? 200_000);
const RUNS = 7;
if (!Number.isSafeInteger(BALLOTS) || BALLOTS <= 0) throw new Error(`BENCH_BALLOTS must be a positive integer, got "${process.env.BENCH_BALLOTS}"`);

// Six costed projects, as in the demo's Budget participatif, in XOF francs.
const projects: Project[] = [
  { id: "fontaine", cost: 4_000_000 },
  { id: "eclairage", cost: 6_000_000 },
  { id: "marche", cost: 10_000_000 },
  { id: "ecole", cost: 3_500_000 },
  { id: "dechets", cost: 2_000_000 },
  { id: "jardin", cost: 1_500_000 },
];
const BUDGET = 12_000_000;
const SHAPES = [["fontaine", "eclairage"], ["marche"], ["ecole", "dechets", "jardin"], ["fontaine", "dechets", "jardin"], ["eclairage", "ecole"]];
const ballots = Array.from({ length: BALLOTS }, (_, index) => [...SHAPES[index % SHAPES.length]!]);

/** The floor: every vote read once and tallied, nothing checked. */
function plainTally(list: readonly (readonly string[])[]): Map<string, number> {
  const votes = new Map<string, number>();
  for (const ballot of list) for (const id of ballot) votes.set(id, (votes.get(id) ?? 0) + 1);
  return votes;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
function time(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

// Both results agree, or the comparison means nothing.
const tally = plainTally(ballots);
const results = computeResults({ kind: "knapsack", budget: BUDGET }, projects, ballots, BALLOTS);
for (const project of results.ranking) {
  if (project.votes !== (tally.get(project.id) ?? 0)) throw new Error(`${project.id}: ${project.votes} counted, ${tally.get(project.id)} tallied`);
}
if (results.invalid !== 0) throw new Error(`${results.invalid} ballots refused; every generated ballot is within the budget`);

// One warm-up each, then both in turn so that a noisy moment does not decide the ratio.
time(() => plainTally(ballots));
time(() => computeResults({ kind: "knapsack", budget: BUDGET }, projects, ballots, BALLOTS));
const plainMs: number[] = [];
const countMs: number[] = [];
for (let run = 0; run < RUNS; run++) {
  plainMs.push(time(() => plainTally(ballots)));
  countMs.push(time(() => computeResults({ kind: "knapsack", budget: BUDGET }, projects, ballots, BALLOTS)));
}

console.log(`Budget vote count: ${BALLOTS.toLocaleString("en")} ballots over ${projects.length} projects, knapsack rules, Node ${process.version}, medians of ${RUNS} runs\n`);
console.log(`   plain tally into a Map (no checks): ${median(plainMs).toFixed(1)} ms`);
console.log(`   computeResults (check every ballot, count, rank, select): ${median(countMs).toFixed(1)} ms`);
console.log(`   ratio computeResults / plain tally: ×${(median(countMs) / median(plainMs)).toFixed(2)}`);
