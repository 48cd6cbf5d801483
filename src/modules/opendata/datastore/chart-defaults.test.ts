import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultChart, looksLikeCode } from "./chart-defaults.js";
import type { Field } from "./infer.js";

const field = (name: string, type: Field["type"]): Field => ({ name, title: name, type });

describe("a table's default chart", () => {
  it("never adds up codes, identifiers or years", () => {
    assert.equal(looksLikeCode(field("code_commune", "integer"), [1, 2]), true);
    assert.equal(looksLikeCode(field("annee", "integer"), [2024, 2025]), true);
    assert.equal(looksLikeCode(field("exercice", "integer"), [2023, 2024, 2025]), true, "values that are all years");
    assert.equal(looksLikeCode(field("rang", "integer"), [3, 1, 2, 4]), true, "a run 1, 2, 3…");
    assert.equal(looksLikeCode(field("eleves", "integer"), [120, 87, 301]), false);
  });

  it("takes the first measure against a date, else against a label", () => {
    const rows = [
      { chapitre: 70, libelle: "Recettes", annee: 2026, montant: 1200 },
      { chapitre: 71, libelle: "Impôts", annee: 2026, montant: 900 },
    ];
    const budget = [field("chapitre", "integer"), field("libelle", "string"), field("annee", "integer"), field("montant", "integer")];
    assert.deepEqual(defaultChart(budget, rows), { x: "libelle", y: "montant", kind: "bar" });
    assert.deepEqual(defaultChart([field("identifiant", "string"), field("quartier", "string"), field("jour", "date"), field("tonnes", "number")], []), { x: "jour", y: "tonnes", kind: "line" });
    assert.equal(defaultChart([field("nom", "string"), field("code", "integer")], [{ nom: "a", code: 1 }]), undefined, "nothing to add up");
  });
});
