// Converts the old plural pairs of the message catalogues (`key.one`, `key.other`, and any
// `key.zero|two|few|many` beside them) into one ICU MessageFormat message under the base key:
//
//   "x.count.one": "{count} jour", "x.count.other": "{count} jours"
//   → "x.count": "{count, plural, one {# jour} other {# jours}}"
//
// The translator chose the old forms with params.count, so the plural argument is `count`, and
// call sites, which already ask for the base key with { count }, stay as they are. A `{count}`
// inside a form becomes `#` (the number, written the language's way); other placeholders stay.
// A key ending in `.other` with no `.one` beside it (country.other) is a plain message, left alone.
// In French catalogues it also puts the narrow no-break space (U+202F) where French typography
// wants it and texts written on an ordinary keyboard have a plain space: before : ; ? ! and
// inside « », as the catalogue test requires (a sign glued to a word, as in https:// or 10:30,
// is left alone; "État: Ouverte", with no space at all, is for a person to fix).
// It rewrites only the files that change and can be run again at any time (after a merge):
//
//   node scripts/convert-plurals.mjs          converts every catalogue under src/
//   node scripts/convert-plurals.mjs --check  lists what it would convert, exits 1 if anything
import fs from "node:fs";
import path from "node:path";

const CATEGORIES = ["zero", "one", "two", "few", "many", "other"];
const FORM = new RegExp(`^(.+)\\.(${CATEGORIES.join("|")})$`);
const check = process.argv.includes("--check");

function catalogueFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : catalogueFiles(full);
    return /^(fr|pt|en)\.json$/.test(entry.name) && path.basename(dir) !== "node_modules" && full.includes(`${path.sep}messages`) ? [full] : [];
  });
}

/** One form's text as an ICU branch: the count is `#`; an apostrophe before ICU syntax is doubled so it stays literal. */
function branch(text) {
  return text.replace(/'(?=[{}#|])/g, "''").replace(/\{count\}/g, "#");
}

export function convert(messages) {
  const bases = new Map();
  for (const key of Object.keys(messages)) {
    const match = FORM.exec(key);
    if (match && `${match[1]}.one` in messages && `${match[1]}.other` in messages) bases.set(match[1], true);
  }
  if (bases.size === 0) return null;
  const result = {};
  for (const [key, text] of Object.entries(messages)) {
    const match = FORM.exec(key);
    const base = match && bases.has(match[1]) ? match[1] : null;
    if (!base) {
      if (key in result) throw new Error(`${key} is both a message and the base of plural forms`);
      result[key] = text;
      continue;
    }
    if (base in result) continue; // written with its first form
    if (base in messages) throw new Error(`${base} is both a message and the base of plural forms`);
    const options = CATEGORIES.filter((category) => `${base}.${category}` in messages).map((category) => `${category} {${branch(messages[`${base}.${category}`])}}`);
    result[base] = `{count, plural, ${options.join(" ")}}`;
  }
  return { result, converted: [...bases.keys()] };
}

export function frenchSpacing(text) {
  return text
    .replace(/[ \u00a0]([:;?!])/g, "\u202f$1")
    .replace(/«(?!\u202f)[ \u00a0]?/g, "«\u202f")
    .replace(/(?<!\u202f)[ \u00a0]?»/g, "\u202f»");
}

const files = catalogueFiles(path.resolve("src"));
let pending = 0;
for (const file of files) {
  const messages = JSON.parse(fs.readFileSync(file, "utf8"));
  const outcome = convert(messages);
  const result = outcome?.result ?? messages;
  const respaced = [];
  if (path.basename(file) === "fr.json") {
    for (const [key, text] of Object.entries(result)) {
      const spaced = frenchSpacing(text);
      if (spaced !== text) respaced.push(key);
      result[key] = spaced;
    }
  }
  if (!outcome && respaced.length === 0) continue;
  pending += (outcome?.converted.length ?? 0) + respaced.length;
  if (outcome) console.log(`${path.relative(process.cwd(), file)}: ${outcome.converted.join(", ")}`);
  if (respaced.length > 0) console.log(`${path.relative(process.cwd(), file)}: French spacing in ${respaced.join(", ")}`);
  if (!check) fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
if (pending === 0) console.log("no plural pairs left, French spacing as it should be");
if (check && pending > 0) process.exit(1);
