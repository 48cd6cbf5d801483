import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answersToValues, readForm, type FileAnswer, type FormDefinition, type FormField, type ReadOptions, type SimpleField } from "./index.js";

function form(...fields: FormField[]): FormDefinition {
  return { sections: [{ id: "main", title: "Form", fields }] };
}

const read = (def: FormDefinition, body: Record<string, unknown>, options: ReadOptions = {}) => readForm(def, body, body, { country: "SN", today: "2026-03-01", ...options });
const errorsOf = (field: SimpleField, raw: unknown, options: ReadOptions = {}) => read(form(field), { [`f.${field.id}`]: raw }, options).errors;
const answerOf = (field: SimpleField, raw: unknown) => read(form(field), { [`f.${field.id}`]: raw }).answers[field.id];

const PDF = Buffer.from("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n");
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

const text: SimpleField = { id: "name", label: "Name", required: true, type: "text", maxLength: 10 };
const number: SimpleField = { id: "area", label: "Area", required: true, type: "number", min: 1, max: 10_000 };
const date: SimpleField = { id: "birth", label: "Birth", required: true, type: "date", when: "past" };
const choice: SimpleField = { id: "act", label: "Act", required: true, type: "choice", options: [{ value: "birth", label: "Birth" }, { value: "death", label: "Death" }] };
const multiple: SimpleField = { ...choice, id: "needs", multiple: true, maxChoices: 1, options: [...choice.options, { value: "other", label: "Other" }] };
const scale: SimpleField = { id: "mood", label: "Mood", required: true, type: "scale", min: 1, max: 5 };
const yesno: SimpleField = { id: "married", label: "Married", required: true, type: "yesno" };
const phone: SimpleField = { id: "tel", label: "Phone", required: true, type: "phone" };
const nationalId: SimpleField = { id: "nin", label: "NIN", required: true, type: "national_id" };
const address: SimpleField = { id: "home", label: "Home", required: true, type: "address" };
const file: SimpleField = { id: "plan", label: "Plan", required: true, type: "file", accept: ["pdf"], maxBytes: 1000 };

describe("reading every kind of field", () => {
  it("reads valid answers into typed values", () => {
    assert.equal(answerOf(text, "  Awa\u0000 Diop "), "Awa Diop");
    assert.equal(answerOf(number, "1 500,5"), 1500.5);
    assert.equal(answerOf(date, "25/12/1990"), "1990-12-25");
    assert.equal(answerOf(choice, "death"), "death");
    assert.deepEqual(answerOf({ ...multiple, maxChoices: 3 }, ["other", "birth"]), ["birth", "other"], "kept in the options' order");
    assert.equal(answerOf(scale, "4"), 4);
    assert.equal(answerOf(yesno, "no"), false);
    assert.equal(answerOf(phone, "77 123 45 67"), "+221771234567");
    assert.equal(answerOf(nationalId, "1 751 1990 01234"), "1751199001234");
    assert.deepEqual(read(form(address), { "f.home.quarter": "Médina", "f.home.town": "Dakar" }).answers.home, { line: "", quarter: "Médina", town: "Dakar" });
    const withFile = read(form(file), { "f.plan": { filename: "plan.pdf", data: PDF } });
    assert.deepEqual(withFile.answers.plan, { fileId: "", name: "plan.pdf", mediaType: "application/pdf", sizeBytes: PDF.length });
    assert.equal(withFile.files[0]?.answer, withFile.answers.plan, "the pending file points at its answer");
  });

  it("refuses wrong answers with core's message keys", () => {
    assert.deepEqual(errorsOf(text, "x".repeat(11)), { "f.name": { key: "form.too_long", params: { max: 10 } } });
    assert.deepEqual(errorsOf(number, "douze"), { "f.area": { key: "form.number.invalid" } });
    assert.deepEqual(errorsOf({ ...number, integer: true }, "1,5"), { "f.area": { key: "form.number.not_integer" } });
    assert.deepEqual(errorsOf(number, "0"), { "f.area": { key: "form.number.out_of_range", params: { min: 1, max: 10_000 } } });
    assert.deepEqual(errorsOf({ ...number, max: undefined }, "0"), { "f.area": { key: "form.number.too_small", params: { min: 1 } } });
    assert.deepEqual(errorsOf({ ...number, min: undefined }, "10001"), { "f.area": { key: "form.number.too_large", params: { max: 10_000 } } });
    assert.deepEqual(errorsOf(date, "2026-03-02"), { "f.birth": { key: "form.date.in_future" } });
    assert.deepEqual(errorsOf({ ...date, when: "future" }, "2026-02-28"), { "f.birth": { key: "form.date.in_past" } });
    assert.deepEqual(errorsOf(choice, "marriage"), { "f.act": { key: "form.choice.invalid" } });
    assert.deepEqual(errorsOf(multiple, ["birth", "marriage"]), { "f.needs": { key: "form.choice.invalid" } });
    assert.deepEqual(errorsOf(multiple, ["birth", "death"]), { "f.needs": { key: "form.choice.too_many", params: { count: 1 } } });
    assert.deepEqual(errorsOf(scale, "6"), { "f.mood": { key: "form.scale.invalid", params: { min: 1, max: 5 } } });
    assert.deepEqual(errorsOf(scale, "4.5"), { "f.mood": { key: "form.scale.invalid", params: { min: 1, max: 5 } } });
    assert.deepEqual(errorsOf(yesno, "maybe"), { "f.married": { key: "form.choice.invalid" } });
    assert.deepEqual(errorsOf(phone, "123"), { "f.tel": { key: "form.phone.invalid", params: { code: "221" } } });
    assert.deepEqual(errorsOf(phone, "123", { country: "XX" }), { "f.tel": { key: "form.phone.invalid_any" } });
    assert.deepEqual(errorsOf(nationalId, "12"), { "f.nin": { key: "form.national_id.invalid", params: { example: "1 751 1990 01234" } } });
    assert.deepEqual(read(form(address), { "f.home.line": "Rue 10" }).errors, { "f.home.quarter": { key: "form.required" }, "f.home.town": { key: "form.required" } });
    assert.deepEqual(read(form(file), { "f.plan": { filename: "plan.pdf", data: PNG } }).errors, { "f.plan": { key: "form.file.type", params: { types: "PDF" } } });
    assert.deepEqual(read(form(file), { "f.plan": { filename: "plan.pdf", data: Buffer.concat([PDF, Buffer.alloc(1000)]) } }).errors, { "f.plan": { key: "form.file.too_large" } });
  });

  it("requires every required kind when left empty, and nothing in a draft", () => {
    const all = [text, number, date, choice, multiple, scale, yesno, phone, nationalId, file];
    const empty = read(form(...all, address), {});
    assert.deepEqual(Object.keys(empty.errors).sort(), [...all.map((field) => `f.${field.id}`), "f.home.quarter"].sort());
    assert.ok(Object.values(empty.errors).every((error) => error.key === "form.required"));
    assert.deepEqual(read(form(...all, address), {}, { draft: true }).errors, {});
    assert.deepEqual(read(form(...all.map((field) => ({ ...field, required: false }))), {}).errors, {});
  });

  it("reads numbers as people write them here, and nothing else", () => {
    for (const [raw, value] of [["12", 12], ["12,5", 12.5], ["-3.25", -3.25], ["1 500", 1500], ["1\u202f500\u00a0000", 1_500_000]] as const) {
      assert.equal(answerOf({ ...number, min: undefined, max: undefined }, raw), value, raw);
    }
    for (const raw of ["1,2,3", "1e3", "12abc", "0x10", "Infinity", ",5"]) assert.deepEqual(errorsOf(number, raw), { "f.area": { key: "form.number.invalid" } }, raw);
  });

  it("refuses dates that do not exist and echoes a typed date as a date input shows it", () => {
    for (const raw of ["2026-02-30", "30/02/2026", "31/04/2025", "2025-13-01", "00/01/2020", "hier"]) {
      assert.deepEqual(errorsOf({ ...date, when: undefined }, raw), { "f.birth": { key: "form.date.invalid" } }, raw);
    }
    assert.equal(answerOf({ ...date, when: undefined }, "29/02/2024"), "2024-02-29");
    assert.equal(read(form(date), { "f.birth": "25/12/1990" }).values["f.birth"], "1990-12-25");
    assert.equal(read(form(date), { "f.birth": "2026-02-30" }).values["f.birth"], "2026-02-30", "what cannot be read comes back as typed");
  });

  it("keeps only a file the saved answers hold", () => {
    const saved: FileAnswer = { fileId: "11111111-1111-4111-8111-111111111111", name: "plan.pdf", mediaType: "application/pdf", sizeBytes: 10 };
    const kept = read(form(file), { "f.plan.keep": saved.fileId }, { previous: { plan: saved } });
    assert.deepEqual(kept.answers.plan, saved);
    assert.deepEqual(read(form(file), { "f.plan.keep": saved.fileId }).errors, { "f.plan": { key: "form.required" } });
  });

  it("uses the prefix it is given for every name", () => {
    const result = readForm(form(text), { "q.name": "Awa", "f.name": "Other" }, {}, { prefix: "q." });
    assert.deepEqual(result.answers, { name: "Awa" });
    assert.deepEqual(answersToValues(form(text), result.answers, "q."), { "q.name": "Awa" });
  });
});

describe("conditions", () => {
  const def = form(yesno, { ...text, id: "spouse", showIf: { field: "married", equals: "yes" } }, { ...text, id: "witness", showIf: { field: "spouse", equals: "Awa" } });

  it("requires a conditional field only when its condition holds", () => {
    assert.deepEqual(read(def, { "f.married": "yes" }).errors, { "f.spouse": { key: "form.required" } });
    assert.deepEqual(read(def, { "f.married": "no" }).errors, {});
  });

  it("drops a hidden field's answer but echoes what was typed", () => {
    const result = read(def, { "f.married": "no", "f.spouse": "Awa", "f.witness": "Fatou" });
    assert.deepEqual(result.answers, { married: false });
    assert.equal(result.values["f.spouse"], "Awa");
  });

  it("hides a field whose condition names a hidden field", () => {
    const result = read(def, { "f.married": "no", "f.spouse": "Awa", "f.witness": "" });
    assert.deepEqual(result.errors, {}, "the witness depends on a hidden spouse");
    assert.deepEqual(read(def, { "f.married": "yes", "f.spouse": "Awa" }).errors, { "f.witness": { key: "form.required" } });
  });

  it("tests a multiple choice by any option ticked", () => {
    const needs = form({ ...multiple, maxChoices: undefined }, { ...text, id: "other", showIf: { field: "needs", equals: "other" } });
    assert.deepEqual(read(needs, { "f.needs": ["birth", "other"] }).errors, { "f.other": { key: "form.required" } });
    assert.deepEqual(read(needs, { "f.needs": "birth" }).errors, {});
  });
});

describe("repeated blocks", () => {
  const owners: FormField = {
    id: "owners",
    label: "Owners",
    required: true,
    type: "repeat",
    min: 2,
    max: 3,
    fields: [{ ...text, id: "name" }, { ...yesno, id: "minor" }, { ...text, id: "guardian", showIf: { field: "minor", equals: "yes" } }],
  };

  it("reads entries in order, skipping blank ones, with conditions inside an entry", () => {
    const result = read(form(owners), { "f.owners.0.name": "Awa", "f.owners.0.minor": "no", "f.owners.1.name": "", "f.owners.2.name": "Moussa", "f.owners.2.minor": "yes" });
    assert.deepEqual(result.answers.owners, [{ name: "Awa", minor: false }, { name: "Moussa", minor: true }]);
    assert.deepEqual(result.errors, { "f.owners.2.guardian": { key: "form.required" } });
  });

  it("counts entries against the block's bounds", () => {
    assert.deepEqual(read(form(owners), { "f.owners.0.name": "Awa", "f.owners.0.minor": "no" }).errors, { "f.owners": { key: "form.repeat.too_few", params: { count: 2 } } });
    const many = Object.fromEntries([0, 1, 2, 3].flatMap((i) => [[`f.owners.${i}.name`, `N${i}`], [`f.owners.${i}.minor`, "no"]]));
    const result = read(form(owners), many);
    assert.deepEqual(result.errors, { "f.owners": { key: "form.repeat.too_many", params: { count: 3 } } });
    assert.equal((result.answers.owners as unknown[]).length, 3);
  });

  it("fills entries back from saved answers", () => {
    assert.deepEqual(answersToValues(form(owners), { owners: [{ name: "Awa", minor: true, guardian: "Binta" }] }), {
      "f.owners.0.name": "Awa",
      "f.owners.0.minor": "yes",
      "f.owners.0.guardian": "Binta",
    });
  });
});
