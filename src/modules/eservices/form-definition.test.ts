import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Value } from "@sinclair/typebox/value";
import { parseLocalDate, parseLocalNumber } from "../../core/http/forms.js";
import { anonymousFrenchView } from "../../../test/view-context.js";
import { formatters, translator } from "../../core/i18n/index.js";
import {
  answersToValues,
  checkDefinition,
  type Answers,
  definitionProblems,
  fieldDocumentLabel,
  FormDefinitionSchema,
  inputBudget,
  MAX_DOCUMENT_LABEL_LENGTH,
  NATIONAL_ID_FORMATS,
  parseDefinition,
  readAnswers,
  summariseAnswers,
  type FieldDef,
  type FileAnswer,
  type FormDefinition,
  type ReadOptions,
  type RepeatEntry,
  type SimpleFieldDef,
} from "./form-definition.js";
import { DossierFields } from "./views/form-fields.js";

const ctx = { country: "SN", today: "2026-03-01" };

function form(...fields: FieldDef[]): FormDefinition {
  return { sections: [{ id: "main", title: "Demande", fields }] };
}

function read(def: FormDefinition, body: Record<string, unknown>, options: ReadOptions = {}, country = "SN") {
  return readAnswers(def, body, body, { ...ctx, country }, options);
}

const PDF = Buffer.from("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n");
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const upload = (filename: string, data: Buffer) => ({ filename, data });

const text = (id: string, extra: Partial<Extract<FieldDef, { type: "text" }>> = {}): SimpleFieldDef => ({ id, label: id, required: true, type: "text", maxLength: 100, ...extra });

describe("definition checks", () => {
  const valid: FormDefinition = {
    sections: [
      {
        id: "applicant",
        title: "Demandeur",
        fields: [
          { id: "name", label: "Nom", required: true, type: "text", maxLength: 120 },
          { id: "married", label: "Marié(e) ?", required: true, type: "yesno" },
          { id: "spouse", label: "Conjoint", required: true, type: "text", maxLength: 120, showIf: { field: "married", equals: "yes" } },
          { id: "kind", label: "Type", required: true, type: "choice", options: [{ value: "a", label: "A" }, { value: "b", label: "B" }] },
        ],
      },
      {
        id: "owners",
        title: "Copropriétaires",
        fields: [
          {
            id: "co_owners",
            label: "Copropriétaire",
            required: false,
            type: "repeat",
            min: 0,
            max: 5,
            fields: [
              { id: "name", label: "Nom", required: true, type: "text", maxLength: 120 },
              { id: "minor", label: "Mineur ?", required: true, type: "yesno" },
              { id: "guardian", label: "Tuteur", required: true, type: "text", maxLength: 120, showIf: { field: "minor", equals: "yes" } },
              { id: "detail", label: "Détail", required: false, type: "text", maxLength: 50, showIf: { field: "kind", equals: "b" } },
            ],
          },
        ],
      },
    ],
  };

  it("accepts a sound definition, which also passes the schema after a JSON round trip", () => {
    assert.deepEqual(checkDefinition(valid), []);
    const stored = JSON.parse(JSON.stringify(valid)) as unknown;
    assert.ok(Value.Check(FormDefinitionSchema, stored));
    assert.deepEqual(parseDefinition(stored), { def: stored, problems: [] });
  });

  it("keeps a field's document label to a short name, and names the answer by it on documents", () => {
    const labelled = form(text("depuis", { label: "Vous habitez à cette adresse depuis le", documentLabel: "Résidant depuis le" }), text("nom"));
    assert.deepEqual(parseDefinition(labelled).problems, []);
    assert.equal(fieldDocumentLabel(labelled, "depuis"), "Résidant depuis le");
    // Without one, the question stands in; an unknown id reads as itself.
    assert.equal(fieldDocumentLabel(labelled, "nom"), "nom");
    assert.equal(fieldDocumentLabel(labelled, "absent"), "absent");
    for (const documentLabel of ["", "R".repeat(MAX_DOCUMENT_LABEL_LENGTH + 1)]) {
      assert.deepEqual(parseDefinition(form(text("depuis", { documentLabel }))).problems, ["eservices.form.def.malformed"], JSON.stringify(documentLabel));
    }
    assert.deepEqual(parseDefinition(form(text("depuis", { documentLabel: "R".repeat(MAX_DOCUMENT_LABEL_LENGTH) }))).problems, []);
  });

  it("refuses a malformed definition before looking at its structure", () => {
    assert.deepEqual(parseDefinition({ sections: [{ id: "x", title: "X", fields: [{ id: "a", label: "A", required: true, type: "colour" }] }] }).problems, [
      "eservices.form.def.malformed",
    ]);
    assert.deepEqual(parseDefinition({ sections: [], extra: 1 }).problems, ["eservices.form.def.malformed"]);
    assert.deepEqual(parseDefinition({ sections: [{ id: "Bad-Id", title: "X", fields: [] }] }).problems, ["eservices.form.def.malformed"]);
    assert.deepEqual(parseDefinition("{}").problems, ["eservices.form.def.malformed"]);
    // A structural problem is reported by key, without the definition.
    assert.deepEqual(parseDefinition({ sections: [] }), { problems: ["eservices.form.def.empty"] });
  });

  it("names each structural problem", () => {
    assert.deepEqual(checkDefinition({ sections: [] }), ["eservices.form.def.empty"]);
    assert.deepEqual(checkDefinition(form(text("a"), text("a"))), ["eservices.form.def.duplicate_id"]);
    assert.deepEqual(
      checkDefinition({
        sections: [
          { id: "s", title: "S", fields: [text("a")] },
          { id: "s", title: "T", fields: [text("b")] },
        ],
      }),
      ["eservices.form.def.duplicate_id"],
    );
    assert.deepEqual(checkDefinition(form(text("a", { showIf: { field: "nope", equals: "x" } }))), ["eservices.form.def.show_if_unknown"]);
    assert.deepEqual(checkDefinition(form(text("a", { showIf: { field: "b", equals: "x" } }), text("b"))), ["eservices.form.def.show_if_later"]);
    assert.deepEqual(checkDefinition(form(text("a", { showIf: { field: "a", equals: "x" } }))), ["eservices.form.def.show_if_later"]);
    assert.deepEqual(
      checkDefinition(form({ id: "home", label: "Adresse", required: true, type: "address" }, text("a", { showIf: { field: "home", equals: "x" } }))),
      ["eservices.form.def.show_if_target"],
    );
    assert.deepEqual(
      checkDefinition(form({ id: "q", label: "Q", required: true, type: "yesno" }, text("a", { showIf: { field: "q", equals: "oui" } }))),
      ["eservices.form.def.show_if_value"],
    );
    assert.deepEqual(checkDefinition(form({ id: "c", label: "C", required: true, type: "choice", options: [] })), ["eservices.form.def.choice_no_options"]);
    assert.deepEqual(
      checkDefinition(form({ id: "c", label: "C", required: true, type: "choice", options: [{ value: "a", label: "A" }, { value: "a", label: "B" }] })),
      ["eservices.form.def.choice_duplicate_option"],
    );
    assert.deepEqual(checkDefinition(form({ id: "r", label: "R", required: true, type: "repeat", min: 3, max: 2, fields: [text("a")] })), [
      "eservices.form.def.min_above_max",
    ]);
    assert.deepEqual(checkDefinition(form({ id: "n", label: "N", required: true, type: "number", min: 10, max: 1 })), ["eservices.form.def.min_above_max"]);
    assert.deepEqual(checkDefinition(form({ id: "r", label: "R", required: true, type: "repeat", min: 0, max: 2, fields: [] })), ["eservices.form.def.repeat_empty"]);
    assert.deepEqual(checkDefinition(form({ id: "f", label: "F", required: true, type: "file", accept: [], maxBytes: 1000 })), ["eservices.form.def.file_no_type"]);
    const nested = { id: "r", label: "R", required: true, type: "repeat", min: 0, max: 2, fields: [{ id: "inner", label: "I", required: true, type: "repeat", min: 0, max: 2, fields: [text("a")] }] };
    assert.deepEqual(checkDefinition(form(nested as unknown as FieldDef)), ["eservices.form.def.nested_repeat"]);
    assert.deepEqual(checkDefinition(form(text("Bad"))), ["eservices.form.def.invalid_id"]);
  });

  it("points at the field concerned, inside repeated blocks too", () => {
    const def = form(
      text("a"),
      { id: "r", label: "R", required: false, type: "repeat", min: 0, max: 3, fields: [text("x", { showIf: { field: "y", equals: "1" } }), text("y"), text("y")] },
    );
    assert.deepEqual(definitionProblems(def), [
      { key: "eservices.form.def.show_if_later", id: "x" },
      { key: "eservices.form.def.duplicate_id", id: "y" },
    ]);
  });

  it("keeps a form with files within what one multipart request may carry", () => {
    const file = (id: string): FieldDef => ({ id, label: id, required: true, type: "file", accept: ["pdf"], maxBytes: 1_000_000 });
    const oneFile = { inputs: 45, files: 1 };
    assert.deepEqual(checkDefinition(form(file("a")), oneFile), []);
    assert.deepEqual(checkDefinition(form(file("a"), file("b")), oneFile), ["eservices.form.def.too_many_files"]);
    assert.deepEqual(checkDefinition(form(file("a"), file("b")), { inputs: 45, files: 2 }), []);
    // The server takes ten files in one request (a building permit's plans and deeds), not eleven.
    const files = (count: number) => form(...Array.from({ length: count }, (_, index) => file(`f${index}`)));
    assert.deepEqual(checkDefinition(files(10)), []);
    assert.deepEqual(checkDefinition(files(11)), ["eservices.form.def.too_many_files"]);
    const wide = form(file("doc"), { id: "r", label: "R", required: false, type: "repeat", min: 0, max: 20, fields: [text("a"), text("b"), text("c")] });
    assert.deepEqual(inputBudget(wide), { inputs: 61, files: 1 });
    assert.deepEqual(checkDefinition(wide, oneFile), ["eservices.form.def.too_many_inputs"]);
    // Without a file the form is urlencoded, with no such limit.
    assert.deepEqual(checkDefinition(form({ id: "r", label: "R", required: false, type: "repeat", min: 0, max: 20, fields: [text("a"), text("b"), text("c")] })), []);
  });
});

describe("reading answers: each field type", () => {
  it("keeps text as plain text, hostile or not, and refuses what is too long", () => {
    const def = form(text("name", { maxLength: 50 }), text("story", { maxLength: 2000, multiline: true, required: false }));
    const hostile = `<script>alert("x")</script>`;
    let result = read(def, { "f.name": `  ${hostile}  `, "f.story": "Line one\r\n\r\nLine two\u0000" });
    assert.deepEqual(result.errors, {});
    assert.equal(result.answers.name, hostile);
    assert.equal(result.answers.story, "Line one\n\nLine two");

    result = read(def, { "f.name": "a\nb", "f.story": "x".repeat(1_000_000) });
    assert.equal(result.answers.name, "a b");
    assert.deepEqual(result.errors, { "f.story": { key: "form.too_long", params: { max: 2000 } } });
    assert.equal(result.answers.story, undefined);
    assert.ok((result.values["f.story"] as string).length <= 2001, "a huge value is not echoed back whole");

    // Decomposed accents (some phone keyboards) are stored composed.
    assert.equal(read(def, { "f.name": "Jose\u0301" }).answers.name, "José");
    // A file or an object sent under a text name counts as nothing.
    assert.deepEqual(read(def, { "f.name": upload("x.pdf", PDF) }).errors, { "f.name": { key: "form.required" } });
    assert.equal(read(def, { "f.name": ["first", "second"] }).answers.name, "first");
  });

  it("parses numbers with a comma or a point, and checks their range", () => {
    assert.equal(parseLocalNumber("12,5"), 12.5);
    assert.equal(parseLocalNumber("12.5"), 12.5);
    assert.equal(parseLocalNumber("1 500 000"), 1_500_000);
    assert.equal(parseLocalNumber("-3"), -3);
    assert.equal(parseLocalNumber("1.234,5"), undefined);
    assert.equal(parseLocalNumber("12abc"), undefined);
    assert.equal(parseLocalNumber("1e5"), undefined);

    const def = form(
      { id: "area", label: "Surface", required: true, type: "number", min: 1, max: 10_000 },
      { id: "rooms", label: "Pièces", required: false, type: "number", integer: true, min: 1 },
      { id: "floors", label: "Étages", required: false, type: "number", max: 5 },
    );
    const ok = read(def, { "f.area": "250,75", "f.rooms": "4", "f.floors": "" });
    assert.deepEqual(ok.errors, {});
    assert.deepEqual(ok.answers, { area: 250.75, rooms: 4 });

    const bad = read(def, { "f.area": "beaucoup", "f.rooms": "2.5", "f.floors": "9" });
    assert.deepEqual(bad.errors, {
      "f.area": { key: "form.number.invalid" },
      "f.rooms": { key: "form.number.not_integer" },
      "f.floors": { key: "form.number.too_large", params: { max: 5 } },
    });
    assert.deepEqual(read(def, { "f.area": "0", "f.rooms": "0" }).errors, {
      "f.area": { key: "form.number.out_of_range", params: { min: 1, max: 10_000 } },
      "f.rooms": { key: "form.number.too_small", params: { min: 1 } },
    });
  });

  it("reads dates typed either way and checks past or future", () => {
    assert.equal(parseLocalDate("1990-12-25"), "1990-12-25");
    assert.equal(parseLocalDate("25/12/1990"), "1990-12-25");
    assert.equal(parseLocalDate("5.1.2001"), "2001-01-05");
    assert.equal(parseLocalDate("31/02/2020"), undefined);
    assert.equal(parseLocalDate("29/02/2024"), "2024-02-29");
    assert.equal(parseLocalDate("12/25/1990"), undefined);
    assert.equal(parseLocalDate("1990-12-25T00:00"), undefined);

    const def = form(
      { id: "birth", label: "Naissance", required: true, type: "date", when: "past" },
      { id: "wedding", label: "Mariage", required: false, type: "date", when: "future" },
    );
    assert.deepEqual(read(def, { "f.birth": "01/03/2026", "f.wedding": "2026-03-01" }).answers, { birth: "2026-03-01", wedding: "2026-03-01" });
    assert.deepEqual(read(def, { "f.birth": "2026-03-02", "f.wedding": "28/02/2026" }).errors, {
      "f.birth": { key: "form.date.in_future" },
      "f.wedding": { key: "form.date.in_past" },
    });
    assert.deepEqual(read(def, { "f.birth": "hier" }).errors, { "f.birth": { key: "form.date.invalid" } });
  });

  it("accepts only offered choices, one or several", () => {
    const def = form(
      { id: "act", label: "Acte", required: true, type: "choice", options: [{ value: "birth", label: "Naissance" }, { value: "death", label: "Décès" }] },
      { id: "copies", label: "Copies", required: false, type: "choice", multiple: true, options: [{ value: "fr", label: "Français" }, { value: "pt", label: "Portugais" }] },
    );
    assert.deepEqual(read(def, { "f.act": "birth", "f.copies": ["fr", "pt", "fr"] }).answers, { act: "birth", copies: ["fr", "pt"] });
    assert.deepEqual(read(def, { "f.act": "birth", "f.copies": "pt" }).answers, { act: "birth", copies: ["pt"] });
    const bad = read(def, { "f.act": "<script>", "f.copies": ["fr", "de"] });
    assert.deepEqual(bad.errors, { "f.act": { key: "form.choice.invalid" }, "f.copies": { key: "form.choice.invalid" } });
    assert.deepEqual(bad.answers, {});
    assert.deepEqual(bad.values["f.copies"], ["fr"]);
  });

  it("reads yes/no as a boolean", () => {
    const def = form({ id: "q", label: "Q", required: true, type: "yesno" });
    assert.equal(read(def, { "f.q": "yes" }).answers.q, true);
    assert.equal(read(def, { "f.q": "no" }).answers.q, false);
    assert.deepEqual(read(def, { "f.q": "maybe" }).errors, { "f.q": { key: "form.choice.invalid" } });
    assert.deepEqual(read(def, {}).errors, { "f.q": { key: "form.required" } });
  });

  it("normalises phone numbers to E.164 with the municipality's country by default", () => {
    const def = form({ id: "tel", label: "Téléphone", required: true, type: "phone" }, { id: "tel_gn", label: "Téléphone en Guinée", required: false, type: "phone", country: "GN" });
    assert.deepEqual(read(def, { "f.tel": "77 123 45 67", "f.tel_gn": "620 12 34 56" }).answers, { tel: "+221771234567", tel_gn: "+224620123456" });
    assert.equal(read(def, { "f.tel": "00245 955 123 456" }).answers.tel, "+245955123456");
    assert.deepEqual(read(def, { "f.tel": "123" }).errors, { "f.tel": { key: "form.phone.invalid", params: { code: "221" } } });
    assert.deepEqual(read(def, { "f.tel": "123" }, {}, "XX").errors, { "f.tel": { key: "form.phone.invalid_any" } });
  });

  it("checks national identity numbers per country and stores them without spaces", () => {
    const def = (country?: "SN" | "GN" | "GW" | "NE" | "ML" | "CI" | "BF") => form({ id: "nin", label: "NIN", required: true, type: "national_id", ...(country ? { country } : {}) });
    const cases: [string, string, string | undefined][] = [
      ["SN", "1 751 1990 01234", "1751199001234"],
      ["SN", "2-751-1990-01234", "2751199001234"],
      ["SN", "175119900123", undefined], // 12 digits
      ["SN", "3751199001234", undefined], // first digit is the sex: 1 or 2
      ["ML", "1 1 89 0101001 023 c", "11890101001023C"],
      ["ML", "118901010010234", undefined], // the last character is a check letter
      ["GN", "1 95 03 CKY 01 02 1234 45", "19503CKY0102123445"],
      ["GN", "19503CKYZ102123445", undefined], // four letters
      ["GN", "19503CKY01021234AB", undefined], // the key is two digits
      ["CI", "123 4567 8901", "12345678901"],
      ["BF", "b1234567", "B1234567"],
      ["GW", "123456789", "123456789"],
      ["NE", "1234567", "1234567"],
      ["NE", "12AB", undefined],
    ];
    for (const [country, typed, stored] of cases) {
      const result = read(def(country as "SN"), { "f.nin": typed });
      if (stored) {
        assert.deepEqual(result.errors, {}, `${country} ${typed}`);
        assert.equal(result.answers.nin, stored, `${country} ${typed}`);
      } else {
        const example = NATIONAL_ID_FORMATS[country as keyof typeof NATIONAL_ID_FORMATS].example;
        assert.deepEqual(result.errors, { "f.nin": { key: "form.national_id.invalid", params: { example } } }, `${country} ${typed}`);
      }
    }
    // Every example shown to people is itself valid.
    for (const [country, format] of Object.entries(NATIONAL_ID_FORMATS)) assert.match(format.normalise(format.example), format.pattern, country);
    // Without a country on the field, the municipality's; outside the table, letters and digits.
    assert.equal(read(def(), { "f.nin": "1 751 1990 01234" }, {}, "SN").answers.nin, "1751199001234");
    assert.equal(read(def(), { "f.nin": "1 751 1990 01234 5678" }, {}, "GN").answers.nin, undefined);
    assert.equal(read(def(), { "f.nin": "ab-123456" }, {}, "FR").answers.nin, "AB123456");
    assert.equal(read(def(), { "f.nin": "<script>" }, {}, "FR").answers.nin, undefined);
  });

  it("reads an address in three parts, the street line optional", () => {
    const def = form({ id: "home", label: "Adresse", required: true, type: "address" });
    assert.deepEqual(read(def, { "f.home.line": "", "f.home.quarter": "Médina", "f.home.town": "Dakar" }).answers, { home: { line: "", quarter: "Médina", town: "Dakar" } });
    assert.deepEqual(read(def, {}).errors, { "f.home.quarter": { key: "form.required" } });
    assert.deepEqual(read(def, { "f.home.line": "Rue 10" }).errors, {
      "f.home.quarter": { key: "form.required" },
      "f.home.town": { key: "form.required" },
    });
    assert.deepEqual(read(def, { "f.home.quarter": "x".repeat(201), "f.home.town": "Dakar" }).errors, { "f.home.quarter": { key: "form.too_long", params: { max: 200 } } });
    // A draft keeps a partial address.
    assert.deepEqual(read(def, { "f.home.town": "Dakar" }, { draft: true }), {
      answers: { home: { line: "", quarter: "", town: "Dakar" } },
      errors: {},
      values: { "f.home.line": "", "f.home.quarter": "", "f.home.town": "Dakar" },
      files: [],
    });
  });

  it("accepts a file by its bytes, not its name, within its size", () => {
    const def = form({ id: "plan", label: "Plan", required: true, type: "file", accept: ["pdf", "jpeg"], maxBytes: 1000 });
    const ok = read(def, { "f.plan": upload("../../plan final.pdf", PDF) });
    assert.deepEqual(ok.errors, {});
    assert.deepEqual(ok.answers.plan, { fileId: "", name: "plan final.pdf", mediaType: "application/pdf", sizeBytes: PDF.length });
    assert.equal(ok.files.length, 1);
    assert.deepEqual(ok.files[0]!.path, ["plan"]);
    assert.equal(ok.files[0]!.name, "f.plan");
    assert.equal(ok.files[0]!.data, PDF);
    // The caller stores the bytes and writes the id into the answer it was given.
    ok.files[0]!.answer.fileId = "3f1c9a2e-0000-4000-8000-000000000001";
    assert.equal((ok.answers.plan as FileAnswer).fileId, "3f1c9a2e-0000-4000-8000-000000000001");
    assert.equal(JSON.parse(JSON.stringify(ok.answers)).plan.fileId, "3f1c9a2e-0000-4000-8000-000000000001");

    assert.equal(read(def, { "f.plan": upload("photo.jpg", JPEG) }).answers.plan !== undefined, true);
    const disguised = read(def, { "f.plan": upload("plan.pdf", PNG) });
    assert.deepEqual(disguised.errors, { "f.plan": { key: "form.file.type", params: { types: "PDF, JPEG" } } });
    assert.deepEqual(disguised.files, []);
    assert.deepEqual(read(def, { "f.plan": upload("plan.pdf", Buffer.from("not a pdf")) }).errors["f.plan"]?.key, "form.file.type");
    const big = read(def, { "f.plan": upload("plan.pdf", Buffer.concat([PDF, Buffer.alloc(1000)])) });
    assert.deepEqual(big.errors, { "f.plan": { key: "form.file.too_large" } });
    assert.deepEqual(big.files, []);
    // Browsers send an empty part for a file input left alone.
    assert.deepEqual(read(def, { "f.plan": upload("", Buffer.alloc(0)) }).errors, { "f.plan": { key: "form.required" } });
    assert.deepEqual(read(def, { "f.plan": upload("", Buffer.alloc(0)) }, { draft: true }).errors, {});
  });

  it("keeps a file sent earlier only when it belongs to the saved answers", () => {
    const def = form({ id: "plan", label: "Plan", required: true, type: "file", accept: ["pdf"], maxBytes: 1000 });
    const saved = { fileId: "11111111-1111-4111-8111-111111111111", name: "plan.pdf", mediaType: "application/pdf", sizeBytes: 10 };
    const kept = read(def, { "f.plan.keep": saved.fileId }, { previous: { plan: saved } });
    assert.deepEqual(kept.errors, {});
    assert.deepEqual(kept.answers.plan, saved);
    assert.deepEqual(kept.files, []);
    assert.equal(kept.values["f.plan.filename"], "plan.pdf");
    // Someone else's file id, or no saved answers: nothing kept.
    assert.deepEqual(read(def, { "f.plan.keep": "22222222-2222-4222-8222-222222222222" }, { previous: { plan: saved } }).errors, { "f.plan": { key: "form.required" } });
    assert.deepEqual(read(def, { "f.plan.keep": saved.fileId }).errors, { "f.plan": { key: "form.required" } });
    // Unticked: removed. A new file replaces the old one.
    assert.equal(read(def, {}, { previous: { plan: saved }, draft: true }).answers.plan, undefined);
    const replaced = read(def, { "f.plan.keep": saved.fileId, "f.plan": upload("new.pdf", PDF) }, { previous: { plan: saved } });
    assert.equal((replaced.answers.plan as FileAnswer).name, "new.pdf");
    assert.equal(replaced.files.length, 1);
  });
});

describe("reading answers: required, drafts, conditions, repeated blocks", () => {
  const def: FormDefinition = {
    sections: [
      {
        id: "who",
        title: "Qui",
        fields: [
          text("name"),
          { id: "age", label: "Âge", required: true, type: "number", integer: true },
          { id: "married", label: "Marié(e)", required: true, type: "yesno" },
          text("spouse", { showIf: { field: "married", equals: "yes" } }),
          text("spouse_job", { showIf: { field: "spouse", equals: "Awa" } }),
        ],
      },
    ],
  };

  it("asks for every required field on submission, for none in a draft", () => {
    const submitted = read(def, {});
    assert.deepEqual(Object.keys(submitted.errors), ["f.name", "f.age", "f.married"]);
    const draft = read(def, { "f.name": "Moussa", "f.age": "douze" }, { draft: true });
    // The draft keeps what is valid, drops what is not, and still says why.
    assert.deepEqual(draft.answers, { name: "Moussa" });
    assert.deepEqual(draft.errors, { "f.age": { key: "form.number.invalid" } });
    assert.deepEqual(draft.values, { "f.name": "Moussa", "f.age": "douze", "f.married": "", "f.spouse": "", "f.spouse_job": "" });
  });

  it("ignores a hidden field: not required, not kept, but echoed", () => {
    const single = read(def, { "f.name": "Moussa", "f.age": "40", "f.married": "no", "f.spouse": "Awa", "f.spouse_job": "x".repeat(500) });
    assert.deepEqual(single.errors, {});
    assert.deepEqual(single.answers, { name: "Moussa", age: 40, married: false });
    assert.equal(single.values["f.spouse"], "Awa");

    const married = read(def, { "f.name": "Moussa", "f.age": "40", "f.married": "yes" });
    assert.deepEqual(married.errors, { "f.spouse": { key: "form.required" } });
    // A condition on a field that is itself hidden is not met.
    const chained = read(def, { "f.name": "Moussa", "f.age": "40", "f.married": "yes", "f.spouse": "Awa", "f.spouse_job": "Couturière" });
    assert.deepEqual(chained.answers, { name: "Moussa", age: 40, married: true, spouse: "Awa", spouse_job: "Couturière" });
  });

  it("drops a hidden file field's upload", () => {
    const withFile = form(
      { id: "own", label: "Propriétaire ?", required: true, type: "yesno" },
      { id: "deed", label: "Titre", required: true, type: "file", accept: ["pdf"], maxBytes: 10_000, showIf: { field: "own", equals: "yes" } },
    );
    const result = read(withFile, { "f.own": "no", "f.deed": upload("titre.pdf", PDF) });
    assert.deepEqual(result, { answers: { own: false }, errors: {}, values: { "f.own": "no" }, files: [] });
  });

  const owners: FormDefinition = {
    sections: [
      {
        id: "s",
        title: "Copropriété",
        fields: [
          { id: "shared", label: "Parts égales", required: true, type: "yesno" },
          {
            id: "owners",
            label: "Copropriétaire",
            required: true,
            type: "repeat",
            min: 2,
            max: 3,
            fields: [
              text("name"),
              { id: "minor", label: "Mineur", required: true, type: "yesno" },
              text("guardian", { showIf: { field: "minor", equals: "yes" } }),
              { id: "share", label: "Part", required: true, type: "number", showIf: { field: "shared", equals: "no" } },
              { id: "id_scan", label: "Pièce", required: false, type: "file", accept: ["pdf", "png"], maxBytes: 10_000 },
            ],
          },
        ],
      },
    ],
  };

  it("reads repeated entries, dropping blank ones and checking conditions within each entry", () => {
    const result = read(owners, {
      "f.shared": "no",
      "f.owners.0.name": "Awa",
      "f.owners.0.minor": "no",
      "f.owners.0.guardian": "ignored",
      "f.owners.0.share": "60",
      "f.owners.1.name": "",
      "f.owners.1.minor": "",
      "f.owners.1.share": "",
      "f.owners.2.name": "Fatou",
      "f.owners.2.minor": "yes",
      "f.owners.2.guardian": "Mariama",
      "f.owners.2.share": "40",
      "f.owners.2.id_scan": upload("id.png", PNG),
    });
    assert.deepEqual(result.errors, {});
    const entries = result.answers.owners as RepeatEntry[];
    assert.deepEqual(entries.length, 2);
    assert.deepEqual(entries[0], { name: "Awa", minor: false, share: 60 });
    assert.equal(entries[1]!.guardian, "Mariama");
    // The file's path uses its entry's place in the answers, not in the form.
    assert.deepEqual(result.files[0]!.path, ["owners", 1, "id_scan"]);
    assert.equal(result.files[0]!.name, "f.owners.2.id_scan");
    assert.equal(result.values["f.owners.1.name"], "", "a blank entry comes back blank");

    const errors = read(owners, { "f.shared": "yes", "f.owners.0.name": "Awa", "f.owners.0.minor": "yes" }).errors;
    assert.deepEqual(errors, {
      "f.owners.0.guardian": { key: "form.required" },
      "f.owners": { key: "form.repeat.too_few", params: { count: 2 } },
    });
  });

  it("bounds the number of entries, in drafts too", () => {
    const body: Record<string, unknown> = { "f.shared": "yes" };
    for (let i = 0; i < 4; i++) Object.assign(body, { [`f.owners.${i}.name`]: `Owner ${i}`, [`f.owners.${i}.minor`]: "no" });
    body["f.owners.3.id_scan"] = upload("id.pdf", PDF);
    const result = read(owners, body);
    assert.deepEqual(result.errors, { "f.owners": { key: "form.repeat.too_many", params: { count: 3 } } });
    assert.equal((result.answers.owners as RepeatEntry[]).length, 3);
    assert.deepEqual(result.files, [], "a refused entry's file is not stored");
    assert.deepEqual(read(owners, body, { draft: true }).errors, { "f.owners": { key: "form.repeat.too_many", params: { count: 3 } } });
    assert.deepEqual(read(owners, { "f.shared": "yes" }, { draft: true }).errors, {});
    // Indexes past 999 and odd names are not entries.
    assert.deepEqual(read(owners, { "f.shared": "yes", "f.owners.1000.name": "x", "f.owners.x.name": "y" }).errors, {
      "f.owners": { key: "form.repeat.too_few", params: { count: 2 } },
    });
  });

  it("keeps a file of an entry whose place moved, and ignores a hidden block", () => {
    const saved = { fileId: "33333333-3333-4333-8333-333333333333", name: "id.pdf", mediaType: "application/pdf", sizeBytes: 10 };
    const previous: Answers = { shared: true, owners: [{ name: "Awa", minor: false }, { name: "Fatou", minor: false, id_scan: saved }] };
    // Fatou was third on the screen (a blank entry before her), second in the saved answers.
    const body = {
      "f.shared": "yes",
      "f.owners.0.name": "Awa",
      "f.owners.0.minor": "no",
      "f.owners.2.name": "Fatou",
      "f.owners.2.minor": "no",
      "f.owners.2.id_scan.keep": saved.fileId,
    };
    const result = read(owners, body, { previous });
    assert.deepEqual(result.errors, {});
    assert.deepEqual((result.answers.owners as RepeatEntry[])[1]!.id_scan, saved);

    const hidden: FormDefinition = form(
      { id: "many", label: "Plusieurs ?", required: true, type: "yesno" },
      { id: "list", label: "Liste", required: true, type: "repeat", min: 1, max: 2, showIf: { field: "many", equals: "yes" }, fields: [text("name")] },
    );
    const ignored = read(hidden, { "f.many": "no", "f.list.0.name": "", "f.list.1.name": "Awa" });
    assert.deepEqual(ignored.errors, {});
    assert.deepEqual(ignored.answers, { many: false });
    assert.equal(ignored.values["f.list.1.name"], "Awa");
    assert.deepEqual(read(hidden, { "f.many": "yes" }).errors, { "f.list": { key: "form.repeat.too_few", params: { count: 1 } } });
  });

  it("gives back the same answers from values made of saved answers", () => {
    const rich: FormDefinition = {
      sections: [
        {
          id: "s",
          title: "S",
          fields: [
            text("name"),
            { id: "n", label: "N", required: true, type: "number" },
            { id: "d", label: "D", required: true, type: "date" },
            { id: "c", label: "C", required: true, type: "choice", multiple: true, options: [{ value: "a", label: "A" }, { value: "b", label: "B" }] },
            { id: "y", label: "Y", required: true, type: "yesno" },
            { id: "p", label: "P", required: true, type: "phone" },
            { id: "i", label: "I", required: true, type: "national_id" },
            { id: "h", label: "H", required: true, type: "address" },
            { id: "r", label: "R", required: true, type: "repeat", min: 1, max: 3, fields: [text("x"), { id: "z", label: "Z", required: false, type: "number" }] },
          ],
        },
      ],
    };
    const answers: Answers = {
      name: "Awa",
      n: 12.5,
      d: "1990-12-25",
      c: ["a", "b"],
      y: false,
      p: "+221771234567",
      i: "1751199001234",
      h: { line: "", quarter: "Médina", town: "Dakar" },
      r: [{ x: "un", z: 1 }, { x: "deux" }],
    };
    const again = read(rich, answersToValues(rich, answers));
    assert.deepEqual(again.errors, {});
    assert.deepEqual(again.answers, answers);
  });
});

describe("summary", () => {
  it("shows labels and values as people read them", () => {
    const def: FormDefinition = {
      sections: [
        {
          id: "a",
          title: "Demandeur",
          fields: [
            text("name"),
            { id: "born", label: "Né le", required: true, type: "date" },
            { id: "area", label: "Surface", required: true, type: "number" },
            { id: "married", label: "Marié", required: true, type: "yesno" },
            { id: "act", label: "Acte", required: true, type: "choice", options: [{ value: "birth", label: "Naissance" }] },
            { id: "tel", label: "Téléphone", required: true, type: "phone" },
            { id: "home", label: "Adresse", required: true, type: "address" },
            { id: "plan", label: "Plan", required: true, type: "file", accept: ["pdf"], maxBytes: 100 },
            text("unanswered", { required: false }),
          ],
        },
        { id: "b", title: "Copropriétaires", fields: [{ id: "owners", label: "Copropriétaire", required: true, type: "repeat", min: 1, max: 3, fields: [text("name")] }] },
        { id: "c", title: "Vide", fields: [text("nothing", { required: false })] },
      ],
    };
    const summary = summariseAnswers(
      def,
      {
        name: "<b>Awa</b>",
        born: "1990-12-25",
        area: 1250.5,
        married: true,
        act: "birth",
        tel: "+221771234567",
        home: { line: "", quarter: "Médina", town: "Dakar" },
        plan: { fileId: "x", name: "plan.pdf", mediaType: "application/pdf", sizeBytes: 10 },
        owners: [{ name: "Fatou" }, { name: "Mariama" }],
      },
      translator("fr"),
      formatters("fr"),
    );
    assert.deepEqual(summary, [
      {
        title: "Demandeur",
        items: [
          { label: "name", value: "<b>Awa</b>" },
          { label: "Né le", value: "25 décembre 1990" },
          { label: "Surface", value: "1\u202f250,5" },
          { label: "Marié", value: "Oui" },
          { label: "Acte", value: "Naissance" },
          { label: "Téléphone", value: "+221 77 123 45 67" },
          { label: "Adresse", value: "Médina, Dakar" },
          { label: "Plan", value: "plan.pdf" },
        ],
      },
      {
        title: "Copropriétaires",
        items: [
          { label: "Copropriétaire n° 1 — name", value: "Fatou" },
          { label: "Copropriétaire n° 2 — name", value: "Mariama" },
        ],
      },
    ]);
  });
});

describe("rendering", () => {
  const view = anonymousFrenchView();
  const hostile = `"><script>alert(1)</script>`;
  const def: FormDefinition = {
    sections: [
      {
        id: "who",
        title: `Section ${hostile}`,
        description: `Texte ${hostile}`,
        fields: [
          { id: "name", label: `Nom ${hostile}`, hint: `Aide ${hostile}`, required: true, type: "text", maxLength: 100 },
          { id: "bio", label: "Bio", required: false, type: "text", maxLength: 1000, multiline: true },
          { id: "age", label: "Âge", required: true, type: "number", integer: true },
          { id: "born", label: "Né le", required: true, type: "date", when: "past" },
          { id: "kind", label: "Type", required: true, type: "choice", options: [{ value: "a", label: `Option ${hostile}` }, { value: "b", label: "B" }] },
          {
            id: "long",
            label: "Long",
            required: false,
            type: "choice",
            options: Array.from({ length: 12 }, (_, i) => ({ value: `v${i}`, label: `Valeur ${i}` })),
          },
          { id: "langs", label: "Langues", required: false, type: "choice", multiple: true, options: [{ value: "fr", label: "Français" }, { value: "wo", label: "Wolof" }] },
          { id: "married", label: "Marié(e)", required: true, type: "yesno" },
          { id: "spouse", label: "Conjoint", required: true, type: "text", maxLength: 100, showIf: { field: "married", equals: "yes" } },
          { id: "tel", label: "Téléphone", required: true, type: "phone" },
          { id: "nin", label: "NIN", required: true, type: "national_id" },
          { id: "home", label: "Adresse", required: true, type: "address" },
          { id: "plan", label: "Plan", required: true, type: "file", accept: ["pdf", "jpeg"], maxBytes: 2_097_152 },
          {
            id: "owners",
            label: "Copropriétaire",
            required: false,
            type: "repeat",
            min: 0,
            max: 3,
            fields: [
              { id: "name", label: "Nom", required: true, type: "text", maxLength: 100 },
              { id: "minor", label: "Mineur", required: true, type: "yesno" },
              { id: "guardian", label: "Tuteur", required: true, type: "text", maxLength: 100, showIf: { field: "minor", equals: "yes" } },
            ],
          },
        ],
      },
    ],
  };
  const render = (props: Partial<Parameters<typeof DossierFields>[0]> = {}) =>
    DossierFields({ ctx: view, def, country: "SN", ...props }) as string;

  /** Markup outside attribute values: where a tag could be injected. */
  const outsideAttributes = (html: string) => html.replace(/="[^"]*"/g, '=""');

  it("escapes labels, hints, options and values", () => {
    const html = render({ values: { "f.name": hostile, "f.bio": hostile, "f.owners.0.name": hostile }, errors: { "f.name": { key: "form.required" } } });
    assert.equal(outsideAttributes(html).includes("<script"), false);
    assert.ok(html.includes("Nom &#34;>&lt;script>alert(1)&lt;/script>"), "a label is escaped");
    assert.ok(html.includes("&#34;>&lt;script>alert(1)&lt;/script></textarea>"), "a text area's content is escaped");
    assert.ok(html.includes('value="&#34;><script>alert(1)</script>"'), "a value cannot leave its attribute");
  });

  it("gives every input a label, and every hint and error an aria-describedby", () => {
    const html = render({ errors: { "f.name": { key: "form.required" }, "f.kind": { key: "form.required" }, "f.owners": { key: "form.repeat.too_few", params: { count: 2 } } } });
    const ids = [...html.matchAll(/<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"/g)].map((match) => match[1]!);
    const inputs = [...html.matchAll(/<(?:input|select|textarea)\b/g)].length;
    assert.equal(ids.length, inputs, "every input has an id");
    for (const id of ids) assert.ok(html.includes(`for="${id}"`), `label for ${id}`);
    assert.equal(new Set(ids).size, ids.length, "ids are unique");
    for (const match of html.matchAll(/aria-describedby="([^"]+)"/g)) {
      for (const id of match[1]!.split(" ")) assert.ok(html.includes(`id="${id}"`), `described by ${id}`);
    }
    assert.match(html, /id="f-f\.name" name="f\.name"[^>]*aria-invalid="true" aria-describedby="f-f\.name-hint f-f\.name-error"/);
    assert.ok(html.includes('id="f-f.kind"'), "the error summary link reaches the first radio");
    assert.ok(html.includes('id="f-f.owners"'), "and the repeated block");
    assert.ok(html.includes("Ajoutez au moins 2 entrées."));
  });

  it("renders each type with the right control", () => {
    const html = render();
    assert.match(html, /<textarea[^>]*name="f\.bio"/);
    assert.match(html, /name="f\.age"[^>]*inputmode="numeric"/);
    assert.match(html, /type="date"[^>]*name="f\.born"|name="f\.born"[^>]*type="date"/);
    assert.equal([...html.matchAll(/type="radio" id="[^"]*" name="f\.kind"/g)].length, 2);
    assert.match(html, /<select id="f-f\.long" name="f\.long"/);
    assert.equal([...html.matchAll(/type="checkbox" id="[^"]*" name="f\.langs"/g)].length, 2);
    assert.match(html, /type="tel"[^>]*autocomplete="tel"|autocomplete="tel"[^>]*type="tel"/);
    assert.ok(html.includes("Avec ou sans l&#39;indicatif +221."));
    assert.ok(html.includes("1 751 1990 01234"), "the national id hint shows the country's example");
    for (const part of ["line", "quarter", "town"]) assert.ok(html.includes(`name="f.home.${part}"`));
    assert.match(html, /type="file" id="f-f\.plan" name="f\.plan" accept="application\/pdf,image\/jpeg"/);
    assert.ok(html.includes("Formats\u202f: PDF, JPEG. Taille maximale\u202f: 2 Mo."));
    assert.ok(html.includes("Bio (facultatif)"));
  });

  it("shows conditional fields with when to answer them, and hooks for a script", () => {
    const html = render();
    assert.ok(html.includes('data-show-if="f.married" data-show-if-value="yes"'));
    assert.ok(html.includes("À remplir seulement si vous avez répondu «\u202fOui\u202f» à «\u202fMarié(e)\u202f»."));
    assert.ok(html.includes('data-show-if="f.owners.0.minor"'), "inside an entry, the sibling of the same entry");
  });

  it("renders entries sent, one blank, and one more on _add, within the maximum", () => {
    const entries = (html: string) => new Set([...html.matchAll(/name="f\.owners\.(\d+)\.name"/g)].map((match) => match[1])).size;
    assert.equal(entries(render()), 1);
    assert.match(render(), /<button type="submit" name="_add" value="owners"/);
    assert.equal(entries(render({ add: "owners" })), 2);
    const one = { "f.owners.0.name": "Awa", "f.owners.0.minor": "no" };
    assert.equal(entries(render({ values: one })), 2);
    assert.equal(entries(render({ values: { ...one, "f.owners.1.name": "", "f.owners.1.minor": "" } })), 2, "a blank entry sent is the blank one");
    assert.equal(entries(render({ values: { ...one, "f.owners.1.name": "", "f.owners.1.minor": "" }, add: "owners" })), 3);
    const full = render({ values: { ...one, "f.owners.1.name": "B", "f.owners.2.name": "C" }, add: "owners" });
    assert.equal(entries(full), 3);
    assert.equal(full.includes('name="_add"'), false, "no button past the maximum");
    // From saved answers.
    assert.equal(entries(render({ answers: { owners: [{ name: "Awa", minor: false }] } })), 2);
  });

  it("offers to keep a file already sent", () => {
    const answers = { plan: { fileId: "11111111-1111-4111-8111-111111111111", name: `plan ${hostile}.pdf`, mediaType: "application/pdf", sizeBytes: 10 } };
    const html = render({ answers });
    assert.match(html, /type="checkbox" id="f-f\.plan\.keep" name="f\.plan\.keep" value="11111111-1111-4111-8111-111111111111" checked/);
    assert.ok(html.includes('for="f-f.plan.keep"'));
    assert.equal(outsideAttributes(html).includes("<script"), false);
  });
});
