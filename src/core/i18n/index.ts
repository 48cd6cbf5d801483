import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

function interpolate(text: string, params: Params | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * Returns the translator for one language. A key with plural forms is stored as `key.one`,
 * `key.other` (and `key.many` where a language needs it) and chosen with params.count.
 */
const pluralRules = Object.fromEntries(LOCALES.map((locale) => [locale, new Intl.PluralRules(locale)])) as Record<Locale, Intl.PluralRules>;

export function translator(locale: Locale): Translate {
  const plurals = pluralRules[locale];
  return (key, params) => {
    const catalogue = catalogues()[locale];
    let text = catalogue.get(key);
    if (text === undefined && params && typeof params.count === "number") {
      text = catalogue.get(`${key}.${plurals.select(params.count)}`) ?? catalogue.get(`${key}.other`);
    }
    if (text === undefined) {
      // A missing key is a defect caught by the catalogue test; users still see something readable.
      return key;
    }
    return interpolate(text, params);
  };
}

/** The Intl tag of each locale: the regional forms people read (dates, numbers). */
export const INTL_LOCALE: Record<Locale, string> = { fr: "fr-FR", pt: "pt-PT", en: "en-GB" };

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

export function formatters(locale: Locale): Formatters {
  const tag = INTL_LOCALE[locale];
  return {
    date: (value, timeZone) => cached(`d|${tag}|${timeZone}`, () => new Intl.DateTimeFormat(tag, { dateStyle: "long", timeZone })).format(value),
    dateTime: (value, timeZone) =>
      cached(`dt|${tag}|${timeZone}`, () => new Intl.DateTimeFormat(tag, { dateStyle: "long", timeStyle: "short", timeZone })).format(value),
    number: (value) => cached(`n|${tag}`, () => new Intl.NumberFormat(tag)).format(value),
    money: (minorUnits, currency) => {
      const format = cached(`m|${tag}|${currency}`, () => new Intl.NumberFormat(tag, { style: "currency", currency }));
      const digits = format.resolvedOptions().maximumFractionDigits ?? 0;
      return format.format(minorUnits / 10 ** digits);
    },
  };
}
