import { MEDIA_TYPES } from "../files/index.js";

/*
 * The fields of a form, as the engine reads and renders them. A module keeps its own stored
 * shape (a procedure's sections, a survey's questions) and hands the engine this one: plain
 * data, so that a definition survives a round trip through JSONB unchanged.
 */

export const FIELD_ID_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;

/** Widest scale offered: eleven radio buttons (0 to 10) is the most people compare at a glance. */
export const MAX_SCALE_POINTS = 11;

export const FILE_KINDS = { pdf: MEDIA_TYPES.pdf, jpeg: MEDIA_TYPES.jpeg, png: MEDIA_TYPES.png, webp: MEDIA_TYPES.webp } as const;
export type FileKind = keyof typeof FILE_KINDS;
const FILE_KIND_NAMES: Record<FileKind, string> = { pdf: "PDF", jpeg: "JPEG", png: "PNG", webp: "WebP" };

/** "PDF, JPEG": format names, the same in every language. */
export const fileKindsLabel = (kinds: readonly FileKind[]) => kinds.map((kind) => FILE_KIND_NAMES[kind]).join(", ");

/** Largest file a definition may ask for; the server's upload limit may be lower still. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

export interface FieldCondition {
  /** An earlier field (in a repeated block: a sibling above, or any field before the block). */
  field: string;
  /** An option's value, "yes"/"no", or the text typed. */
  equals: string;
}

interface FieldBase {
  id: string;
  label: string;
  /**
   * A short name for the answer on documents and verification pages ("Résidant depuis le"), where
   * the question itself ("Vous habitez à cette adresse depuis le") reads wrong; the label when absent.
   */
  documentLabel?: string;
  hint?: string;
  required: boolean;
  /** Shown (and read) only when an earlier field has this value. */
  showIf?: FieldCondition;
}

export interface ChoiceOption {
  value: string;
  label: string;
}

export interface TextField extends FieldBase {
  type: "text";
  maxLength: number;
  multiline?: boolean;
}
export interface NumberField extends FieldBase {
  type: "number";
  min?: number;
  max?: number;
  integer?: boolean;
}
export interface DateField extends FieldBase {
  type: "date";
  /** "past": today or before (a birth date); "future": today or after (a wedding date). */
  when?: "past" | "future";
}
export interface ChoiceField extends FieldBase {
  type: "choice";
  options: ChoiceOption[];
  multiple?: boolean;
  /** With `multiple`: the most options one may tick. */
  maxChoices?: number;
}
/** Integer points from min to max as radios; the two ends may carry words. */
export interface ScaleField extends FieldBase {
  type: "scale";
  min: number;
  max: number;
  minLabel?: string;
  maxLabel?: string;
}
export interface YesNoField extends FieldBase {
  type: "yesno";
}
export interface PhoneField extends FieldBase {
  type: "phone";
  /** Country assumed for numbers typed without their international prefix; the reader's by default. */
  country?: string;
}
export interface NationalIdField extends FieldBase {
  type: "national_id";
  country?: string;
}
export interface AddressField extends FieldBase {
  type: "address";
}
export interface FileField extends FieldBase {
  type: "file";
  accept: FileKind[];
  maxBytes: number;
}
export type SimpleField = TextField | NumberField | DateField | ChoiceField | ScaleField | YesNoField | PhoneField | NationalIdField | AddressField | FileField;

/** Entries of the same fields, added one at a time. No repeat inside a repeat: one level of index in names. */
export interface RepeatField extends FieldBase {
  type: "repeat";
  fields: SimpleField[];
  min: number;
  max: number;
}
export type FormField = SimpleField | RepeatField;
export type FieldType = FormField["type"];

export interface FormSection {
  id: string;
  /** Empty for a form drawn without section headings (a survey). */
  title: string;
  description?: string;
  fields: FormField[];
}

export interface FormDefinition {
  sections: FormSection[];
}

export const formFields = (def: FormDefinition): FormField[] => def.sections.flatMap((section) => section.fields);

/** Longest document label: it is a signed key of a certificate's QR code, and a table cell on the PDF. */
export const MAX_DOCUMENT_LABEL_LENGTH = 60;

/** What a document calls the field's answer: its document label, or its question. */
export const documentLabelOf = (field: Pick<FieldBase, "label" | "documentLabel">): string => field.documentLabel?.trim() || field.label;

// ---------------------------------------------------------------------------------------------
// Structural checks

/**
 * What the server accepts in one multipart form (see server.tsx): 50 plain fields, of which
 * _csrf, _idem and the pressed button take three and a caller may add a couple of its own; and
 * one file. A definition past these would be refused with 413 on every submission.
 */
export const MULTIPART_LIMITS = { inputs: 190, files: 10 };

export type DefinitionProblemCode =
  | "empty"
  | "invalid_id"
  | "duplicate_id"
  | "choice_no_options"
  | "choice_duplicate_option"
  | "min_above_max"
  | "scale_min_max"
  | "scale_too_wide"
  | "file_no_type"
  | "repeat_empty"
  | "nested_repeat"
  | "show_if_unknown"
  | "show_if_later"
  | "show_if_target"
  | "show_if_value"
  | "too_many_files"
  | "too_many_inputs";

export interface DefinitionProblem<Code extends string = DefinitionProblemCode> {
  code: Code;
  /** The section or field concerned; the form itself when empty. */
  id: string;
}

export interface CheckOptions {
  limits?: { inputs: number; files: number };
  /** "choices": a condition may only test a choice field (a survey's rule); "any" by default. */
  conditionsOn?: "choices" | "any";
}

function simpleInputCount(field: SimpleField): { inputs: number; files: number } {
  switch (field.type) {
    case "address":
      return { inputs: 3, files: 0 };
    case "choice":
      return { inputs: field.multiple ? field.options.length : 1, files: 0 };
    case "file":
      // Browsers send every file input, even left empty, plus our "keep" checkbox.
      return { inputs: 1, files: 1 };
    default:
      return { inputs: 1, files: 0 };
  }
}

/** The most inputs and file inputs the rendered form can send. */
export function inputBudget(def: FormDefinition): { inputs: number; files: number } {
  let inputs = 0;
  let files = 0;
  for (const field of formFields(def)) {
    const times = field.type === "repeat" ? field.max : 1;
    for (const sub of field.type === "repeat" ? field.fields : [field]) {
      const count = simpleInputCount(sub);
      inputs += count.inputs * times;
      files += count.files * times;
    }
  }
  return { inputs, files };
}

/** Whether the form must be sent as multipart. */
export const hasFileFields = (def: FormDefinition) => inputBudget(def).files > 0;

/** Values a condition may test, or undefined for any text; null when a field cannot be tested. */
function testableValues(field: FormField): string[] | undefined | null {
  switch (field.type) {
    case "choice":
      return field.options.map((option) => option.value);
    case "yesno":
      return ["yes", "no"];
    case "scale":
      return Array.from({ length: Math.max(0, field.max - field.min + 1) }, (_, index) => String(field.min + index));
    case "address":
    case "file":
    case "repeat":
      return null;
    default:
      return undefined;
  }
}

function checkField(field: FormField, add: (code: DefinitionProblemCode) => void): void {
  if (!FIELD_ID_PATTERN.test(field.id)) add("invalid_id");
  switch (field.type) {
    case "choice":
      if (field.options.length === 0) add("choice_no_options");
      if (new Set(field.options.map((option) => option.value)).size !== field.options.length) add("choice_duplicate_option");
      break;
    case "number":
      if (field.min !== undefined && field.max !== undefined && field.min > field.max) add("min_above_max");
      break;
    case "scale":
      if (field.min >= field.max) add("scale_min_max");
      else if (field.max - field.min + 1 > MAX_SCALE_POINTS) add("scale_too_wide");
      break;
    case "file":
      if (field.accept.length === 0) add("file_no_type");
      break;
    case "repeat":
      if (field.min > field.max) add("min_above_max");
      if (field.fields.length === 0) add("repeat_empty");
      break;
  }
}

function checkCondition(field: FormField, earlier: Map<string, FormField>, all: Set<string>, options: CheckOptions, add: (code: DefinitionProblemCode) => void): void {
  if (!field.showIf) return;
  const target = earlier.get(field.showIf.field);
  // The field itself is not "earlier" yet, so a condition on itself is reported as later.
  if (!target) return add(all.has(field.showIf.field) ? "show_if_later" : "show_if_unknown");
  const values = options.conditionsOn === "choices" && target.type !== "choice" ? null : testableValues(target);
  if (values === null) add("show_if_target");
  else if (values && !values.includes(field.showIf.equals)) add("show_if_value");
}

/**
 * Every structural problem with the field or section it concerns, in form order, for an editor
 * that points at each. A module's schema checks shapes; this checks what a schema cannot.
 */
export function definitionProblems(def: FormDefinition, options: CheckOptions = {}): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const adder = (id: string) => (code: DefinitionProblemCode) => void problems.push({ code, id });
  const fields = formFields(def);
  if (fields.length === 0) adder("")("empty");

  const sectionIds = new Set<string>();
  for (const section of def.sections) {
    if (!FIELD_ID_PATTERN.test(section.id)) adder(section.id)("invalid_id");
    if (sectionIds.has(section.id)) adder(section.id)("duplicate_id");
    sectionIds.add(section.id);
  }

  const allIds = new Set(fields.map((field) => field.id));
  const earlier = new Map<string, FormField>();
  for (const field of fields) {
    const add = adder(field.id);
    if (earlier.has(field.id)) add("duplicate_id");
    checkField(field, add);
    checkCondition(field, earlier, allIds, options, add);
    if (field.type === "repeat") {
      const subIds = new Set(field.fields.map((sub) => sub.id));
      // Inside an entry, a condition may test a sibling above it or any field before the block.
      const scope = new Map(earlier);
      const seen = new Set<string>();
      for (const sub of field.fields as FormField[]) {
        const addSub = adder(sub.id);
        if (sub.type === "repeat") addSub("nested_repeat");
        if (seen.has(sub.id)) addSub("duplicate_id");
        seen.add(sub.id);
        checkField(sub, addSub);
        checkCondition(sub, scope, new Set([...allIds, ...subIds]), options, addSub);
        scope.set(sub.id, sub);
      }
    }
    earlier.set(field.id, field);
  }

  // Only a form with a file input is sent as multipart; the others have no such limits.
  const limits = options.limits ?? MULTIPART_LIMITS;
  const budget = inputBudget(def);
  if (budget.files > 0) {
    if (budget.files > limits.files) adder("")("too_many_files");
    if (budget.inputs > limits.inputs) adder("")("too_many_inputs");
  }
  return problems;
}
