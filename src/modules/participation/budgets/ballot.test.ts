import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkBallot, computeResults, type BudgetRules, type Project } from "./ballot.js";

const MAX = Number.MAX_SAFE_INTEGER;

const knapsack = (budget: number): BudgetRules => ({ kind: "knapsack", budget });
const approval = (maxProjects: number, minProjects?: number): BudgetRules =>
  minProjects === undefined ? { kind: "approval", maxProjects } : { kind: "approval", maxProjects, minProjects };

// Costs in XOF francs, the currency having no minor unit.
const projects: Project[] = [
  { id: "fontaine", cost: 4_000_000 },
  { id: "eclairage", cost: 6_000_000 },
  { id: "marche", cost: 10_000_000 },
  { id: "ecole", cost: 1 },
];

/** `n` copies of a ballot, to write vote counts readably. */
const times = (n: number, ballot: string[]): string[][] => Array.from({ length: n }, () => [...ballot]);

describe("checkBallot under knapsack rules", () => {
  const rules = knapsack(10_000_000);

  it("accepts a ballot exactly at the budget and returns its total", () => {
    assert.deepEqual(checkBallot(rules, projects, ["fontaine", "eclairage"]), { ok: true, total: 10_000_000 });
    assert.deepEqual(checkBallot(rules, projects, ["marche"]), { ok: true, total: 10_000_000 });
  });

  it("refuses a ballot one franc over the budget, saying by how much", () => {
    assert.deepEqual(checkBallot(rules, projects, ["marche", "ecole"]), {
      ok: false,
      reason: "over_budget",
      params: { total: 10_000_001, budget: 10_000_000 },
    });
  });

  it("accepts a single cheap project and a zero-cost one", () => {
    assert.deepEqual(checkBallot(rules, projects, ["ecole"]), { ok: true, total: 1 });
    assert.deepEqual(checkBallot(rules, [{ id: "charte", cost: 0 }], ["charte"]), { ok: true, total: 0 });
  });

  it("refuses an empty ballot", () => {
    assert.deepEqual(checkBallot(rules, projects, []), { ok: false, reason: "empty" });
  });

  it("refuses a duplicate id, giving its position", () => {
    assert.deepEqual(checkBallot(rules, projects, ["ecole", "fontaine", "ecole"]), {
      ok: false,
      reason: "duplicate_project",
      params: { index: 2 },
    });
  });

  it("refuses an unknown id, giving its position", () => {
    assert.deepEqual(checkBallot(rules, projects, ["ecole", "piscine"]), { ok: false, reason: "unknown_project", params: { index: 1 } });
  });

  it("does not take inherited object keys or other letter cases for project ids", () => {
    for (const id of ["__proto__", "constructor", "toString", "hasOwnProperty", "Ecole", "ecole ", ""]) {
      assert.deepEqual(checkBallot(rules, projects, [id]), { ok: false, reason: "unknown_project", params: { index: 0 } }, id);
    }
  });

  it("refuses what is not a list of strings, since stored ballots are not trusted", () => {
    const hostile = (value: unknown) => checkBallot(rules, projects, value as string[]);
    assert.deepEqual(hostile(null), { ok: false, reason: "empty" });
    assert.deepEqual(hostile("ecole"), { ok: false, reason: "empty" });
    assert.deepEqual(hostile({ 0: "ecole", length: 1 }), { ok: false, reason: "empty" });
    assert.deepEqual(hostile([1]), { ok: false, reason: "unknown_project", params: { index: 0 } });
    assert.deepEqual(hostile([["ecole"]]), { ok: false, reason: "unknown_project", params: { index: 0 } });
    assert.deepEqual(hostile([null]), { ok: false, reason: "unknown_project", params: { index: 0 } });
  });

  it("reports the first problem in ballot order", () => {
    assert.deepEqual(checkBallot(rules, projects, ["marche", "marche", "piscine"]), { ok: false, reason: "duplicate_project", params: { index: 1 } });
    assert.deepEqual(checkBallot(rules, projects, ["piscine", "marche", "marche"]), { ok: false, reason: "unknown_project", params: { index: 0 } });
    // Structure before money: an over-budget ballot with an unknown id is reported as unknown.
    assert.deepEqual(checkBallot(rules, projects, ["marche", "eclairage", "piscine"]), { ok: false, reason: "unknown_project", params: { index: 2 } });
  });

  it("stays exact with amounts near Number.MAX_SAFE_INTEGER", () => {
    const huge: Project[] = [
      { id: "a", cost: MAX - 1 },
      { id: "b", cost: 1 },
    ];
    assert.deepEqual(checkBallot(knapsack(MAX), huge, ["a", "b"]), { ok: true, total: MAX });
    assert.deepEqual(checkBallot(knapsack(MAX - 1), huge, ["a", "b"]), { ok: false, reason: "over_budget", params: { total: MAX, budget: MAX - 1 } });
    assert.deepEqual(checkBallot(knapsack(MAX - 1), huge, ["a"]), { ok: true, total: MAX - 1 });
  });
});

describe("checkBallot under approval rules", () => {
  it("accepts between one and maxProjects projects by default, whatever their cost", () => {
    assert.deepEqual(checkBallot(approval(2), projects, ["marche"]), { ok: true, total: 10_000_000 });
    assert.deepEqual(checkBallot(approval(2), projects, ["marche", "eclairage"]), { ok: true, total: 16_000_000 });
  });

  it("refuses one project too many", () => {
    assert.deepEqual(checkBallot(approval(2), projects, ["marche", "eclairage", "ecole"]), {
      ok: false,
      reason: "too_many",
      params: { count: 3, max: 2 },
    });
  });

  it("refuses one project too few when a minimum is set, and an empty ballot as empty", () => {
    assert.deepEqual(checkBallot(approval(3, 2), projects, ["marche"]), { ok: false, reason: "too_few", params: { count: 1, min: 2 } });
    assert.deepEqual(checkBallot(approval(3, 2), projects, ["marche", "ecole"]), { ok: true, total: 10_000_001 });
    assert.deepEqual(checkBallot(approval(3, 2), projects, []), { ok: false, reason: "empty" });
    assert.deepEqual(checkBallot(approval(3), projects, []), { ok: false, reason: "empty" });
  });

  it("accepts exactly minProjects = maxProjects", () => {
    assert.deepEqual(checkBallot(approval(2, 2), projects, ["fontaine", "ecole"]), { ok: true, total: 4_000_001 });
  });

  it("refuses duplicates before counting them, so [a, a] is not two projects", () => {
    assert.deepEqual(checkBallot(approval(3, 2), projects, ["ecole", "ecole"]), { ok: false, reason: "duplicate_project", params: { index: 1 } });
  });
});

describe("programme errors throw, since the municipality must fix them", () => {
  const cases: [string, BudgetRules, Project[]][] = [
    ["fractional cost", knapsack(10), [{ id: "a", cost: 1.5 }]],
    ["negative cost", knapsack(10), [{ id: "a", cost: -1 }]],
    ["NaN cost", knapsack(10), [{ id: "a", cost: Number.NaN }]],
    ["infinite cost", knapsack(10), [{ id: "a", cost: Number.POSITIVE_INFINITY }]],
    ["unsafe cost", knapsack(10), [{ id: "a", cost: MAX + 1 }]],
    ["costs summing past MAX_SAFE_INTEGER", knapsack(10), [{ id: "a", cost: MAX }, { id: "b", cost: 1 }]],
    ["cost given as a string", knapsack(10), [{ id: "a", cost: "5" as unknown as number }]],
    ["duplicate project id", knapsack(10), [{ id: "a", cost: 1 }, { id: "a", cost: 2 }]],
    ["empty project id", knapsack(10), [{ id: "", cost: 1 }]],
    ["zero budget", knapsack(0), projects],
    ["fractional budget", knapsack(10.5), projects],
    ["unsafe budget", knapsack(MAX + 1), projects],
    ["zero maxProjects", approval(0), projects],
    ["minProjects above maxProjects", approval(2, 3), projects],
    ["zero minProjects", approval(2, 0), projects],
    ["unknown kind", { kind: "ranked" } as unknown as BudgetRules, projects],
  ];
  for (const [name, rules, list] of cases) {
    it(name, () => {
      assert.throws(() => checkBallot(rules, list, ["a"]), RangeError);
      assert.throws(() => computeResults(rules, list, []), RangeError);
    });
  }

  it("rejects a bad electoral roll size and a budget option under knapsack rules", () => {
    assert.throws(() => computeResults(knapsack(10), projects, [], -1), RangeError);
    assert.throws(() => computeResults(knapsack(10), projects, [], 2.5), RangeError);
    assert.throws(() => computeResults(knapsack(10), projects, [], undefined, { budget: 10 }), RangeError);
    assert.throws(() => computeResults(approval(2), projects, [], undefined, { budget: 0 }), RangeError);
  });
});

describe("computeResults under knapsack rules", () => {
  it("counts votes and allocations, and ranks by votes", () => {
    const results = computeResults(knapsack(10_000_000), projects, [
      ...times(3, ["fontaine", "eclairage"]),
      ...times(2, ["marche"]),
      ["fontaine", "ecole"],
    ]);
    assert.deepEqual(
      results.ranking.map(({ id, votes, allocated, rank }) => ({ id, votes, allocated, rank })),
      [
        { id: "fontaine", votes: 4, allocated: 16_000_000, rank: 1 },
        { id: "eclairage", votes: 3, allocated: 18_000_000, rank: 2 },
        { id: "marche", votes: 2, allocated: 20_000_000, rank: 3 },
        { id: "ecole", votes: 1, allocated: 1, rank: 4 },
      ],
    );
    // fontaine + eclairage spend the budget exactly; marche no longer fits, nor does ecole's franc.
    assert.deepEqual(results.selected, ["fontaine", "eclairage"]);
    assert.equal(results.spent, 10_000_000);
    assert.equal(results.remaining, 0);
    assert.deepEqual(
      results.ranking.map((project) => project.selected),
      [true, true, false, false],
    );
  });

  it("skips a project that no longer fits and funds a cheaper one below it", () => {
    const list: Project[] = [
      { id: "a", cost: 60 },
      { id: "b", cost: 50 },
      { id: "c", cost: 40 },
      { id: "d", cost: 1 },
    ];
    const results = computeResults(knapsack(100), list, [
      ...times(5, ["a"]),
      ...times(4, ["b"]),
      ...times(3, ["c"]),
      ...times(2, ["d"]),
    ]);
    // a (60) leaves 40: b (50) is skipped, c (40) fits exactly, then d finds nothing left.
    assert.deepEqual(results.selected, ["a", "c"]);
    assert.equal(results.spent, 100);
    assert.equal(results.remaining, 0);
    assert.deepEqual(
      results.ranking.map((project) => [project.id, project.selected]),
      [
        ["a", true],
        ["b", false],
        ["c", true],
        ["d", false],
      ],
    );
  });

  it("keeps trying after a skip until the end of the ranking", () => {
    const list: Project[] = [
      { id: "a", cost: 70 },
      { id: "b", cost: 50 },
      { id: "c", cost: 40 },
      { id: "d", cost: 20 },
      { id: "e", cost: 10 },
    ];
    const results = computeResults(knapsack(100), list, [...times(5, ["a"]), ...times(4, ["b"]), ...times(3, ["c"]), ...times(2, ["d"]), ["e"]]);
    assert.deepEqual(results.selected, ["a", "d", "e"]);
    assert.equal(results.remaining, 0);
  });

  it("breaks ties by cheaper first, then by id in code-unit order, whatever the input order", () => {
    const list: Project[] = [
      { id: "b", cost: 30 },
      { id: "a", cost: 30 },
      { id: "B", cost: 30 },
      { id: "z", cost: 10 },
      { id: "é", cost: 30 },
    ];
    const ballots = list.map((project) => [project.id]);
    const expected = ["z", "B", "a", "b", "é"];
    assert.deepEqual(
      computeResults(knapsack(1000), list, ballots).ranking.map((project) => project.id),
      expected,
    );
    for (const order of [[...list].reverse(), [list[2]!, list[4]!, list[0]!, list[3]!, list[1]!]]) {
      assert.deepEqual(computeResults(knapsack(1000), order, ballots), computeResults(knapsack(1000), list, ballots));
    }
    // With room for two, the tie decides: z (cheaper), then B (before a).
    assert.deepEqual(computeResults(knapsack(40), list, ballots).selected, ["z", "B"]);
  });

  it("never funds a project nobody voted for, even with money left", () => {
    const results = computeResults(knapsack(10_000_000), projects, [["ecole"]]);
    assert.deepEqual(results.selected, ["ecole"]);
    assert.equal(results.remaining, 9_999_999);
    assert.deepEqual(
      results.ranking.map((project) => [project.id, project.votes, project.selected]),
      [
        ["ecole", 1, true],
        ["fontaine", 0, false],
        ["eclairage", 0, false],
        ["marche", 0, false],
      ],
    );
  });

  it("selects nothing when there are no ballots", () => {
    const results = computeResults(knapsack(10_000_000), projects, [], 1000);
    assert.deepEqual(results.selected, []);
    assert.equal(results.spent, 0);
    assert.equal(results.remaining, 10_000_000);
    assert.deepEqual(results.turnout, { ballots: 0, eligible: 1000, rate: 0 });
  });

  it("leaves invalid ballots out of the count and tells why", () => {
    const hostile = [
      ["marche", "ecole"], // one franc over
      ["ecole", "ecole"],
      ["piscine"],
      [],
      null,
      "ecole",
      ["__proto__"],
    ] as unknown as string[][];
    const results = computeResults(knapsack(10_000_000), projects, [...hostile, ["ecole"], ["marche"]], 10);
    assert.equal(results.invalid, 7);
    assert.deepEqual(results.invalidReasons, { over_budget: 1, duplicate_project: 1, unknown_project: 2, empty: 3 });
    assert.deepEqual(results.turnout, { ballots: 2, eligible: 10, rate: 0.2 });
    assert.deepEqual(
      results.ranking.map((project) => [project.id, project.votes]),
      [
        ["ecole", 1],
        ["marche", 1],
        ["fontaine", 0],
        ["eclairage", 0],
      ],
    );
    // ecole's franc goes first (tie, cheaper), so marche no longer fits.
    assert.deepEqual(results.selected, ["ecole"]);
  });

  it("gives a null allocation rather than a wrong one past Number.MAX_SAFE_INTEGER", () => {
    const list: Project[] = [
      { id: "pont", cost: 2 ** 52 },
      { id: "puits", cost: 2 ** 51 },
    ];
    const results = computeResults(knapsack(2 ** 52), list, [["pont"], ["pont"], ["pont"], ["puits"]]);
    assert.equal(results.ranking[0]!.id, "pont");
    assert.equal(results.ranking[0]!.allocated, null); // 3 × 2^52 > 2^53 − 1
    assert.equal(results.ranking[1]!.allocated, 2 ** 51);
    assert.deepEqual(results.selected, ["pont"]);
    assert.equal(results.remaining, 0);
  });

  it("stays exact at the edge of safe integers", () => {
    const list: Project[] = [
      { id: "a", cost: MAX - 1 },
      { id: "b", cost: 1 },
    ];
    const results = computeResults(knapsack(MAX), list, [["a", "b"]]);
    assert.deepEqual(results.selected, ["b", "a"]); // equal votes: the cheaper first
    assert.equal(results.spent, MAX);
    assert.equal(results.remaining, 0);
  });

  it("is not monotone in the budget, as the top comment warns", () => {
    const list: Project[] = [
      { id: "a", cost: 6 },
      { id: "b", cost: 5 },
      { id: "c", cost: 4 },
    ];
    const ballots = [...times(3, ["a"]), ...times(2, ["b"]), ["c"]];
    assert.deepEqual(computeResults(knapsack(10), list, ballots).selected, ["a", "c"]);
    // One more franc lets b fit, and c loses its funding.
    assert.deepEqual(computeResults(knapsack(11), list, ballots).selected, ["a", "b"]);
  });

  // How fast it counts is measured in bench/budget-count.ts (`npm run bench:budget`), not here.
  it("counts a large vote", () => {
    const many = Array.from({ length: 200_000 }, (_, index) => (index % 3 === 0 ? ["fontaine", "eclairage"] : ["marche"]));
    const results = computeResults(knapsack(10_000_000), projects, many, 1_000_000);
    assert.equal(results.turnout.ballots, 200_000);
    assert.equal(results.ranking.find((project) => project.id === "fontaine")!.votes, 66_667);
    assert.equal(results.ranking[0]!.id, "marche");
    assert.deepEqual(results.selected, ["marche"]);
  });
});

describe("computeResults under approval rules", () => {
  const ballots = [...times(4, ["marche", "ecole"]), ...times(3, ["eclairage", "fontaine"]), ["fontaine"]];

  it("takes the top maxProjects without a budget, and has no allocations", () => {
    const results = computeResults(approval(2), projects, ballots);
    assert.deepEqual(
      results.ranking.map((project) => [project.id, project.votes]),
      [
        ["ecole", 4],
        ["fontaine", 4],
        ["marche", 4],
        ["eclairage", 3],
      ],
    );
    assert.deepEqual(results.selected, ["ecole", "fontaine"]);
    assert.equal(results.spent, 4_000_001);
    assert.equal(results.remaining, null);
    assert.ok(results.ranking.every((project) => !("allocated" in project)));
  });

  it("funds greedily within a budget when one is given, however many projects that makes", () => {
    const results = computeResults(approval(2), projects, ballots, undefined, { budget: 11_000_000 });
    // ecole (1) and fontaine (4M) fit, marche (10M) no longer does, eclairage (6M) does: 10M + 1.
    assert.deepEqual(results.selected, ["ecole", "fontaine", "eclairage"]);
    assert.equal(results.spent, 10_000_001);
    assert.equal(results.remaining, 999_999);
  });

  it("refuses ballots outside the limits", () => {
    const results = computeResults(approval(2, 2), projects, [["marche"], ["marche", "ecole", "fontaine"], ["marche", "ecole"]]);
    assert.equal(results.invalid, 2);
    assert.deepEqual(results.invalidReasons, { too_few: 1, too_many: 1 });
    assert.equal(results.turnout.ballots, 1);
  });
});

describe("turnout", () => {
  it("is ballots over eligible voters", () => {
    assert.deepEqual(computeResults(approval(1), projects, times(3, ["ecole"]), 12).turnout, { ballots: 3, eligible: 12, rate: 0.25 });
  });

  it("has no rate when the roll is unknown or empty", () => {
    assert.deepEqual(computeResults(approval(1), projects, [["ecole"]]).turnout, { ballots: 1, eligible: null, rate: null });
    assert.deepEqual(computeResults(approval(1), projects, [["ecole"]], 0).turnout, { ballots: 1, eligible: 0, rate: null });
  });

  it("is not clamped, so a roll smaller than the vote shows", () => {
    assert.equal(computeResults(approval(1), projects, times(3, ["ecole"]), 2).turnout.rate, 1.5);
  });
});
