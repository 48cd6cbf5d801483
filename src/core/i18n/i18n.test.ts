import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { MODULES } from "../../modules/index.js";
import { catalogueDirs, formatters, LOCALES, negotiateLocale, translator } from "./index.js";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PLURAL_SUFFIX = /\.(zero|one|two|few|many|other)$/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

/** Every folder under src/modules holding a catalogue, as found on disk. */
function catalogueFoldersOnDisk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (!entry.isDirectory() || entry.name === "node_modules") return [];
    const full = path.join(dir, entry.name);
    return [...(fs.existsSync(path.join(full, "fr.json")) ? [full] : []), ...catalogueFoldersOnDisk(full)];
  });
}

const declared = MODULES.flatMap((module) => (module.messages ?? []).map((url) => path.resolve(fileURLToPath(url))));
const catalogues = [path.resolve(SRC, "core/i18n/messages"), ...declared].map((dir) => ({
  dir: path.relative(SRC, dir),
  messages: Object.fromEntries(LOCALES.map((locale) => [locale, JSON.parse(fs.readFileSync(path.join(dir, `${locale}.json`), "utf8")) as Record<string, string>])),
}));
const allFrenchKeys = new Set(catalogues.flatMap((catalogue) => Object.keys(catalogue.messages.fr!)));
const source = sourceFiles(SRC)
  .map((file) => fs.readFileSync(file, "utf8"))
  .join("\n");

describe("message catalogues", () => {
  it("every catalogue folder a module holds is declared in its manifest, and the translator reads each", () => {
    const onDisk = catalogueFoldersOnDisk(path.join(SRC, "modules")).sort();
    assert.deepEqual([...declared].sort(), onDisk, "a module's messages/ folder is missing from its index.ts (or declared but absent)");
    assert.deepEqual(catalogueDirs(), [path.resolve(SRC, "core/i18n/messages"), ...declared]);
  });

  for (const catalogue of catalogues) {
    it(`${catalogue.dir}: French, Portuguese and English have the same keys, none empty, same placeholders`, () => {
      const french = catalogue.messages.fr!;
      for (const locale of LOCALES) {
        const messages = catalogue.messages[locale]!;
        assert.deepEqual(Object.keys(messages).sort(), Object.keys(french).sort(), `${locale} differs from fr in ${catalogue.dir}`);
        for (const [key, text] of Object.entries(messages)) {
          assert.ok(text.trim().length > 0, `${locale}:${key} is empty`);
          const placeholders = (value: string) => [...value.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
          assert.deepEqual(placeholders(text), placeholders(french[key]!), `${locale}:${key} placeholders differ from French`);
        }
      }
    });
  }

  it("every key is used somewhere in the code (plural forms through their base key)", () => {
    const unused = [...allFrenchKeys].filter((key) => {
      const base = key.replace(PLURAL_SUFFIX, "");
      return !source.includes(`"${key}"`) && !source.includes(`"${base}"`);
    });
    assert.deepEqual(unused, []);
  });

  it("every key the code asks for exists", () => {
    const asked = new Set<string>();
    const patterns = [/\bt\("([a-z_]+(?:\.[A-Za-z0-9_]+)+)"/g, /\b(?:labelKey|messageKey|key):\s*"([a-z_]+(?:\.[A-Za-z0-9_]+)+)"/g, /"((?:role|country|portal\.flash|portal\.status)\.[A-Za-z_]+)"/g];
    for (const pattern of patterns) for (const match of source.matchAll(pattern)) asked.add(match[1]!);
    const pluralBases = new Set([...allFrenchKeys].filter((key) => PLURAL_SUFFIX.test(key)).map((key) => key.replace(PLURAL_SUFFIX, "")));
    const missing = [...asked].filter((key) => !allFrenchKeys.has(key) && !pluralBases.has(key));
    assert.deepEqual(missing, []);
    assert.ok(asked.size > 100, `only ${asked.size} keys found: the scan is broken`);
  });

  it("plural forms follow the language's rules", () => {
    assert.equal(translator("fr")("form.error_summary", { count: 1 }), "Une erreur est à corriger :");
    assert.equal(translator("fr")("form.error_summary", { count: 3 }), "3 erreurs sont à corriger :");
    assert.equal(translator("en")("form.error_summary", { count: 2 }), "There are 2 problems to fix:");
  });
});

describe("language negotiation", () => {
  it("picks the best supported language and falls back to French", () => {
    assert.equal(negotiateLocale("pt-BR,pt;q=0.9,en;q=0.8"), "pt");
    assert.equal(negotiateLocale("wo-SN,en;q=0.7,fr;q=0.8"), "fr");
    assert.equal(negotiateLocale("ff, en-US;q=0.5"), "en");
    assert.equal(negotiateLocale("de-DE"), "fr");
    assert.equal(negotiateLocale(undefined), "fr");
    assert.equal(negotiateLocale("en;q=0, pt;q=0.1"), "pt");
  });
});

describe("formatting per locale", () => {
  it("writes CFA francs and Guinean francs with no decimals, as people read them", () => {
    assert.equal(formatters("fr").money(1_500_000, "XOF"), "1\u202f500\u202f000\u00a0F\u202fCFA");
    assert.equal(formatters("fr").money(1_500_000, "GNF"), "1\u202f500\u202f000\u00a0GNF");
    assert.equal(formatters("en").money(2500, "XOF"), "F\u202fCFA\u00a02,500");
  });

  it("shows times in the municipality's time zone", () => {
    const lateEvening = new Date("2026-03-01T23:30:00Z");
    assert.equal(formatters("fr").dateTime(lateEvening, "Africa/Conakry"), "1 mars 2026 à 23:30");
    assert.equal(formatters("pt").date(lateEvening, "Africa/Bissau"), "1 de março de 2026");
    assert.equal(formatters("en").number(1234567.5), "1,234,567.5");
  });
});
