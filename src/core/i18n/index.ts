import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import IntlMessageFormat, { type Formatters as MessageFormatters } from "intl-messageformat";

export const LOCALES = ["fr", "pt", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "fr";

/** Labels of the languages in their own language, for the language picker. */
export const LOCALE_NAMES: Record<Locale, string> = { fr: "Français", pt: "Português", en: "English" };

export type Params = Record<string, string | number>;
export type Translate = (key: string, params?: Params) => string;

/** Core's own texts; modules add their folders through `registerCatalogues`. */
const CORE_CATALOGUE = fileURLToPath(new URL("./messages/", import.meta.url));

const registered: string[] = [];
let loaded: Record<Locale, Map<string, string>> | null = null;

/**
 * Adds the folders holding fr.json, pt.json and en.json that modules declare in their manifests
 * (`modules/index.ts` registers every module's when it is imported). A folder registered twice
 * counts once. The catalogues are read again on next use.
 */
export function registerCatalogues(dirs: readonly (string | URL)[]): void {
  for (const dir of dirs) {
    const resolved = path.resolve(typeof dir === "string" ? dir : fileURLToPath(dir));
    if (resolved !== path.resolve(CORE_CATALOGUE) && !registered.includes(resolved)) {
      registered.push(resolved);
      loaded = null;
      compiled = null;
    }
  }
}

/** Every catalogue folder in use: core's, then those registered, in the order they came. */
export function catalogueDirs(): string[] {
  return [path.resolve(CORE_CATALOGUE), ...registered];
}

export function loadCatalogues(dirs = catalogueDirs()): Record<Locale, Map<string, string>> {
  const result = { fr: new Map(), pt: new Map(), en: new Map() } as Record<Locale, Map<string, string>>;
  for (const locale of LOCALES) {
    for (const dir of dirs) {
      const file = path.join(dir, `${locale}.json`);
      const entries = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
      for (const [key, text] of Object.entries(entries)) {
        if (result[locale].has(key)) throw new Error(`message key ${key} is defined twice (${file})`);
        result[locale].set(key, text);
      }
    }
  }
  return result;
}

// Read on first use rather than at import: a translator made while modules are still being
// imported (a constant of a notification, a job) sees the catalogues registered after it.
function catalogues(): Record<Locale, Map<string, string>> {
  loaded ??= loadCatalogues();
  return loaded;
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** Picks the best supported language from an Accept-Language header, French when nothing fits. */
export function negotiateLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const ranked = acceptLanguage
    .split(",")
    .map((part, index) => {
      const [tag = "", ...attrs] = part.trim().split(";");
      const q = attrs.map((a) => a.trim()).find((a) => a.startsWith("q="));
      return { language: tag.trim().toLowerCase().split("-")[0] ?? "", q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((entry) => entry.q > 0 && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((entry) => entry.language).find(isLocale) ?? DEFAULT_LOCALE;
}

export const INTL_LOCALE: Record<Locale, string> = { fr: "fr-FR", pt: "pt-PT", en: "en-GB" };

type MessageElement = ReturnType<IntlMessageFormat["getAst"]>[number];
// The parser's element kinds (its TYPE enum, which intl-messageformat does not re-export).
const LITERAL = 0;
const NUMBER = 2;
const SELECT = 5;
const PLURAL = 6;
const POUND = 7;
const TAG = 8;

/**
 * One set of Intl objects for every message of a language: each compiled message would otherwise
 * build its own Intl.PluralRules and NumberFormat, which cost far more to build than to use.
 */
function sharedFormatters(): MessageFormatters {
  const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.PluralRules>();
  function memo<A extends [locales?: unknown, options?: object], T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.PluralRules>(
    kind: string,
    build: (...args: A) => T,
  ) {
    return (...args: A): T => {
      // Called for every plural and every `#`: the usual calls, (locale) and (locale, { type }),
      // make their key without JSON, which would cost more than the formatting itself.
      const [locales, options] = args;
      const keys = options ? Object.keys(options) : [];
      const shape = keys.length === 0 ? "" : keys.length === 1 && keys[0] === "type" ? String((options as { type: unknown }).type) : JSON.stringify(options);
      const key = `${kind}|${typeof locales === "string" ? locales : JSON.stringify(locales)}|${shape}`;
      let made = cache.get(key) as T | undefined;
      if (!made) {
        made = build(...args);
        cache.set(key, made);
      }
      return made;
    };
  }
  return {
    getNumberFormat: memo("n", (...args: ConstructorParameters<typeof Intl.NumberFormat>) => new Intl.NumberFormat(...args)),
    getDateTimeFormat: memo("d", (...args: ConstructorParameters<typeof Intl.DateTimeFormat>) => new Intl.DateTimeFormat(...args)),
    getPluralRules: memo("p", (...args: ConstructorParameters<typeof Intl.PluralRules>) => new Intl.PluralRules(...args)),
  };
}

/**
 * Compiles one message (throws on text that is not ICU MessageFormat). `ignoreTag` keeps a `<`
 * a plain character, where ICU would read `<b>` as a rich-text tag. A message that is one literal
 * once parsed (no argument) is kept as that string: most labels then cost a Map lookup.
 */
export function compileMessage(text: string, locale: Locale, formatters?: MessageFormatters): IntlMessageFormat | string {
  const format = new IntlMessageFormat(text, INTL_LOCALE[locale], undefined, { ignoreTag: true, ...(formatters ? { formatters } : {}) });
  const ast = format.getAst();
  if (ast.length === 0) return "";
  if (ast.length === 1 && ast[0]!.type === LITERAL) return (ast[0] as { value: string }).value;
  return format;
}

export interface MessageShape {
  /** Every argument the message reads, those inside plural and select branches included. */
  arguments: Set<string>;
  /** Those it chooses a plural form with: `{x, plural, …}`. */
  plural: Set<string>;
  /** Those it writes as a number: `{x, number}`. */
  numbers: Set<string>;
}

function shapeOf(elements: readonly MessageElement[]): MessageShape {
  const shape: MessageShape = { arguments: new Set(), plural: new Set(), numbers: new Set() };
  const walk = (elements: readonly MessageElement[]) => {
    for (const element of elements) {
      if (element.type === LITERAL || element.type === POUND) continue;
      shape.arguments.add(element.value);
      if (element.type === NUMBER) shape.numbers.add(element.value);
      if (element.type === PLURAL) shape.plural.add(element.value);
      if (element.type === PLURAL || element.type === SELECT) for (const option of Object.values(element.options)) walk(option.value);
      if (element.type === TAG) walk(element.children);
    }
  };
  walk(elements);
  return shape;
}

/** What a message's text asks of its parameters (throws on text that is not ICU MessageFormat). */
export function messageShape(text: string): MessageShape {
  return shapeOf(new IntlMessageFormat(text, "fr", undefined, { ignoreTag: true }).getAst());
}

/**
 * A message as a person reads it in documentation: each plural or select by its `other` form,
 * the count (`#`) and every parameter as `{name}`. "{count, plural, one {# jour} other {# jours}}"
 * reads "{count} jours".
 */
export function messageSketch(text: string): string {
  const write = (elements: readonly MessageElement[], counted?: string): string =>
    elements
      .map((element) => {
        if (element.type === LITERAL) return element.value;
        if (element.type === POUND) return counted ? `{${counted}}` : "#";
        if (element.type === PLURAL || element.type === SELECT) {
          const other = element.options.other ?? Object.values(element.options)[0];
          return other ? write(other.value, element.type === PLURAL ? element.value : counted) : "";
        }
        if (element.type === TAG) return write(element.children, counted);
        return `{${element.value}}`;
      })
      .join("");
  return write(new IntlMessageFormat(text, "fr", undefined, { ignoreTag: true }).getAst());
}

/**
 * Parameters that always hold a number of things, so that a message naming one must choose its
 * words with `{name, plural, …}` ("1 jour", "2 jours"): the catalogue test holds every message
 * to it, as it does for any parameter written `{name, number}`. Names that hold other numbers
 * stay out: `n` (an entry's rank, "n° 3"), `total` (an amount of money as often as a count),
 * `min` and `max` (bounds, "Au moins 3.") — a message counting things with those uses a plural
 * all the same ("Au plus {max, plural, one {# caractère} other {# caractères}}.").
 */
export const COUNT_ARGUMENTS: readonly string[] = [
  "count",
  "days",
  "minutes",
  "rows",
  "ballots",
  "eligible",
  "published",
  "drafts",
  "citizens",
  "municipalities",
  "countries",
];

// Compiled on first use, per language and key; emptied with the catalogues they come from.
let compiled: Record<Locale, Map<string, IntlMessageFormat | string>> | null = null;
const formattersByLocale = Object.fromEntries(LOCALES.map((locale) => [locale, sharedFormatters()])) as Record<Locale, MessageFormatters>;

function compiledMessage(locale: Locale, key: string): IntlMessageFormat | string | undefined {
  const texts = catalogues();
  compiled ??= { fr: new Map(), pt: new Map(), en: new Map() };
  const cache = compiled[locale];
  let message = cache.get(key);
  if (message === undefined) {
    const text = texts[locale].get(key);
    if (text === undefined) return undefined;
    try {
      message = compileMessage(text, locale, formattersByLocale[locale]);
    } catch {
      // Text that is not valid ICU is a defect the catalogue test catches; users see it as written.
      message = text;
    }
    cache.set(key, message);
  }
  return message;
}

/**
 * Returns the translator for one language. Every message is ICU MessageFormat: `{name}` puts a
 * parameter in; a counted text is `{count, plural, one {# jour} other {# jours}}`, whose forms
 * follow the language's rules (in French 0 and 1 take "one"; in Portuguese and English only 1).
 */
export function translator(locale: Locale): Translate {
  return (key, params) => {
    const message = compiledMessage(locale, key);
    if (message === undefined) {
      // A missing key is a defect caught by the catalogue test; users still see something readable.
      return key;
    }
    if (typeof message === "string") return message;
    try {
      return String(message.format(params));
    } catch {
      // A parameter the caller forgot shows as `{name}` rather than failing the page.
      const filled: Params = { ...params };
      for (const name of shapeOf(message.getAst()).arguments) if (!(name in filled)) filled[name] = `{${name}}`;
      return String(message.format(filled));
    }
  };
}

export interface Formatters {
  date(value: Date, timeZone: string): string;
  dateTime(value: Date, timeZone: string): string;
  number(value: number): string;
  /** Money is stored as integer minor units; XOF and GNF have none, so minor = major for them. */
  money(minorUnits: number, currency: string): string;
}

// Building an Intl formatter costs far more than using one, so each is built once per
// locale and option set. They hold no request data.
const intlCache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, build: () => T): T {
  let format = intlCache.get(key) as T | undefined;
  if (!format) {
    format = build();
    intlCache.set(key, format);
  }
  return format;
}

/**
 * French writes the first day of a month as an ordinal, "1er mars 2026", where Intl gives
 * "1 mars 2026"; the other days are cardinal. Portuguese and English dates stay as Intl writes them.
 */
function writeDate(format: Intl.DateTimeFormat, locale: Locale, value: Date): string {
  if (locale !== "fr") return format.format(value);
  return format
    .formatToParts(value)
    .map((part) => (part.type === "day" && part.value === "1" ? "1er" : part.value))
    .join("");
}

export function formatters(locale: Locale): Formatters {
  const tag = INTL_LOCALE[locale];
  return {
    date: (value, timeZone) => writeDate(cached(`d|${tag}|${timeZone}`, () => new Intl.DateTimeFormat(tag, { dateStyle: "long", timeZone })), locale, value),
    dateTime: (value, timeZone) =>
      writeDate(cached(`dt|${tag}|${timeZone}`, () => new Intl.DateTimeFormat(tag, { dateStyle: "long", timeStyle: "short", timeZone })), locale, value),
    number: (value) => cached(`n|${tag}`, () => new Intl.NumberFormat(tag)).format(value),
    money: (minorUnits, currency) => {
      const format = cached(`m|${tag}|${currency}`, () => new Intl.NumberFormat(tag, { style: "currency", currency }));
      const digits = format.resolvedOptions().maximumFractionDigits ?? 0;
      return format.format(minorUnits / 10 ** digits);
    },
  };
}
