import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { translator } from "../src/core/i18n/index.js";
import type { ProcessRow } from "../src/modules/participation/store.js";
import { foldSearch, PROPOSAL_COUNT_CAP, PROPOSAL_SORTS, proposalListStatements, searchProposals, type ProposalQuery, type SearchMode } from "../src/modules/participation/proposals/store.js";
import { fr, shown } from "./answers.js";
import { createMunicipality, createProcess, createResident, createStaff } from "./factories.js";
import { Browser, createTestApp, visibleText, type TestContext } from "./helpers.js";
import { insertScaledProposals, SCALED_CATEGORIES } from "./scaled-proposals.js";

const AT_SCALE = 30_000;
const SMALL = 150;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

function seqScansOfProposals(node: PlanNode): string[] {
  const here = node["Node Type"] === "Seq Scan" && node["Relation Name"] === "proposals" ? ["Seq Scan on proposals"] : [];
  return [...here, ...(node.Plans ?? []).flatMap(seqScansOfProposals)];
}

describe("participation: the proposal list at 30,000 proposals in one process", () => {
  let ctx: TestContext;
  let municipalityId: string;
  let big: ProcessRow;
  let small: ProcessRow;
  const query = (overrides: Partial<ProposalQuery>): ProposalQuery => ({ processId: big.id, text: "", category: "", status: "", sort: "supports", seed: 7, includeHidden: false, limit: 12, offset: 0, ...overrides });

  before(async () => {
    ctx = await createTestApp({ seed: false });
    const municipality = await createMunicipality(ctx.db, { slug: "grande-ville" });
    municipalityId = municipality.id;
    const editor = await createStaff(ctx.db, municipality, "editor");
    const author = await createResident(ctx.db, municipality, { verified: true });
    big = await createProcess(ctx.db, municipality, editor, { slug: "budget-2027" });
    small = await createProcess(ctx.db, municipality, editor, { slug: "petit-quartier" });
    await insertScaledProposals(ctx.db, { municipalityId, processId: big.id, authorId: author.id }, AT_SCALE);
    await insertScaledProposals(ctx.db, { municipalityId, processId: small.id, authorId: author.id }, SMALL);
    // Another town's proposals share the table, as on a network's server.
    const elsewhere = await createMunicipality(ctx.db);
    const otherProcess = await createProcess(ctx.db, elsewhere, await createStaff(ctx.db, elsewhere, "editor"), {});
    await insertScaledProposals(ctx.db, { municipalityId: elsewhere.id, processId: otherProcess.id, authorId: (await createResident(ctx.db, elsewhere, { verified: true })).id }, 2_000);
    await ctx.db.exec("ANALYZE");
  });
  after(() => ctx.close());

  it("reads every list query through an index: each sort, with and without a search, with a filter, on a later page, hidden ones included", async () => {
    const variants: [string, Partial<ProposalQuery>, SearchMode][] = [
      ["everything", {}, "words"],
      ['search "eau"', { text: "eau" }, "words"],
      ['search "marchés éclairer"', { text: "marchés éclairer" }, "words"],
      ['search "eu" (shorter than a trigram)', { text: "eu" }, "words"],
      ['close spellings of "fontene"', { text: "fontene" }, "close"],
      ["status accepted", { status: "accepted" }, "words"],
      ["category", { category: SCALED_CATEGORIES[1]! }, "words"],
      ['search "eau" in a category', { text: "eau", category: SCALED_CATEGORIES[0]! }, "words"],
      ["page 40", { offset: 480 }, "words"],
      ["back office, hidden ones included", { includeHidden: true, limit: 500 }, "words"],
    ];
    const failures: string[] = [];
    for (const sort of PROPOSAL_SORTS) {
      for (const [label, overrides, mode] of variants) {
        const listQuery = query({ sort, ...overrides });
        const statements = proposalListStatements(municipalityId, listQuery, listQuery.text ? await foldSearch(ctx.db, listQuery.text) : null, mode);
        for (const [which, statement] of Object.entries(statements)) {
          const [row] = await ctx.db.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${statement.sql}`, statement.params);
          const scans = seqScansOfProposals(row!["QUERY PLAN"][0].Plan);
          if (scans.length > 0) failures.push(`${sort}, ${label}, ${which}: ${scans.join(", ")}`);
        }
      }
    }
    assert.deepEqual(failures, [], "a list query scans the whole proposals table");
  });

  it("counts up to a cap and says so, knows a next page without counting, and finds the words typed, accents or not", async () => {
    const everything = await searchProposals(ctx.db, municipalityId, query({}));
    assert.deepEqual([everything.rows.length, everything.total, everything.moreThan, everything.hasNext], [12, PROPOSAL_COUNT_CAP, true, true]);
    const supports = everything.rows.map((row) => row.supports_count);
    assert.deepEqual(supports, [...supports].sort((a, b) => b - a), "most supported first");

    const accepted = await searchProposals(ctx.db, municipalityId, query({ status: "accepted" }));
    assert.equal(accepted.total, AT_SCALE / 50, "an exact count under the cap");
    assert.ok(accepted.rows.every((row) => row.status === "accepted"));

    for (const text of ["Eclairer", "ÉCLAIRER", "éclairer"]) {
      const found = await searchProposals(ctx.db, municipalityId, query({ text, sort: "newest" }));
      assert.ok(found.rows.length === 12 && found.rows.every((row) => /Éclairer/.test(row.title)), `"${text}" finds the titles with "Éclairer"`);
    }
    const water = await searchProposals(ctx.db, municipalityId, query({ text: "eau" }));
    assert.ok(water.rows.length > 0 && water.rows.every((row) => /eau/.test(row.title)), 'every title found for "eau" holds it');
    assert.equal(water.closeMatches, false);
    const typo = await searchProposals(ctx.db, municipalityId, query({ text: "fontene" }));
    assert.ok(typo.closeMatches && typo.rows.length > 0 && typo.rows.every((row) => /fontaine/.test(row.title)), '"fontene" comes close to "fontaine"');
    const literal = await searchProposals(ctx.db, municipalityId, query({ text: "%" }));
    assert.equal(literal.total, 0, "% is a character searched for, not a wildcard");
  });

  it("shuffles with a seed: every proposal once across the pages, the same pages for the same seed, another order for another seed", async () => {
    const walk = async (seed: number) => {
      const ids: string[] = [];
      for (let offset = 0; ; offset += 12) {
        const page = await searchProposals(ctx.db, municipalityId, query({ processId: small.id, sort: "random", seed, offset }));
        ids.push(...page.rows.map((row) => row.id));
        if (!page.hasNext) break;
      }
      return ids;
    };
    const first = await walk(42);
    const visible = (await ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM proposals WHERE process_id = $1 AND hidden_at IS NULL", [small.id]))[0]!.n;
    assert.equal(first.length, visible, "as many as there are visible proposals");
    assert.equal(new Set(first).size, first.length, "none twice");
    assert.deepEqual(await walk(42), first);
    assert.notDeepEqual((await walk(43)).slice(0, 12), first.slice(0, 12));
  });

  it("shows the capped count in the visitor's language, and says when it shows close spellings", async () => {
    const page = visibleText((await new Browser(ctx.app).get("/grande-ville/participation/budget-2027")).body);
    assert.match(page, shown(fr("participation.proposal.count_more", { count: PROPOSAL_COUNT_CAP })));
    assert.match(page, / 000\+ propositions/, "the French count reads 1 000+");
    const typo = visibleText((await new Browser(ctx.app).get("/grande-ville/participation/budget-2027?q=fontene")).body);
    assert.match(typo, shown(fr("participation.proposal.close_matches", { q: "fontene" })));
    assert.ok(translator("en")("participation.proposal.count_more", { count: PROPOSAL_COUNT_CAP }).startsWith("1,000+"));
  });
});
