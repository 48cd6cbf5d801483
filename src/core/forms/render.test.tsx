import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { anonymousFrenchView } from "../../../test/view-context.js";
import { FormFields, type FormFieldsProps } from "./render.js";
import type { FormDefinition, FormField } from "./index.js";

const options = (count: number) => Array.from({ length: count }, (_, i) => ({ value: `o${i}`, label: `Option ${i}` }));
const def: FormDefinition = {
  sections: [
    {
      id: "main",
      title: "Demande",
      fields: [
        { id: "kind", label: "Type", required: true, type: "choice", options: options(10) },
        { id: "detail", label: "Détail", required: false, type: "text", maxLength: 50, showIf: { field: "kind", equals: "o1" } },
        { id: "count", label: "Nombre", required: true, type: "number", min: 1, max: 5, integer: true },
        { id: "rows", label: "Lignes", required: false, type: "repeat", min: 0, max: 2, fields: [{ id: "name", label: "Nom", required: true, type: "text", maxLength: 20 }] },
      ] satisfies FormField[],
    },
  ],
};
const render = (props: Partial<FormFieldsProps> = {}) => FormFields({ ctx: anonymousFrenchView(), def, ...props }) as string;

describe("rendering a form without script", () => {
  it("draws sections as fieldsets, a condition in words with a hook for a script, and an add button", () => {
    const html = render();
    assert.match(html, /<fieldset id="s-main"><legend>Demande<\/legend>/);
    assert.match(html, /data-show-if="f.kind" data-show-if-value="o1"/);
    assert.match(html, /À remplir seulement si vous avez répondu «\u202fOption 1\u202f» à «\u202fType\u202f»/);
    assert.match(html, /Détail \(facultatif\)/);
    assert.match(html, /name="f.rows.0.name"/);
    assert.match(html, /<button type="submit" name="_add" value="rows"/);
  });

  it("uses radios unless told to turn long lists into a drop-down", () => {
    assert.equal((render().match(/type="radio" id="f-f.kind/g) ?? []).length, 10);
    const select = render({ selectAbove: 8 });
    assert.match(select, /<select id="f-f.kind" name="f.kind"/);
    assert.match(select, /Choisissez…/);
  });

  it("follows the prefix, wraps every field when asked, and can describe numbers", () => {
    const html = render({ prefix: "q.", sectionFieldsets: false, blockClass: "question", numberHints: true });
    assert.doesNotMatch(html, /<fieldset id="s-main"/);
    assert.match(html, /<div class="question"><fieldset aria-describedby="f-q.kind-hint|<div class="question">/);
    assert.match(html, /name="q.count"/);
    assert.match(html, /Un nombre entre 1 et 5\./);
    assert.doesNotMatch(render(), /Un nombre entre/);
  });

  it("shows errors and values back, escaped", () => {
    const html = render({ values: { "f.count": '"><script>x</script>' }, errors: { "f.count": { key: "form.number.invalid" } } });
    assert.doesNotMatch(html, /value=""><script>/, "a typed value cannot leave its attribute");
    assert.match(html, /name="f.count" value="&#34;><script>x<\/script>"/);
    assert.match(html, /Saisissez un nombre, par exemple 12 ou 12,5\./);
    assert.match(html, /aria-invalid="true"/);
  });
});
