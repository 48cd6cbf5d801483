/**
 * The Solr/Lucene query syntax CKAN clients put in `fq` (and in a fielded `q`), read into a small
 * tree that store.ts turns into SQL. CKAN hands these strings to Solr's standard query parser with
 * `q.op=AND` (ckan/lib/search/query.py); this reads the same syntax for the fields CKAN indexes.
 *
 * Hand-written rather than a library: the npm packages for Lucene syntax (lucene, lucene-query-parser)
 * are unmaintained generated parsers, none is installed, and what matters here — which constructs
 * are refused, and how AND/OR/+/- combine under q.op=AND — is specific to CKAN and ours to test.
 *
 * Semantics are Lucene's clause model (each clause is required, optional or prohibited, computed
 * exactly as Lucene's QueryParserBase.addClause does with the AND default operator), with one
 * difference: clauses joined by OR form a group that must match at least once, even beside required
 * clauses. Solr makes them merely optional there, so `organization:a OR organization:b
 * metadata_modified:[… TO *]` ignores the organisations — ckanext-harvest's multi-organisation
 * filter returning everything from a real CKAN (ckan/ckanext-harvest#518). Here it means what the
 * harvester meant.
 */

export type FieldKind = "string" | "strings" | "date" | "int" | "text" | "constant";

/** The fields CKAN's Solr schema indexes that this catalogue can answer, with how they match. */
const FIELDS: Record<string, FieldKind> = {
  id: "string",
  name: "string",
  owner_org: "string",
  organization: "string",
  license_id: "string",
  groups: "strings",
  tags: "strings",
  res_format: "strings",
  metadata_modified: "date",
  metadata_created: "date",
  num_resources: "int",
  num_tags: "int",
  title: "text",
  notes: "text",
  text: "text",
  // Every dataset here is a public, active dataset: these match their one value.
  dataset_type: "constant",
  type: "constant",
  capacity: "constant",
  state: "constant",
};

/** CKAN indexes every extra as `extras_<key>` (a text field); an unknown key matches nothing, as in Solr. */
const EXTRA_FIELD = /^extras_[A-Za-z0-9_-]{1,100}$/;

export function fieldKind(field: string): FieldKind | undefined {
  if (Object.hasOwn(FIELDS, field)) return FIELDS[field];
  return EXTRA_FIELD.test(field) ? "text" : undefined;
}

export type Occur = "must" | "should" | "must_not";

export type FqNode =
  | { kind: "all" }
  | { kind: "bool"; clauses: FqClause[] }
  | { kind: "term"; field: string; value: string; phrase: boolean }
  | { kind: "prefix"; field: string; value: string }
  | { kind: "exists"; field: string }
  | { kind: "range"; field: string; lower: string | null; upper: string | null; includeLower: boolean; includeUpper: boolean };

/** `group` numbers the runs of OR-joined clauses: optional clauses of one run must match once. */
export interface FqClause {
  occur: Occur;
  group: number;
  node: FqNode;
}

/**
 * A query Solr would refuse, or a construct this catalogue does not answer (fuzzy, boosts, inner
 * wildcards, regular expressions, local parameters): CKAN answers both as a "Search Error".
 */
export class FqError extends Error {}

export const MAX_QUERY_LENGTH = 4000;
const MAX_DEPTH = 20;
const MAX_CLAUSES = 1024; // Solr's maxBooleanClauses

const SPECIAL = new Set([..."()[]{}\":^~!\\/"]);
const isSpace = (char: string | undefined) => char !== undefined && /\s/.test(char);

type Conj = "none" | "and" | "or";
type Mod = "none" | "req" | "not";

class Parser {
  private pos = 0;
  private clauseCount = 0;

  constructor(
    private readonly input: string,
    private readonly param: string,
  ) {}

  parse(): FqNode {
    if (this.input.trimStart().startsWith("{!")) throw new FqError(`Local parameters are not supported in param '${this.param}'.`);
    const node = this.expression(0, null);
    this.skipSpace();
    if (this.pos < this.input.length) this.fail(`unexpected "${this.input[this.pos]}"`);
    return node;
  }

  private fail(what: string): never {
    throw new FqError(`Cannot parse '${this.input}': ${what} at position ${this.pos + 1}`);
  }

  private unsupported(what: string): never {
    throw new FqError(`${what} are not supported in param '${this.param}'.`);
  }

  private skipSpace(): void {
    while (isSpace(this.input[this.pos])) this.pos++;
  }

  /** An operator word stands alone: "AND" but not "ANDROID" nor "AND-x". */
  private keyword(...words: string[]): string | null {
    for (const word of words) {
      if (!this.input.startsWith(word, this.pos)) continue;
      const next = this.input[this.pos + word.length];
      if (/^[A-Z]+$/.test(word) && next !== undefined && !isSpace(next) && !SPECIAL.has(next)) continue;
      this.pos += word.length;
      return word;
    }
    return null;
  }

  private expression(depth: number, field: string | null): FqNode {
    if (depth > MAX_DEPTH) this.fail("too many nested parentheses");
    const clauses: FqClause[] = [];
    let group = 0;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.input.length || this.input[this.pos] === ")") break;
      let conj: Conj = "none";
      if (this.keyword("AND", "&&")) conj = "and";
      else if (this.keyword("OR", "||")) conj = "or";
      if (conj !== "none" && clauses.length === 0) this.fail(`a query cannot start with ${conj.toUpperCase()}`);
      this.skipSpace();
      let mod: Mod = "none";
      const char = this.input[this.pos];
      if ((char === "+" || char === "-" || char === "!") && this.pos + 1 < this.input.length && !isSpace(this.input[this.pos + 1])) {
        this.pos++;
        mod = char === "+" ? "req" : "not";
      } else if (this.keyword("NOT")) {
        mod = "not";
      }
      this.skipSpace();
      if (this.pos >= this.input.length || this.input[this.pos] === ")") this.fail("a clause is missing");
      const node = this.clause(depth, field);
      if (++this.clauseCount > MAX_CLAUSES) this.fail("too many clauses");
      if (conj !== "or") group++;
      addClause(clauses, conj, mod, node, group);
    }
    if (clauses.length === 0) return depth === 0 ? { kind: "all" } : this.fail("empty parentheses");
    if (clauses.length === 1 && clauses[0]!.occur === "must") return clauses[0]!.node;
    return { kind: "bool", clauses };
  }

  private clause(depth: number, field: string | null): FqNode {
    const char = this.input[this.pos];
    if (char === "(") {
      this.pos++;
      const node = this.expression(depth + 1, field);
      if (this.input[this.pos] !== ")") this.fail('missing ")"');
      this.pos++;
      this.noModifierSuffix();
      return node;
    }
    if (char === '"') return this.valueAfter(field ?? "text", { text: this.quoted(), wildcards: [], phrase: true });
    if (char === "[" || char === "{") {
      if (field === null) this.fail("a range needs a field");
      return this.range(field);
    }
    if (char === "/") this.unsupported("Regular expressions");
    const term = this.term();
    if (this.input[this.pos] === ":" && field === null) {
      this.pos++;
      const name = term.text;
      if (name === "*" && term.wildcards.length === 1) {
        this.skipSpace();
        const value = this.term();
        if (value.text !== "*") this.fail('"*:" takes only "*"');
        this.noModifierSuffix();
        return { kind: "all" };
      }
      if (term.wildcards.length > 0 || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) this.fail(`invalid field name "${name}"`);
      if (name === "_query_" || name === "_val_") this.unsupported("Nested queries");
      if (!fieldKind(name)) throw new FqError(`undefined field ${name}`);
      this.skipSpace();
      const next = this.input[this.pos];
      if (next === "(") {
        this.pos++;
        const node = this.expression(depth + 1, name);
        if (this.input[this.pos] !== ")") this.fail('missing ")"');
        this.pos++;
        this.noModifierSuffix();
        return node;
      }
      if (next === '"') return this.valueAfter(name, { text: this.quoted(), wildcards: [], phrase: true });
      if (next === "[" || next === "{") return this.range(name);
      if (next === "/") this.unsupported("Regular expressions");
      const value = this.term();
      if (value.text === "") this.fail(`a value is missing after "${name}:"`);
      return this.valueAfter(name, value);
    }
    return this.valueAfter(field ?? "text", term);
  }

  /** A term, with the positions of its unescaped wildcards (an escaped `\*` is a star). */
  private term(): { text: string; wildcards: number[]; phrase?: boolean } {
    let text = "";
    const wildcards: number[] = [];
    while (this.pos < this.input.length) {
      const char = this.input[this.pos]!;
      if (char === "\\") {
        const next = this.input[this.pos + 1];
        if (next === undefined) this.fail("a lone backslash");
        text += next;
        this.pos += 2;
        continue;
      }
      if (isSpace(char) || SPECIAL.has(char) || char === ":") break;
      // `+` and `-` belong to a term after its first character (lo-2.0, alpha--budget), as in Lucene.
      if (text === "" && (char === "+" || char === "-")) break;
      if (char === "*" || char === "?") wildcards.push(text.length);
      text += char;
      this.pos++;
    }
    if (text === "" && this.pos < this.input.length) this.fail(`unexpected "${this.input[this.pos]}"`);
    if (text === "") this.fail("unexpected end");
    return { text, wildcards };
  }

  private quoted(): string {
    this.pos++; // opening quote
    let text = "";
    while (this.pos < this.input.length) {
      const char = this.input[this.pos]!;
      if (char === "\\") {
        const next = this.input[this.pos + 1];
        if (next === undefined) break;
        text += next;
        this.pos += 2;
        continue;
      }
      if (char === '"') {
        this.pos++;
        return text;
      }
      text += char;
      this.pos++;
    }
    return this.fail("an unclosed quote");
  }

  private noModifierSuffix(): void {
    const char = this.input[this.pos];
    if (char === "^") this.unsupported("Boosts (^)");
    if (char === "~") this.unsupported("Fuzzy and proximity searches (~)");
  }

  private valueAfter(field: string, value: { text: string; wildcards: number[]; phrase?: boolean }): FqNode {
    this.noModifierSuffix();
    const kind = fieldKind(field)!;
    const { text, wildcards } = value;
    if (!value.phrase && text === "*" && wildcards.length === 1) return field === "text" ? { kind: "all" } : { kind: "exists", field };
    if (wildcards.length > 0) {
      const trailingStar = wildcards.length === 1 && wildcards[0] === text.length - 1 && text.endsWith("*");
      if (!trailingStar) this.unsupported("Wildcards other than a final *");
      if (kind === "date" || kind === "int") this.unsupported(`Wildcards on ${field}`);
      const stem = text.slice(0, -1);
      if (kind === "text" && !/^[\p{L}\p{N}_]+$/u.test(stem)) this.unsupported("Wildcards after anything but letters and digits");
      return { kind: "prefix", field, value: stem };
    }
    if (kind === "date") return { kind: "term", field, value: solrDate(text), phrase: false };
    if (kind === "int") return { kind: "term", field, value: solrInteger(text), phrase: false };
    return { kind: "term", field, value: text, phrase: value.phrase === true };
  }

  private range(field: string): FqNode {
    const includeLower = this.input[this.pos] === "[";
    this.pos++;
    this.skipSpace();
    const lower = this.rangeBound();
    this.skipSpace();
    if (!this.keyword("TO")) this.fail('expected "TO" in a range');
    this.skipSpace();
    const upper = this.rangeBound();
    this.skipSpace();
    const close = this.input[this.pos];
    if (close !== "]" && close !== "}") this.fail('expected "]" or "}" to close a range');
    this.pos++;
    this.noModifierSuffix();
    const kind = fieldKind(field)!;
    if (kind === "text") this.unsupported(`Ranges on the text field ${field}`);
    const convert = (bound: string | null) => (bound === null ? null : kind === "date" ? solrDate(bound) : kind === "int" ? solrInteger(bound) : bound);
    return { kind: "range", field, lower: convert(lower), upper: convert(upper), includeLower, includeUpper: close === "]" };
  }

  /** A range bound: quoted, `*` (open), or anything up to a space or the closing bracket (dates hold colons). */
  private rangeBound(): string | null {
    if (this.input[this.pos] === '"') return this.quoted();
    let text = "";
    while (this.pos < this.input.length && !isSpace(this.input[this.pos]) && this.input[this.pos] !== "]" && this.input[this.pos] !== "}") {
      text += this.input[this.pos];
      this.pos++;
    }
    if (text === "") this.fail("a range bound is missing");
    return text === "*" ? null : text;
  }
}

/** Lucene's QueryParserBase.addClause with the AND default operator, which CKAN sets (q.op=AND). */
function addClause(clauses: FqClause[], conj: Conj, mod: Mod, node: FqNode, group: number): void {
  const previous = clauses[clauses.length - 1];
  // AND makes the preceding clause required, OR makes it optional, unless it is prohibited.
  if (previous && previous.occur !== "must_not") {
    if (conj === "and") previous.occur = "must";
    else if (conj === "or") previous.occur = "should";
  }
  const prohibited = mod === "not";
  const required = !prohibited && conj !== "or";
  clauses.push({ occur: prohibited ? "must_not" : required ? "must" : "should", group, node });
}

const SOLR_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z/;
const DATE_MATH = /^(?:([+-])(\d{1,9})|\/)(YEARS?|MONTHS?|DAYS?|DATE|HOURS?|MINUTES?|SECONDS?|MILLIS?|MILLISECONDS?)/;

/**
 * A Solr date (`2024-01-05T10:20:30.123456Z`, `NOW`, with date math such as `NOW-1DAY` or
 * `NOW/DAY`), as an ISO instant PostgreSQL reads; microseconds are kept when no math applies.
 */
export function solrDate(value: string): string {
  const invalid = () => new FqError(`Invalid Date String:'${value}'`);
  let rest: string;
  let date: Date;
  let exact: string | null = null;
  if (value.startsWith("NOW")) {
    date = new Date();
    rest = value.slice(3);
  } else {
    const match = SOLR_DATE.exec(value);
    if (!match) throw invalid();
    const [, y, mo, d, h, mi, s, fraction = ""] = match;
    date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(fraction.padEnd(3, "0").slice(0, 3))));
    if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw invalid();
    exact = `${y}-${mo}-${d}T${h}:${mi}:${s}.${fraction.padEnd(6, "0").slice(0, 6)}Z`;
    rest = value.slice(match[0].length);
  }
  if (rest === "") return exact ?? date.toISOString();
  while (rest !== "") {
    const match = DATE_MATH.exec(rest);
    if (!match) throw invalid();
    const [, sign, amount, rawUnit] = match;
    const unit = rawUnit!.replace(/S$/, "").replace("MILLISECOND", "MILLI").replace("DATE", "DAY");
    if (sign) shift(date, unit, (sign === "-" ? -1 : 1) * Number(amount));
    else roundDown(date, unit);
    rest = rest.slice(match[0].length);
  }
  if (Number.isNaN(date.getTime())) throw invalid();
  return date.toISOString();
}

function shift(date: Date, unit: string, amount: number): void {
  if (unit === "YEAR") date.setUTCFullYear(date.getUTCFullYear() + amount);
  else if (unit === "MONTH") date.setUTCMonth(date.getUTCMonth() + amount);
  else if (unit === "DAY") date.setUTCDate(date.getUTCDate() + amount);
  else if (unit === "HOUR") date.setUTCHours(date.getUTCHours() + amount);
  else if (unit === "MINUTE") date.setUTCMinutes(date.getUTCMinutes() + amount);
  else if (unit === "SECOND") date.setUTCSeconds(date.getUTCSeconds() + amount);
  else date.setUTCMilliseconds(date.getUTCMilliseconds() + amount);
}

function roundDown(date: Date, unit: string): void {
  const order = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "MILLI"];
  const level = order.indexOf(unit);
  if (level < 1) date.setUTCMonth(0);
  if (level < 2) date.setUTCDate(1);
  if (level < 3) date.setUTCHours(0);
  if (level < 4) date.setUTCMinutes(0);
  if (level < 5) date.setUTCSeconds(0);
  if (level < 6) date.setUTCMilliseconds(0);
}

function solrInteger(value: string): string {
  if (!/^-?\d{1,9}$/.test(value)) throw new FqError(`Invalid Number: ${value}`);
  return String(Number(value));
}

/** Reads a query of `param` ("fq" or "q"); an empty one matches everything. */
export function parseFq(input: string, param = "fq"): FqNode {
  if (input.length > MAX_QUERY_LENGTH) throw new FqError(`${param} is longer than ${MAX_QUERY_LENGTH} characters`);
  return new Parser(input, param).parse();
}

/** Combines the nodes so that each must match (fq and a fielded q). */
export function allOf(...nodes: FqNode[]): FqNode {
  const kept = nodes.filter((node) => node.kind !== "all");
  if (kept.length === 0) return { kind: "all" };
  if (kept.length === 1) return kept[0]!;
  return { kind: "bool", clauses: kept.map((node, index) => ({ occur: "must", group: index + 1, node })) };
}
