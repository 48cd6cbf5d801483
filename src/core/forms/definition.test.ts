import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { definitionProblems, documentLabelOf, fieldDocumentLabel, hasFileFields, inputBudget, type FormDefinition, type FormField, type SimpleField } from "./index.js";

const form = (...fields: FormField[]): FormDefinition => ({ sections: [{ id: "main", title: "Form", fields }] });
const text = (id: string, extra: Partial<SimpleField> = {}): SimpleField => ({ id, label: id, required: true, type: "text", maxLength: 100, ...extra }) as SimpleField;
const codes = (def: FormDefinition, options = {}) => definitionProblems(def, options).map((problem) => `${problem.code}:${problem.id}`);

describe("definition checks", () => {
  it("names an answer on documents by the field's document label, else by its question", () => {
    const def = form(text("since", { label: "You have lived at this address since", documentLabel: "Resident since" }), text("name", { documentLabel: "  " }));
    assert.equal(fieldDocumentLabel(def, "since"), "Resident since");
    assert.equal(documentLabelOf(text("name", { documentLabel: "  " })), "name", "a blank document label is no label");
    assert.equal(fieldDocumentLabel(def, "gone"), "gone");
  });

  it("accepts a sound form", () => {
    const def = form(
      { id: "kind", label: "Kind", required: true, type: "choice", options: [{ value: "a", label: "A" }] },
      text("detail", { showIf: { field: "kind", equals: "a" } }),
      { id: "mood", label: "Mood", required: true, type: "scale", min: 0, max: 10 },
      { id: "rows", label: "Rows", required: false, type: "repeat", min: 0, max: 3, fields: [text("name")] },
    );
    assert.deepEqual(codes(def), []);
  });

  it("reports each structural problem with the field it concerns", () => {
    assert.deepEqual(codes({ sections: [] }), ["empty:"]);
    assert.deepEqual(codes(form(text("Bad"), text("a"), text("a"))), ["invalid_id:Bad", "duplicate_id:a"]);
    assert.deepEqual(codes(form({ id: "c", label: "C", required: true, type: "choice", options: [] })), ["choice_no_options:c"]);
    const twice = [{ value: "a", label: "A" }, { value: "a", label: "B" }];
    assert.deepEqual(codes(form({ id: "c", label: "C", required: true, type: "choice", options: twice })), ["choice_duplicate_option:c"]);
    assert.deepEqual(codes(form({ id: "n", label: "N", required: true, type: "number", min: 5, max: 1 })), ["min_above_max:n"]);
    assert.deepEqual(codes(form({ id: "s", label: "S", required: true, type: "scale", min: 3, max: 3 })), ["scale_min_max:s"]);
    assert.deepEqual(codes(form({ id: "s", label: "S", required: true, type: "scale", min: 0, max: 11 })), ["scale_too_wide:s"]);
    assert.deepEqual(codes(form({ id: "f", label: "F", required: true, type: "file", accept: [], maxBytes: 10 })), ["file_no_type:f"]);
    assert.deepEqual(codes(form({ id: "r", label: "R", required: true, type: "repeat", min: 2, max: 1, fields: [] })), ["min_above_max:r", "repeat_empty:r"]);
  });

  it("checks conditions: an earlier field, a value it can hold, a field that can be tested", () => {
    assert.deepEqual(codes(form(text("a", { showIf: { field: "b", equals: "x" } }), text("b"))), ["show_if_later:a"]);
    assert.deepEqual(codes(form(text("a", { showIf: { field: "zz", equals: "x" } }))), ["show_if_unknown:a"]);
    assert.deepEqual(codes(form(text("a", { showIf: { field: "a", equals: "x" } }))), ["show_if_later:a"]);
    const yesno: FormField = { id: "y", label: "Y", required: true, type: "yesno" };
    assert.deepEqual(codes(form(yesno, text("a", { showIf: { field: "y", equals: "maybe" } }))), ["show_if_value:a"]);
    const address: FormField = { id: "home", label: "Home", required: true, type: "address" };
    assert.deepEqual(codes(form(address, text("a", { showIf: { field: "home", equals: "x" } }))), ["show_if_target:a"]);
    // Text may be tested by any value, unless conditions are kept to choices.
    assert.deepEqual(codes(form(text("t"), text("a", { showIf: { field: "t", equals: "x" } }))), []);
    assert.deepEqual(codes(form(text("t"), text("a", { showIf: { field: "t", equals: "x" } })), { conditionsOn: "choices" }), ["show_if_target:a"]);
  });

  it("lets a field in an entry test a sibling above it or a field before the block, never a nested repeat", () => {
    const block: FormField = {
      id: "rows",
      label: "Rows",
      required: true,
      type: "repeat",
      min: 0,
      max: 2,
      fields: [text("name", { showIf: { field: "kind", equals: "x" } }), text("note", { showIf: { field: "name", equals: "x" } }), text("late", { showIf: { field: "after", equals: "x" } })],
    };
    assert.deepEqual(codes(form(text("kind"), block, text("after"))), ["show_if_later:late"]);
    const nested = { ...block, id: "outer", fields: [{ ...block, fields: [text("x")] }] } as unknown as FormField;
    assert.deepEqual(codes(form(nested)), ["nested_repeat:rows"]);
  });

  it("counts what a form with files sends, within the server's multipart limits", () => {
    const file: FormField = { id: "doc", label: "Doc", required: true, type: "file", accept: ["pdf"], maxBytes: 10 };
    const block: FormField = { id: "rows", label: "Rows", required: true, type: "repeat", min: 0, max: 5, fields: [file, { id: "home", label: "Home", required: true, type: "address" }] };
    assert.deepEqual(inputBudget(form(block)), { inputs: 20, files: 5 });
    assert.equal(hasFileFields(form(text("a"))), false);
    assert.deepEqual(codes(form(block), { limits: { inputs: 10, files: 4 } }), ["too_many_files:", "too_many_inputs:"]);
    // Without a file the form is not multipart: no limit applies.
    assert.deepEqual(codes(form({ ...block, fields: [{ id: "home", label: "Home", required: true, type: "address" }] }), { limits: { inputs: 1, files: 0 } }), []);
  });
});
