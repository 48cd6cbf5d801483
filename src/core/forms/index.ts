/**
 * One form engine for every module that asks people questions: e-services procedures, surveys,
 * and next the network's calls for applications (`lab`).
 *
 * How a module declares a form:
 *
 * 1. Keep the stored shape in the module's own words (a TypeBox schema of its JSONB: a
 *    procedure's sections, a survey's questions, a call's criteria) and write one function
 *    turning it into a {@link FormDefinition}: sections of {@link FormField}s — text, number,
 *    date, choice (single or multiple), scale, yes/no, phone, national id, address, file, and
 *    repeated blocks of those. A field is shown only when its `showIf` (an earlier field's
 *    value) holds.
 * 2. Check a definition with {@link definitionProblems}: it returns problem codes with the field
 *    concerned; the module maps each code to a message in its own vocabulary.
 * 3. Render with `<FormFields>` (from `core/forms/render.js`) inside a core `<Form>`, with an
 *    `<ErrorSummary>`: it works without script and echoes what was typed.
 * 4. Read a post with {@link readForm}: typed `answers` (plain JSON, by field id), `errors` by
 *    form name (core `form.*` message keys, which the module may re-key to its own wording),
 *    `values` to show back, and `files` to store. `answersToValues` fills a form from saved
 *    answers; `summariseAnswers` and `formatAnswer` say answers in words.
 *
 * Form names carry a prefix (`f.` by default; surveys use `q.`); give the same one to the
 * reader and the renderer.
 */

export * from "./conditions.js";
export * from "./definition.js";
export * from "./national-id.js";
export * from "./read.js";
export * from "./summary.js";
