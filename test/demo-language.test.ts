import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Db } from "../src/core/db/index.js";
import { MODULES } from "../src/modules/index.js";
import { createTestDb } from "./helpers.js";

/*
 * The demo is what a person trying the platform first reads: a municipality whose residents read
 * Portuguese must not show them French copies. Every public text of every demo municipality,
 * enumerated through the modules' manifests (`publicTexts`), must be written in the language its
 * content is in: the municipality's first language (the others are languages its interface is
 * also offered in).
 *
 * The language is told by stop words: the short words every sentence of a language is full of.
 * Each list keeps only words that are common in its language and absent from, or rare in, the two
 * others ("de", "a", "que", "as", "do", "no", "en"… belong to several, so they are left out).
 * A text's language is the one whose words it holds most of; a text with no such word, or as many
 * of two languages, is undecided and reported as such.
 */
const STOP_WORDS: Record<"fr" | "pt" | "en", ReadonlySet<string>> = {
  fr: new Set(["le", "la", "les", "des", "du", "et", "est", "une", "un", "pour", "par", "dans", "sur", "au", "aux", "avec", "qui", "ses", "son", "sont", "leur", "leurs", "chaque", "ce", "cette", "être", "nous", "vous", "ou", "mairie", "commune"]),
  pt: new Set(["o", "os", "da", "das", "dos", "e", "é", "um", "uma", "para", "pelo", "pela", "em", "na", "nas", "nos", "com", "seu", "sua", "seus", "suas", "são", "cada", "ao", "aos", "à", "ou", "não", "câmara", "município"]),
  en: new Set(["the", "of", "and", "is", "to", "for", "with", "by", "each", "its", "are", "this", "from", "be", "or", "not", "at", "which", "town", "hall"]),
};

/** The language a text is written in, by its stop words, or undefined when they do not tell. */
export function detectLanguage(text: string): "fr" | "pt" | "en" | undefined {
  // Elisions count as their word: "l'eau" is "le" and "eau", "d'état" is "de".
  const words = text
    .toLowerCase()
    .replace(/\b([ldjmnst]|qu)['’]/g, "$1e ")
    .split(/[^\p{L}]+/u)
    .filter(Boolean);
  const scores = (Object.keys(STOP_WORDS) as ("fr" | "pt" | "en")[]).map((language) => ({ language, score: words.filter((word) => STOP_WORDS[language].has(word)).length }));
  scores.sort((a, b) => b.score - a.score);
  const [best, second] = scores;
  return best && best.score > 0 && best.score > (second?.score ?? 0) ? best.language : undefined;
}

describe("the stop-word heuristic", () => {
  it("tells French, Portuguese and English apart on the kind of sentences the demo writes", () => {
    assert.equal(detectLanguage("Les écoles publiques de la commune : niveau, quartier, nombre de classes et d'élèves inscrits."), "fr");
    assert.equal(detectLanguage("As escolas públicas do município: nível, bairro, número de turmas e de alunos inscritos."), "pt");
    assert.equal(detectLanguage("The public schools of the town, with their level and the number of pupils for each."), "en");
    assert.equal(detectLanguage("Rufisque 2026"), undefined, "no stop word: undecided, never a guess");
  });
});

describe("demo data: each municipality's public texts are in its language", () => {
  let db: Db;
  let close: () => Promise<void>;
  let filesDir: string;
  before(async () => {
    filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-demo-language-"));
    ({ db, close } = await createTestDb(undefined, undefined, { content: "demo", filesDir }));
  });
  after(async () => {
    await close();
    fs.rmSync(filesDir, { recursive: true, force: true });
  });

  it("every module with demo data says what the public reads of it", () => {
    const silent = MODULES.filter((module) => module.seed && !module.publicTexts).map((module) => module.name);
    assert.deepEqual(silent, [], "a module seeding demo data declares publicTexts, so that this test reads its texts");
  });

  it("news, pages, datasets, processes, proposals, budgets, procedures… are in the municipality's first language", async () => {
    const municipalities = await db.query<{ id: string; slug: string; languages: string[] }>("SELECT id, slug, languages FROM municipalities ORDER BY slug");
    assert.equal(municipalities.length, 7);
    const wrong: string[] = [];
    let read = 0;
    for (const municipality of municipalities) {
      const expected = municipality.languages[0];
      for (const module of MODULES) {
        for (const text of (await module.publicTexts?.(db, municipality.id)) ?? []) {
          read += 1;
          const found = detectLanguage(text.text);
          if (found !== expected) wrong.push(`${municipality.slug} (${expected}) ${module.name} ${text.where}: ${found ?? "undecided"}`);
        }
      }
    }
    assert.ok(read > 100, `the demo's texts were read (${read})`);
    assert.deepEqual(wrong, []);
  });
});
