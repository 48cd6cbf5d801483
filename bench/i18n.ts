// Translating interface strings, as a page does a few hundred times per render: the mix below is
// mostly plain labels, some texts with a placeholder, some counted texts (plural forms). Against
// a baseline measured in the same run: the translator as it was before ICU MessageFormat (a Map
// lookup, a regular expression for `{name}`, Intl.PluralRules choosing between `key.one` and
// `key.other` texts), fed the same texts. The figure to watch is the time per translation against
// a page's budget of a few milliseconds: 300 strings at 1 µs each cost 0.3 ms.
//
//   npm run bench:i18n                    100,000 translations, median of 7 runs
//   BENCH_TRANSLATIONS=1000000 npm run bench:i18n
import "../src/modules/index.js";
import { LOCALES, loadCatalogues, translator, type Locale, type Params } from "../src/core/i18n/index.js";

const TRANSLATIONS = Number(process.env.BENCH_TRANSLATIONS ?? 100_000);
const RUNS = 7;
if (!Number.isSafeInteger(TRANSLATIONS) || TRANSLATIONS <= 0) {
  throw new Error(`BENCH_TRANSLATIONS must be a positive integer, got "${process.env.BENCH_TRANSLATIONS}"`);
}

// Ten calls: six plain labels, two with a placeholder, two counted, roughly a page's proportions.
const CALLS: [string, Params?][] = [
  ["nav.home"],
  ["nav.skip_to_content"],
  ["nav.breadcrumbs"],
  ["error.not_found"],
  ["nav.language"],
  ["site.footer"],
  ["nav.page", { page: 3 }],
  ["form.optional", { label: "Téléphone" }],
  ["form.error_summary", { count: 1 }],
  ["participation.proposal.supports", { count: 12 }],
];

const translators = LOCALES.map((locale) => translator(locale));
// A translation that fell back to its key would make the figure meaningless.
for (const t of translators) {
  for (const [key, params] of CALLS) if (t(key, params) === key) throw new Error(`${key} is missing from a catalogue`);
}

/** The former translator, for the baseline: counted texts stored as `key.one` / `key.other`. */
function legacyTranslator(locale: Locale): (key: string, params?: Params) => string {
  const catalogue = new Map(loadCatalogues()[locale]);
  const rules = new Intl.PluralRules(locale);
  // The same counted texts in the old shape, so that both do the same work.
  for (const [key, params] of CALLS) {
    if (params?.count === undefined) continue;
    catalogue.set(`${key}.one`, translator(locale)(key, { ...params, count: 1 }).replace(/\b1\b/, "{count}"));
    catalogue.set(`${key}.other`, translator(locale)(key, { ...params, count: 2 }).replace(/\b2\b/, "{count}"));
    catalogue.delete(key);
  }
  return (key, params) => {
    let text = catalogue.get(key);
    if (text === undefined && params && typeof params.count === "number") text = catalogue.get(`${key}.${rules.select(params.count)}`) ?? catalogue.get(`${key}.other`);
    if (text === undefined) return key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}
const legacy = LOCALES.map((locale) => legacyTranslator(locale));

let sink = 0;
function run(list: typeof translators): number {
  const started = performance.now();
  for (let index = 0; index < TRANSLATIONS; index++) {
    const [key, params] = CALLS[index % CALLS.length]!;
    sink += list[index % list.length]!(key, params).length;
  }
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
// One warm-up each, then both in turn so that a noisy moment does not decide the ratio.
run(legacy);
run(translators);
const legacyMs: number[] = [];
const icuMs: number[] = [];
for (let index = 0; index < RUNS; index++) {
  legacyMs.push(run(legacy));
  icuMs.push(run(translators));
}
const perCall = (ms: number) => `${((ms * 1000) / TRANSLATIONS).toFixed(3)} µs per translation`;
console.log(`Translations: ${TRANSLATIONS.toLocaleString("en")} over fr/pt/en, Node ${process.version}, medians of ${RUNS} runs\n`);
console.log(`   former translator (regular expression, key.one/key.other): ${median(legacyMs).toFixed(1)} ms, ${perCall(median(legacyMs))}`);
console.log(`   ICU MessageFormat, compiled once per language and key:     ${median(icuMs).toFixed(1)} ms, ${perCall(median(icuMs))}`);
console.log(`   ratio: ${(median(icuMs) / median(legacyMs)).toFixed(2)} (checksum ${sink % 1000})`);
