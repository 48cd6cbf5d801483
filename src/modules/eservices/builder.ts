import type { FormReader } from "../../core/http/forms.js";
import { emptyForm, type FormState } from "../../core/views/context.js";
import {
  checkDefinition,
  FIELD_ID_PATTERN,
  MAX_DOCUMENT_LABEL_LENGTH,
  MAX_FILE_BYTES,
  MULTIPART_LIMITS,
  NATIONAL_ID_COUNTRIES,
  type ChoiceFieldDef,
  type FieldDef,
  type FileKind,
  type FormDefinition,
  type SimpleFieldDef,
} from "./form-definition.js";
import { INSTRUCTOR_ROLES, PROCEDURE_CATEGORIES, type ProcedureInput } from "./schema.js";
import type { ProcedureRow } from "./store.js";
import { ESERVICES_REASONS } from "./reasons.js";

/*
 * The procedure builder without JavaScript: the administrator edits the procedure's description
 * in one form, and its questionnaire one change at a time (add a section, add, edit, move or
 * remove a field), each change checked as a whole definition before it is saved.
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
    certificate_signatory_name: procedure.certificate?.signatoryName ?? "",
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
  const signatoryName = form.text("certificate_signatory_name", { max: 120 });
  const fieldIds = new Set(currentForm.sections.flatMap((section) => section.fields.map((field) => field.id)));
  if (keyFields.some((id) => !fieldIds.has(id))) form.fail("certificate_key_fields", "eservices.builder.error.unknown_fields", { ids: keyFields.filter((id) => !fieldIds.has(id)).join(", ") });
  if (keyFields.length > 8) form.fail("certificate_key_fields", "form.too_long", { max: 8 });
  const wantsCertificate = !!(certificateTitle || certificateBody || signatory || signatoryName || keyFields.length);
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
    certificate: wantsCertificate ? { title: certificateTitle, body: certificateBody, keyFields, signatory, ...(signatoryName ? { signatoryName } : {}) } : null,
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

type ChoiceOption = ChoiceFieldDef["options"][number];

/** A checkbox, read as text so that a form shown again keeps it ticked. */
const ticked = (form: FormReader, name: string) => form.text(name, { max: 10 }) === "on";

/** "Oui\nNon" → options; a line kept as it was keeps its value, so answers already given still read. */
function readOptions(form: FormReader, previous: ChoiceOption[] = []): ChoiceOption[] {
  const taken = new Set<string>();
  const options: ChoiceOption[] = [];
  for (const line of form
    .text("options", { max: 10_000 })
    .split("\n")
    .map((each) => each.trim())
    .filter(Boolean)) {
    const label = line.slice(0, 300);
    const kept = previous.find((option) => option.label === label && !taken.has(option.value));
    const value = kept?.value ?? fieldIdFrom(label, new Set([...taken, ...previous.map((option) => option.value)])).slice(0, 100);
    taken.add(value);
    options.push({ value, label });
  }
  if (options.length === 0) form.fail("options", "eservices.form.def.choice_no_options");
  return options;
}

/**
 * What the add and edit forms share: the words (label, document label, help), whether an answer
 * is required, the condition, and the settings of the field's type. The id and type are the
 * caller's: a new field takes them from the form, an edited one keeps its own.
 */
function readFieldSettings(form: FormReader, type: BuilderFieldType, id: string, previous?: FieldDef): FieldDef | undefined {
  const label = form.text("label", { required: true, max: 300 });
  const documentLabel = form.text("document_label", { max: MAX_DOCUMENT_LABEL_LENGTH });
  const hint = form.text("hint", { max: 1000 });
  const required = ticked(form, "required");
  const showIfField = form.text("show_if_field", { max: 40 });
  const showIfValue = form.text("show_if_value", { max: 200 });
  if (showIfField && !FIELD_ID_PATTERN.test(showIfField)) form.fail("show_if_field", "form.invalid_format");
  if (showIfField && !showIfValue) form.fail("show_if_value", "form.required");
  const common = {
    id,
    label,
    ...(documentLabel ? { documentLabel } : {}),
    required,
    ...(hint ? { hint } : {}),
    ...(showIfField ? { showIf: { field: showIfField, equals: showIfValue } } : {}),
  };
  switch (type) {
    case "text": {
      const multiline = ticked(form, "multiline");
      const maxLength = form.integer("max_length", { min: 1, max: 100_000 });
      return { ...common, type, maxLength: maxLength ?? (multiline ? 5000 : 200), ...(multiline ? { multiline: true } : {}) };
    }
    case "number": {
      const min = form.integer("min", { min: -1_000_000_000, max: 1_000_000_000 });
      const max = form.integer("max", { min: -1_000_000_000, max: 1_000_000_000 });
      if (min !== undefined && max !== undefined && min > max) form.fail("max", "eservices.form.def.min_above_max");
      return { ...common, type, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), ...(ticked(form, "integer") ? { integer: true } : {}) };
    }
    case "date": {
      const when = form.choice("when", ["past", "future"] as const, { required: false });
      return { ...common, type, ...(when ? { when } : {}) };
    }
    case "choice": {
      const options = readOptions(form, previous?.type === "choice" ? previous.options : []);
      return { ...common, type, options, ...(ticked(form, "multiple") ? { multiple: true } : {}) };
    }
    case "yesno":
    case "address":
    case "phone":
      return { ...common, type };
    case "national_id": {
      const country = form.choice("country", NATIONAL_ID_COUNTRIES, { required: false });
      return { ...common, type, ...(country ? { country } : {}) };
    }
    case "file": {
      const accept = form.list("accept", FILE_KINDS);
      if (accept.length === 0) form.fail("accept", "eservices.form.def.file_no_type");
      const megabytes = form.integer("max_bytes_mb", { required: true, min: 1, max: MAX_FILE_BYTES / (1024 * 1024) }) ?? 5;
      return { ...common, type, accept, maxBytes: megabytes * 1024 * 1024 };
    }
    case "repeat": {
      const min = form.integer("min", { min: 0, max: 50 }) ?? 0;
      const max = form.integer("max", { min: 1, max: 50 }) ?? 5;
      if (min > max) form.fail("max", "eservices.form.def.min_above_max");
      // A new block starts empty; its fields are added into it next. An edited one keeps them.
      return { ...common, type, min, max, fields: previous?.type === "repeat" ? previous.fields : [] };
    }
  }
}

/** A structural check that lets a repeated block be empty for now: it is checked once it has fields. */
function checkedAllowingEmptyBlock(def: FormDefinition, form: FormReader, field: string, anchor: string): BuilderResult {
  const problems = checkDefinition(def, BUILDER_LIMITS).filter((problem) => problem !== "eservices.form.def.repeat_empty");
  for (const problem of problems) form.fail(field, problem);
  return problems.length || form.invalid ? {} : { form: def, anchor };
}

export function addField(current: FormDefinition, form: FormReader): BuilderResult {
  const def = clone(current);
  const place = form.text("place", { required: true, max: 100 });
  const type = form.choice("type", FIELD_TYPES);
  // The place is a section ("s:<id>") or a repeated block ("r:<id>") the field goes into.
  const [kind, placeId] = place.split(":");
  const section = kind === "s" ? def.sections.find((candidate) => candidate.id === placeId) : undefined;
  const repeat = kind === "r" ? def.sections.flatMap((candidate) => candidate.fields).find((field) => field.id === placeId && field.type === "repeat") : undefined;
  if (place && !section && !repeat) form.fail("place", "form.invalid_choice");
  if (repeat && type === "repeat") form.fail("type", "eservices.form.def.nested_repeat");
  const field = type ? readFieldSettings(form, type, fieldIdFrom(form.text("label", { required: true, max: 300 }), allIds(def))) : undefined;
  if (form.invalid || !field) return {};
  if (section) section.fields.push(field);
  else if (repeat && repeat.type === "repeat" && field.type !== "repeat") repeat.fields.push(field as SimpleFieldDef);
  if (field.type === "repeat") return checkedAllowingEmptyBlock(def, form, "label", `b-${field.id}`);
  return checked(def, form, "label", `b-${field.id}`);
}

/** The field as its edit form shows it first: every setting it has, as typed. */
export function fieldEditForm(field: FieldDef): FormState {
  const values: Record<string, string> = {
    label: field.label,
    document_label: field.documentLabel ?? "",
    hint: field.hint ?? "",
    required: field.required ? "on" : "",
    show_if_field: field.showIf?.field ?? "",
    show_if_value: field.showIf?.equals ?? "",
  };
  switch (field.type) {
    case "text":
      Object.assign(values, { max_length: String(field.maxLength), multiline: field.multiline ? "on" : "" });
      break;
    case "number":
      Object.assign(values, { min: field.min === undefined ? "" : String(field.min), max: field.max === undefined ? "" : String(field.max), integer: field.integer ? "on" : "" });
      break;
    case "date":
      values.when = field.when ?? "";
      break;
    case "choice":
      Object.assign(values, { options: field.options.map((option) => option.label).join("\n"), multiple: field.multiple ? "on" : "" });
      break;
    case "national_id":
      values.country = field.country ?? "";
      break;
    case "file":
      Object.assign(values, { accept: field.accept.join(","), max_bytes_mb: String(Math.max(1, Math.round(field.maxBytes / (1024 * 1024)))) });
      break;
    case "repeat":
      Object.assign(values, { min: String(field.min), max: String(field.max) });
      break;
  }
  return emptyForm(values);
}

/** The field with this id, in a section or inside a repeated block. */
export function findField(def: FormDefinition, fieldId: string): FieldDef | undefined {
  const found = locate(def, fieldId);
  return found ? found.list[found.index] : undefined;
}

/**
 * Changes an existing field's words and settings in place. Its id and type stay: answers already
 * given, the certificate's placeholders and key fields and other fields' conditions name it by id,
 * and an answer of one type does not read as another. The procedure's form version goes up on
 * save (store.updateProcedure), as for any other change, so dossiers keep the version they were filed under.
 */
export function editField(current: FormDefinition, fieldId: string, form: FormReader): BuilderResult {
  const def = clone(current);
  const found = locate(def, fieldId);
  if (!found) {
    form.fail("label", "error.not_found");
    return {};
  }
  const previous = found.list[found.index]!;
  const field = readFieldSettings(form, previous.type, previous.id, previous);
  if (form.invalid || !field) return {};
  found.list[found.index] = field;
  return checkedAllowingEmptyBlock(def, form, "label", `b-${field.id}`);
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

/** Whether the removal was confirmed: the first button only opens the question, the second one removes. */
export const removalConfirmed = (form: FormReader) => form.text("confirm", { max: 10 }) === "yes";

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
  return checkedAllowingEmptyBlock(def, form, "label", "builder");
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
