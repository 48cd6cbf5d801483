import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allOf, FqError, parseFq, solrDate, type FqNode } from "./fq.js";

/** A compact reading of a tree: `+a` required, `?a` optional (with its OR group), `-a` prohibited. */
function show(node: FqNode): string {
  switch (node.kind) {
    case "all":
      return "*:*";
    case "term":
      return node.phrase ? `${node.field}:"${node.value}"` : `${node.field}:${node.value}`;
    case "prefix":
      return `${node.field}:${node.value}*`;
    case "exists":
      return `${node.field}:*`;
    case "range":
      return `${node.field}:${node.includeLower ? "[" : "{"}${node.lower ?? "*"} TO ${node.upper ?? "*"}${node.includeUpper ? "]" : "}"}`;
    case "bool":
      return `(${node.clauses.map((clause) => `${clause.occur === "must" ? "+" : clause.occur === "must_not" ? "-" : `?${clause.group}`}${show(clause.node)}`).join(" ")})`;
  }
}

const read = (fq: string) => show(parseFq(fq));
const refused = (fq: string, message: RegExp) => assert.throws(() => parseFq(fq), (error: unknown) => error instanceof FqError && message.test(error.message), fq);

describe("the fq grammar (Solr's standard query syntax, as CKAN sends it)", () => {
  it("reads field:value terms, quoted values with escapes, and the empty query as everything", () => {
    assert.equal(read(""), "*:*");
    assert.equal(read("   "), "*:*");
    assert.equal(read("*:*"), "*:*");
    assert.equal(read("tags:finances"), "tags:finances");
    assert.equal(read('tags:"eau potable"'), 'tags:"eau potable"');
    assert.equal(read('tags:"say \\"hi\\""'), 'tags:"say "hi""');
    assert.equal(read("name:alpha--budget"), "name:alpha--budget");
    assert.equal(read("license_id:lo-2.0"), "license_id:lo-2.0");
    assert.equal(read("tags:a\\:b"), "tags:a:b");
    assert.equal(read("budget"), "text:budget");
    assert.equal(read("extras_frequency:annual"), "extras_frequency:annual");
    // Quotes of SQL are plain characters of a term to Lucene.
    assert.equal(read("organization:alpha' OR '1'='1"), "(?1organization:alpha' ?1text:'1'='1)");
  });

  it("joins clauses as CKAN's q.op=AND does: juxtaposition and AND require, + requires, - and NOT prohibit", () => {
    assert.equal(read("tags:a tags:b"), "(+tags:a +tags:b)");
    assert.equal(read("tags:a AND tags:b"), "(+tags:a +tags:b)");
    assert.equal(read("tags:a && tags:b"), "(+tags:a +tags:b)");
    assert.equal(read("+tags:a -tags:b"), "(+tags:a -tags:b)");
    assert.equal(read("tags:a NOT tags:b"), "(+tags:a -tags:b)");
    assert.equal(read("tags:a !tags:b"), "(+tags:a -tags:b)");
    assert.equal(read("-organization:x -organization:y"), "(-organization:x -organization:y)");
    // Operator words only count standing alone.
    assert.equal(read("tags:ANDROID"), "tags:ANDROID");
    assert.equal(read("tags:a ANDx"), "(+tags:a +text:ANDx)");
  });

  it("makes OR-joined clauses optional, as Lucene does, but keeps each OR group required beside other clauses", () => {
    assert.equal(read("organization:a OR organization:b"), "(?1organization:a ?1organization:b)");
    assert.equal(read("tags:a || tags:b"), "(?1tags:a ?1tags:b)");
    // The harvester's include filters followed by its since-term: two groups and a required range.
    assert.equal(
      read("organization:a OR organization:b groups:x OR groups:y metadata_modified:[2026-01-01T00:00:00Z TO *]"),
      "(?1organization:a ?1organization:b ?2groups:x ?2groups:y +metadata_modified:[2026-01-01T00:00:00.000000Z TO *])",
    );
    // A prohibited clause stays prohibited when OR follows it (Lucene leaves "-a OR b" alone).
    assert.equal(read("-tags:a OR tags:b"), "(-tags:a ?1tags:b)");
  });

  it("reads parentheses, field groups and nesting", () => {
    assert.equal(read("(tags:a OR tags:b) organization:x"), "(+(?1tags:a ?1tags:b) +organization:x)");
    assert.equal(read("organization:(a OR b)"), "(?1organization:a ?1organization:b)");
    assert.equal(read("+(groups:econ -tags:x)"), "(+groups:econ -tags:x)");
    assert.equal(read("((tags:a))"), "tags:a");
  });

  it("reads inclusive, exclusive and open ranges on dates, with Solr's date math", () => {
    assert.equal(read("metadata_modified:[2024-01-05T10:20:30.123456Z TO *]"), "metadata_modified:[2024-01-05T10:20:30.123456Z TO *]");
    assert.equal(read("metadata_created:{* TO 2024-01-05T10:20:30Z}"), "metadata_created:{* TO 2024-01-05T10:20:30.000000Z}");
    assert.equal(read("metadata_created:[2024-01-01T00:00:00Z TO 2025-01-01T00:00:00Z}"), "metadata_created:[2024-01-01T00:00:00.000000Z TO 2025-01-01T00:00:00.000000Z}");
    assert.equal(read("num_resources:[1 TO *]"), "num_resources:[1 TO *]");
    assert.equal(read("name:[a TO m]"), "name:[a TO m]");
    assert.equal(solrDate("2024-03-31T10:00:00Z+1MONTH"), "2024-05-01T10:00:00.000Z");
    assert.equal(solrDate("2024-03-31T10:20:00Z/DAY"), "2024-03-31T00:00:00.000Z");
    assert.equal(solrDate("2024-03-31T10:20:00Z-2DAYS/MONTH"), "2024-03-01T00:00:00.000Z");
    const now = Date.now();
    const yesterday = Date.parse(solrDate("NOW-1DAY"));
    assert.ok(Math.abs(now - 86_400_000 - yesterday) < 60_000);
  });

  it("reads a final * as a prefix and field:* as presence", () => {
    assert.equal(read("name:alpha--*"), "name:alpha--*");
    assert.equal(read("tags:*"), "tags:*");
    assert.equal(read("title:budg*"), "title:budg*");
    assert.equal(read("tags:a\\*"), "tags:a*".replace("*", "*"));
    assert.equal(parseFq("tags:a\\*").kind, "term");
  });

  it("refuses what Solr refuses, with Solr's words where it has them", () => {
    refused("owner:alpha", /^undefined field owner$/);
    refused("tags:", /unexpected end/);
    refused("(tags:a", /missing "\)"/);
    refused("tags:a)", /unexpected "\)"/);
    refused('tags:"open', /unclosed quote/);
    refused("AND tags:a", /cannot start with AND/);
    refused("tags:a AND", /clause is missing/);
    refused("metadata_modified:[2024-01-01 TO *]", /^Invalid Date String:'2024-01-01'$/);
    refused("metadata_modified:[2024-02-30T00:00:00Z TO *]", /Invalid Date String/);
    refused("metadata_modified:[2024-01-01T00:00:00Z *]", /expected "TO"/);
    refused("num_resources:many", /^Invalid Number: many$/);
    refused("(".repeat(30) + "tags:a" + ")".repeat(30), /nested/);
    refused("x".repeat(4001), /longer than/);
  });

  it("refuses the constructs this catalogue does not answer, naming them", () => {
    refused("tags:budgt~", /Fuzzy/);
    refused('title:"a b"~3', /proximity/);
    refused("tags:a^2", /Boosts/);
    refused("(tags:a)^2", /Boosts/);
    refused("tags:a*b", /Wildcards other than a final \*/);
    refused("tags:a?", /Wildcards other than a final \*/);
    refused("tags:/bud.*/", /Regular expressions/);
    refused("{!bool must=tags:a}", /^Local parameters are not supported in param 'fq'\.$/);
    refused("_query_:x", /Nested queries/);
    refused("extras_language:[a TO b]", /Ranges on the text field/);
    refused("metadata_modified:2024*", /Wildcards on metadata_modified/);
  });

  it("allOf requires every part and drops match-everything parts", () => {
    assert.equal(show(allOf(parseFq(""), parseFq("tags:a"))), "tags:a");
    assert.equal(show(allOf(parseFq("tags:a OR tags:b"), parseFq("organization:x"))), "(+(?1tags:a ?1tags:b) +organization:x)");
  });
});
