import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { MODULES } from "../../modules/index.js";
import { catalogueDirs, compileMessage, COUNT_ARGUMENTS, formatters, LOCALES, messageShape, messageSketch, negotiateLocale, translator } from "./index.js";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The old way of storing plural forms, one key per form; scripts/convert-plurals.mjs turns them into ICU. */
const OLD_PLURAL_FORM = /^(.+)\.(zero|one|two|few|many)$/;
/**
 * Messages whose count the browser fills in (src/client/offline.js replaces `{count}` in a
 * data attribute), so no plural form can be chosen on the server: each is written so that no word
 * agrees with the figure ("Formulaires en attente… : 3.").
 */
const FILLED_BY_THE_BROWSER = new Set(["offline.sent", "offline.refused_banner", "offline.outbox_waiting"]);
const NNBSP = "\u202f";

/** The counts a message shows without choosing its words for them ("{days} jours"). */
function uncounted(text: string): string[] {
  const shape = messageShape(text);
  return [...shape.arguments].filter((name) => (COUNT_ARGUMENTS.includes(name) || shape.numbers.has(name)) && !shape.plural.has(name));
}

/**
 * Whether French text breaks its typography: an ordinary or a wide no-break space before : ; ? !,
 * or none where the sign ends a phrase (a sign inside a word is not punctuation: https://, 10:30,
 * HH:MM), or « » without a narrow no-break space inside.
 */
function badFrenchSpacing(text: string): boolean {
  return /[ \u00a0][:;?!]/.test(text) || /[^\s\u202f][:;?!](?=\s|$|[}»)])/.test(text) || /«(?!\u202f)|(?<!\u202f)»/.test(text);
}

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
    it(`${catalogue.dir}: French, Portuguese and English have the same keys, none empty, each valid ICU with the same arguments`, () => {
      const french = catalogue.messages.fr!;
      for (const locale of LOCALES) {
        const messages = catalogue.messages[locale]!;
        assert.deepEqual(Object.keys(messages).sort(), Object.keys(french).sort(), `${locale} differs from fr in ${catalogue.dir}`);
        for (const [key, text] of Object.entries(messages)) {
          assert.ok(text.trim().length > 0, `${locale}:${key} is empty`);
          assert.doesNotThrow(() => compileMessage(text, locale), `${locale}:${key} is not valid ICU MessageFormat: ${text}`);
          const names = (value: string) => [...messageShape(value).arguments].sort();
          assert.deepEqual(names(text), names(french[key]!), `${locale}:${key} arguments differ from French`);
        }
      }
    });

    it(`${catalogue.dir}: every count chooses its words with a plural form, in every language`, () => {
      for (const locale of LOCALES) {
        for (const [key, text] of Object.entries(catalogue.messages[locale]!)) {
          if (FILLED_BY_THE_BROWSER.has(key)) continue;
          assert.deepEqual(uncounted(text), [], `${locale}:${key} shows a count without {name, plural, …}: ${text}`);
        }
      }
    });

    it(`${catalogue.dir}: French puts a narrow no-break space before : ; ? ! and inside « »`, () => {
      const faults = Object.entries(catalogue.messages.fr!).filter(([, text]) => badFrenchSpacing(text));
      assert.deepEqual(faults, []);
    });
  }

  it("the checks above refuse what they are meant to", () => {
    assert.deepEqual(uncounted("Délai légal : {days} jours"), ["days"]);
    assert.deepEqual(uncounted("{count} brouillons"), ["count"]);
    assert.deepEqual(uncounted("Total : {amount, number}"), ["amount"]);
    assert.deepEqual(uncounted("{days, plural, one {# jour} other {# jours}} pour {who}"), []);
    assert.equal(badFrenchSpacing("État : Ouverte"), true, "ordinary space");
    assert.equal(badFrenchSpacing("État\u00a0: Ouverte"), true, "wide no-break space");
    assert.equal(badFrenchSpacing("État: Ouverte"), true, "no space");
    assert.equal(badFrenchSpacing("Vraiment ?"), true);
    assert.equal(badFrenchSpacing("« nom »"), true);
    assert.equal(badFrenchSpacing(`État${NNBSP}: Ouverte${NNBSP}! Le «${NNBSP}nom${NNBSP}» à 10:30, sur https://example.org?x=1 (HH:MM)`), false);
  });

  it("no message keeps the old plural forms (key.one, key.other): run scripts/convert-plurals.mjs", () => {
    const old = [...allFrenchKeys].filter((key) => OLD_PLURAL_FORM.test(key) && allFrenchKeys.has(`${OLD_PLURAL_FORM.exec(key)![1]}.other`));
    assert.deepEqual(old, []);
  });

  it("every key is used somewhere in the code", () => {
    const unused = [...allFrenchKeys].filter((key) => !source.includes(`"${key}"`));
    assert.deepEqual(unused, []);
  });

  it("every key the code asks for exists", () => {
    const asked = new Set<string>();
    const patterns = [/\bt\("([a-z_]+(?:\.[A-Za-z0-9_]+)+)"/g, /\b(?:labelKey|messageKey|key):\s*"([a-z_]+(?:\.[A-Za-z0-9_]+)+)"/g, /"((?:role|country|portal\.flash|portal\.status)\.[A-Za-z_]+)"/g];
    for (const pattern of patterns) for (const match of source.matchAll(pattern)) asked.add(match[1]!);
    const missing = [...asked].filter((key) => !allFrenchKeys.has(key));
    assert.deepEqual(missing, []);
    assert.ok(asked.size > 100, `only ${asked.size} keys found: the scan is broken`);
  });

  it("plural forms follow the language's rules: French counts 0 and 1 as one, Portuguese and English only 1", () => {
    const [fr, pt, en] = LOCALES.map((locale) => translator(locale));
    const days = (t: typeof fr, count: number) => t!("eservices.stats.days", { count });
    assert.equal(days(fr, 1), "1 jour");
    assert.equal(days(fr, 2), "2 jours");
    assert.equal(days(fr, 0), "0 jour");
    assert.equal(days(pt, 1), "1 dia");
    assert.equal(days(pt, 2), "2 dias");
    assert.equal(days(pt, 0), "0 dias");
    assert.equal(days(en, 1), "1 day");
    assert.equal(days(en, 2), "2 days");
    assert.equal(fr!("eservices.procedure.summary", { days: 1, fee: "Gratuit" }), `Délai légal${NNBSP}: 1 jour · Gratuit`);
    assert.equal(en!("eservices.procedure.summary", { days: 1, fee: "Free" }), "Legal time limit: 1 day · Free");
    assert.equal(pt!("eservices.procedure.summary", { days: 30, fee: "Grátis" }), "Prazo legal: 30 dias · Grátis");
    assert.equal(fr!("portal.admin.counts", { published: 1, drafts: 0, citizens: 12 }), "1 actualité publiée, 0 brouillon, 12 habitants inscrits.");
    assert.equal(en!("portal.admin.counts", { published: 2, drafts: 1, citizens: 0 }), "2 news items published, 1 draft, 0 registered residents.");
    assert.equal(fr!("form.error_summary", { count: 1 }), `Une erreur est à corriger${NNBSP}:`);
    assert.equal(fr!("form.error_summary", { count: 3 }), `3 erreurs sont à corriger${NNBSP}:`);
    assert.equal(en!("form.error_summary", { count: 2 }), "There are 2 problems to fix:");
    // The count is written the language's way, as every other number on the page.
    assert.equal(fr!("participation.proposal.supports", { count: 1200 }), "1\u202f200 soutiens");
    assert.equal(en!("participation.proposal.supports", { count: 1200 }), "1,200 supporters");
  });

  it("apostrophes, braces and # in texts read as written", () => {
    assert.equal(translator("fr")("error.back_home"), "Retour à l'accueil");
    assert.equal(translator("fr")("form.repeat.hint", { max: 4 }), "Jusqu'à 4 entrées. Pour en retirer une, videz tous ses champs.");
    assert.equal(translator("fr")("form.repeat.hint", { max: 1 }), "Une seule entrée. Pour en retirer une, videz tous ses champs.");
    // Only an apostrophe before ICU syntax quotes; a doubled one is one apostrophe.
    assert.equal(compileMessage("l'État d'un pays n'a pas # de règle", "fr"), "l'État d'un pays n'a pas # de règle");
    assert.equal(String((compileMessage("Remplacez '{nom}' par la réponse de {who}", "fr") as Exclude<ReturnType<typeof compileMessage>, string>).format({ who: "Awa" })), "Remplacez {nom} par la réponse de Awa");
    assert.equal(compileMessage("C''est dit", "en"), "C'est dit");
    // And every catalogue text without an argument comes out exactly as written.
    for (const catalogue of catalogues) {
      for (const locale of LOCALES) {
        const t = translator(locale);
        for (const [key, text] of Object.entries(catalogue.messages[locale]!)) if (!/[{}]/.test(text)) assert.equal(t(key), text, `${locale}:${key}`);
      }
    }
  });

  it("documentation reads a counted message by its other form (docs/errors.md)", () => {
    assert.equal(messageSketch("{count, plural, one {# jour} other {# jours}} pour {who}"), "{count} jours pour {who}");
    assert.equal(messageSketch("Choose {count, plural, =0 {none} other {#}}"), "Choose {count}");
  });

  it("a parameter the caller forgot shows as its name, and the page still renders", () => {
    assert.equal(translator("en")("nav.page"), "Page {page}");
    // A forgotten count has no form to choose: the text falls back to its "other" form.
    assert.match(translator("fr")("eservices.stats.days"), / jours$/);
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

  it("writes the first of the month 1er in French, and every other day as a number", () => {
    assert.equal(formatters("fr").date(new Date("2026-03-01T12:00:00Z"), "Africa/Dakar"), "1er mars 2026");
    assert.equal(formatters("fr").date(new Date("2026-03-02T12:00:00Z"), "Africa/Dakar"), "2 mars 2026");
    assert.equal(formatters("fr").date(new Date("2026-03-11T12:00:00Z"), "Africa/Dakar"), "11 mars 2026");
    assert.equal(formatters("fr").date(new Date("2026-03-21T12:00:00Z"), "Africa/Dakar"), "21 mars 2026");
    assert.equal(formatters("fr").dateTime(new Date("2026-01-01T08:05:00Z"), "Africa/Dakar"), "1er janvier 2026 à 08:05");
    assert.equal(formatters("en").date(new Date("2026-03-01T12:00:00Z"), "Africa/Dakar"), "1 March 2026");
    assert.equal(formatters("pt").date(new Date("2026-03-01T12:00:00Z"), "Africa/Bissau"), "1 de março de 2026");
  });

  it("shows times in the municipality's time zone", () => {
    const lateEvening = new Date("2026-03-01T23:30:00Z");
    assert.equal(formatters("fr").dateTime(lateEvening, "Africa/Conakry"), "1er mars 2026 à 23:30");
    assert.equal(formatters("pt").date(lateEvening, "Africa/Bissau"), "1 de março de 2026");
    assert.equal(formatters("en").number(1234567.5), "1,234,567.5");
  });
});
