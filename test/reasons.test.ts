import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ERRORS, type Reason } from "../src/core/http/errors.js";
import { renderErrorsDoc } from "../src/core/http/errors-doc.js";
import { LOCALES, loadCatalogues } from "../src/core/i18n/index.js";
import { reasonCatalogues } from "../src/core/reasons.js";
import { MODULES } from "../src/modules/index.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const catalogues = reasonCatalogues(MODULES);
const reasons = catalogues.flatMap((catalogue) => Object.entries(catalogue.reasons).map(([name, reason]) => ({ owner: catalogue.owner, name, reason })));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe("reason codes: every refusal of a rule is named, once, translated and documented", () => {
  it("finds every catalogue declared in a reasons.ts through the modules' manifests", async () => {
    const declared = sourceFiles(path.join(ROOT, "src")).filter((file) => path.basename(file) === "reasons.ts");
    assert.ok(declared.length >= 4, `only ${declared.length} reasons.ts found`);
    const enumerated = new Set(catalogues.map((catalogue) => catalogue.reasons));
    for (const file of declared) {
      const exported = Object.entries((await import(file)) as Record<string, unknown>).filter(([, value]) => value && typeof value === "object");
      assert.ok(exported.length > 0, `${path.relative(ROOT, file)} exports no catalogue`);
      for (const [name, value] of exported) assert.ok(enumerated.has(value as never), `${name} of ${path.relative(ROOT, file)} is on no module's manifest (AppModule.reasons)`);
    }
    assert.ok(reasons.length > 10, `only ${reasons.length} reasons: the enumeration is broken`);
  });

  it("gives each reason a stable SCREAMING_SNAKE code, unique across the platform and apart from the general codes", () => {
    const seen = new Map<string, string>();
    for (const { owner, name, reason } of reasons) {
      assert.equal(reason.code, name, `${owner}: the entry ${name} carries the code ${reason.code}`);
      assert.match(reason.code, /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/, `${owner}: ${reason.code}`);
      assert.ok(!(reason.code in ERRORS), `${owner}: ${reason.code} is also a general code`);
      assert.equal(seen.get(reason.code), undefined, `${reason.code} is declared by ${seen.get(reason.code)} and ${owner}`);
      seen.set(reason.code, owner);
      assert.ok(reason.remedy.trim().length > 0, `${reason.code} says nothing of what to do`);
    }
  });

  it("has every reason's message in French, Portuguese and English", () => {
    const messages = loadCatalogues();
    const has = (locale: (typeof LOCALES)[number], key: string) => messages[locale].has(key);
    const missing = reasons.flatMap(({ reason }) => LOCALES.filter((locale) => !has(locale, reason.messageKey)).map((locale) => `${locale}:${reason.messageKey} (${reason.code})`));
    assert.deepEqual(missing, []);
  });

  it("throws every declared reason somewhere: a code nobody can meet is not documented as one", () => {
    const source = sourceFiles(path.join(ROOT, "src"))
      .filter((file) => path.basename(file) !== "reasons.ts")
      .map((file) => fs.readFileSync(file, "utf8"))
      .join("\n");
    const unused = reasons.filter(({ reason }: { reason: Reason }) => !source.includes(`.${reason.code}`)).map(({ reason }) => reason.code);
    assert.deepEqual(unused, []);
  });

  it("documents every general code and every reason in docs/errors.md, as the code declares them", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs/errors.md"), "utf8");
    for (const code of [...Object.keys(ERRORS), ...reasons.map(({ reason }) => reason.code)]) assert.ok(doc.includes(`| \`${code}\` |`), `${code} is not in docs/errors.md`);
    assert.ok(doc === renderErrorsDoc(catalogues), "docs/errors.md is out of date: run `node --import tsx scripts/errors-doc.ts`");
  });
});
