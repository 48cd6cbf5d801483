import type { FormReader } from "../../core/http/forms.js";
import { emptyForm, type FormState } from "../../core/views/context.js";
import { checkDefinition, FIELD_ID_PATTERN, MAX_FILE_BYTES, MULTIPART_LIMITS, NATIONAL_ID_COUNTRIES, type FieldDef, type FileKind, type FormDefinition, type SimpleFieldDef } from "./form-definition.js";
import { INSTRUCTOR_ROLES, PROCEDURE_CATEGORIES, type ProcedureInput } from "./schema.js";
import type { ProcedureRow } from "./store.js";
import { ESERVICES_REASONS } from "./reasons.js";

/*
 * The procedure builder without JavaScript: the administrator edits the procedure's description
 * in one form, and its questionnaire one change at a time (add a section, add a field, move or
 * remove one), each change checked as a whole definition before it is saved.
 */

const BUILDER_LIMITS = MULTIPART_LIMITS;

export const FIELD_TYPES = ["text", "number", "date", "choice", "yesno", "phone", "national_id", "address", "file", "repeat"] as const;
export type BuilderFieldType = (typeof FIELD_TYPES)[number];
const FILE_KINDS: FileKind[] = ["pdf", "jpeg", "png", "webp"];

export function procedureForm(procedure: ProcedureRow | null): FormState {
  if (!procedure) return emptyForm({ category: "civil_status", processing_days: "3", retention_days: "730", fee_amount: "0", instructor_roles: "agent" });
  return emptyForm({
    title: procedure.title,
    slug: procedure.slug,
    description: procedure.description,
    category: procedure.category,
    documents: procedure.documents.join("\n"),
    fee_amount: String(procedure.fee_amount),
    fee_payment: procedure.fee_payment,
    processing_days: String(procedure.processing_days),
    retention_days: String(procedure.retention_days),
    instructor_roles: procedure.instructor_roles.join(","),
    certificate_title: procedure.certificate?.title ?? "",
    certificate_body: procedure.certificate?.body ?? "",
    certificate_key_fields: procedure.certificate?.keyFields.join(", ") ?? "",
    certificate_signatory: procedure.certificate?.signatory ?? "",
  });
}

/** The procedure's description and rules; its questionnaire is kept as it is. */
export function readProcedureInput(form: FormReader, currentForm: FormDefinition): ProcedureInput {
  const certificateTitle = form.text("certificate_title", { max: 200 });
  const certificateBody = form.text("certificate_body", { max: 5000 });
  const keyFields = form
    .text("certificate_key_fields", { max: 400 })
    .split(/[\s,;]+/)
    .filter(Boolean);
  const signatory = form.text("certificate_signatory", { max: 200 });
  const fieldIds = new Set(currentForm.sections.flatMap((section) => section.fields.map((field) => field.id)));
  if (keyFields.some((id) => !fieldIds.has(id))) form.fail("certificate_key_fields", "eservices.builder.error.unknown_fields", { ids: keyFields.filter((id) => !fieldIds.has(id)).join(", ") });
  if (keyFields.length > 8) form.fail("certificate_key_fields", "form.too_long", { max: 8 });
  const wantsCertificate = !!(certificateTitle || certificateBody || signatory || keyFields.length);
  if (wantsCertificate) {
    if (!certificateTitle) form.fail("certificate_title", "form.required");
    if (!certificateBody) form.fail("certificate_body", "form.required");
    if (!signatory) form.fail("certificate_signatory", "form.required");
    const unknown = [...certificateBody.matchAll(/\{([a-z][a-z0-9_]*)\}/g)].map((match) => match[1]!).filter((id) => id !== "reference" && id !== "applicant" && !fieldIds.has(id));
    if (unknown.length) form.fail("certificate_body", "eservices.builder.error.unknown_fields", { ids: unknown.join(", ") });
  }
  const roles = form.list("instructor_roles", INSTRUCTOR_ROLES);
  if (roles.length === 0) form.fail("instructor_roles", "form.required");
  return {
    title: form.text("title", { required: true, max: 200 }),
    slug: form.text("slug", { required: true, max: 80, pattern: /^[a-z0-9]+(-[a-z0-9]+)*$/ }),
    description: form.text("description", { max: 10_000 }),
    category: form.choice("category", PROCEDURE_CATEGORIES) ?? "other",
    form: currentForm,
    documents: form
      .text("documents", { max: 9000 })
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .slice(0, 30)
      .map((line) => line.slice(0, 300)),
    feeAmount: form.integer("fee_amount", { required: true, min: 0, max: 1_000_000_000 }) ?? 0,
    feePayment: form.text("fee_payment", { max: 1000 }),
    processingDays: form.integer("processing_days", { required: true, min: 1, max: 365 }) ?? 1,
    instructorRoles: roles,
    retentionDays: form.integer("retention_days", { required: true, min: 30, max: 36_500 }) ?? 730,
    certificate: wantsCertificate ? { title: certificateTitle, body: certificateBody, keyFields, signatory } : null,
  };
}

export interface BuilderResult {
  /** The new definition, or undefined when the change was refused (errors are on the form). */
  form?: FormDefinition;
  anchor?: string;
}

const clone = (def: FormDefinition): FormDefinition => JSON.parse(JSON.stringify(def)) as FormDefinition;

/** "Nom du père" → "nom_du_pere", made unique in the form. */
export function fieldIdFrom(label: string, taken: Set<string>): string {
  const base =
    label
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .replace(/^(\d)/, "f_$1")
      .slice(0, 36) || "champ";
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  return id;
}

function allIds(def: FormDefinition): Set<string> {
  const ids = new Set<string>();
  for (const section of def.sections) {
    ids.add(section.id);
    for (const field of section.fields) {
      ids.add(field.id);
      if (field.type === "repeat") for (const sub of field.fields) ids.add(sub.id);
    }
  }
  return ids;
}

/** Saves only a definition that is whole; otherwise the reasons go on the form. */
function checked(def: FormDefinition, form: FormReader, field: string, anchor: string): BuilderResult {
  const problems = checkDefinition(def, BUILDER_LIMITS);
  for (const problem of problems) form.fail(field, problem);
  return problems.length || form.invalid ? {} : { form: def, anchor };
}

export function addSection(current: FormDefinition, form: FormReader): BuilderResult {
  const title = form.text("section_title", { required: true, max: 300 });
  const description = form.text("section_description", { max: 5000 });
  if (form.invalid) return {};
  const def = clone(current);
  const id = fieldIdFrom(title, allIds(def));
  def.sections.push({ id, title, ...(description ? { description } : {}), fields: [] });
  return checked(def, form, "section_title", `s-${id}`);
}

export function addField(current: FormDefinition, form: FormReader): BuilderResult {
  const def = clone(current);
  const place = form.text("place", { required: true, max: 100 });
  const type = form.choice("type", FIELD_TYPES);
  const label = form.text("label", { required: true, max: 300 });
  const hint = form.text("hint", { max: 1000 });
  const required = form.checked("required");
  const showIfField = form.text("show_if_field", { max: 40 });
  const showIfValue = form.text("show_if_value", { max: 200 });
  if (showIfField && !FIELD_ID_PATTERN.test(showIfField)) form.fail("show_if_field", "form.invalid_format");
  if (showIfField && !showIfValue) form.fail("show_if_value", "form.required");
  // The place is a section ("s:<id>") or a repeated block ("r:<id>") the field goes into.
  const [kind, placeId] = place.split(":");
  const section = kind === "s" ? def.sections.find((candidate) => candidate.id === placeId) : undefined;
  const repeat = kind === "r" ? def.sections.flatMap((candidate) => candidate.fields).find((field) => field.id === placeId && field.type === "repeat") : undefined;
  if (place && !section && !repeat) form.fail("place", "form.invalid_choice");
  if (repeat && type === "repeat") form.fail("type", "eservices.form.def.nested_repeat");
  if (form.invalid || !type) return {};

  const common = { id: fieldIdFrom(label, allIds(def)), label, required, ...(hint ? { hint } : {}), ...(showIfField ? { showIf: { field: showIfField, equals: showIfValue } } : {}) };
  let field: FieldDef | undefined;
  switch (type) {
    case "text":
      field = { ...common, type, maxLength: form.integer("max_length", { min: 1, max: 100_000 }) ?? (form.checked("multiline") ? 5000 : 200), ...(form.checked("multiline") ? { multiline: true } : {}) };
      break;
    case "number": {
      const min = form.integer("min", { min: -1_000_000_000, max: 1_000_000_000 });
      const max = form.integer("max", { min: -1_000_000_000, max: 1_000_000_000 });
      field = { ...common, type, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), ...(form.checked("integer") ? { integer: true } : {}) };
      break;
    }
    case "date": {
      const when = form.choice("when", ["past", "future"] as const, { required: false });
      field = { ...common, type, ...(when ? { when } : {}) };
      break;
    }
    case "choice": {
      const options = form
        .text("options", { max: 10_000 })
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => ({ value: fieldIdFrom(line, new Set()).slice(0, 100), label: line.slice(0, 300) }));
      if (options.length === 0) form.fail("options", "eservices.form.def.choice_no_options");
      field = { ...common, type, options, ...(form.checked("multiple") ? { multiple: true } : {}) };
      break;
    }
    case "yesno":
    case "address":
      field = { ...common, type };
      break;
    case "phone":
      field = { ...common, type };
      break;
    case "national_id": {
      const country = form.choice("country", NATIONAL_ID_COUNTRIES, { required: false });
      field = { ...common, type, ...(country ? { country } : {}) };
      break;
    }
    case "file": {
      const accept = form.list("accept", FILE_KINDS);
      if (accept.length === 0) form.fail("accept", "eservices.form.def.file_no_type");
      const megabytes = form.integer("max_bytes_mb", { required: true, min: 1, max: MAX_FILE_BYTES / (1024 * 1024) }) ?? 5;
      field = { ...common, type, accept, maxBytes: megabytes * 1024 * 1024 };
      break;
    }
    case "repeat": {
      const min = form.integer("min", { min: 0, max: 50 }) ?? 0;
      const max = form.integer("max", { min: 1, max: 50 }) ?? 5;
      // A block starts empty; its fields are added into it next.
      field = { ...common, type, min, max, fields: [] };
      break;
    }
  }
  if (form.invalid || !field) return {};
  if (section) section.fields.push(field);
  else if (repeat && repeat.type === "repeat" && field.type !== "repeat") repeat.fields.push(field as SimpleFieldDef);
  // A new empty block cannot be checked as finished; it is checked once it has fields.
  if (field.type === "repeat") {
    const problems = checkDefinition(def, BUILDER_LIMITS).filter((problem) => problem !== "eservices.form.def.repeat_empty");
    for (const problem of problems) form.fail("label", problem);
    return problems.length ? {} : { form: def, anchor: `b-${field.id}` };
  }
  return checked(def, form, "label", `b-${field.id}`);
}

/** Where a field sits: its list and index, in a section or inside a repeated block. */
function locate(def: FormDefinition, fieldId: string): { list: FieldDef[]; index: number } | undefined {
  for (const section of def.sections) {
    const index = section.fields.findIndex((field) => field.id === fieldId);
    if (index >= 0) return { list: section.fields, index };
    for (const field of section.fields) {
      if (field.type !== "repeat") continue;
      const inner = field.fields.findIndex((sub) => sub.id === fieldId);
      if (inner >= 0) return { list: field.fields as FieldDef[], index: inner };
    }
  }
  return undefined;
}

export function removeField(current: FormDefinition, fieldId: string, form: FormReader): BuilderResult {
  const def = clone(current);
  const found = locate(def, fieldId);
  if (!found) {
    // A section is removed the same way, when it is empty.
    const sectionIndex = def.sections.findIndex((section) => section.id === fieldId);
    if (sectionIndex < 0) form.fail("label", "error.not_found");
    else if (def.sections[sectionIndex]!.fields.length > 0) form.refuse("label", ESERVICES_REASONS.SECTION_NOT_EMPTY);
    else def.sections.splice(sectionIndex, 1);
    return form.invalid ? {} : checked(def, form, "label", "builder");
  }
  found.list.splice(found.index, 1);
  const problems = checkDefinition(def, BUILDER_LIMITS).filter((problem) => problem !== "eservices.form.def.repeat_empty");
  for (const problem of problems) form.fail("label", problem);
  return problems.length ? {} : { form: def, anchor: "builder" };
}

export function moveField(current: FormDefinition, fieldId: string, form: FormReader): BuilderResult {
  const def = clone(current);
  const direction = form.choice("direction", ["up", "down"] as const);
  const found = locate(def, fieldId);
  if (!found || !direction) {
    if (!found) form.fail("label", "error.not_found");
    return {};
  }
  const target = direction === "up" ? found.index - 1 : found.index + 1;
  if (target < 0 || target >= found.list.length) return { form: def, anchor: `b-${fieldId}` };
  [found.list[found.index], found.list[target]] = [found.list[target]!, found.list[found.index]!];
  const problems = checkDefinition(def, BUILDER_LIMITS).filter((problem) => problem !== "eservices.form.def.repeat_empty");
  for (const problem of problems) form.fail("label", problem);
  return problems.length ? {} : { form: def, anchor: `b-${fieldId}` };
}
