import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import {
  answersToValues as formAnswersToValues,
  definitionProblems as formDefinitionProblems,
  displayAnswer as formDisplayAnswer,
  FIELD_ID_PATTERN,
  FILE_KINDS,
  fieldDocumentLabel as formFieldDocumentLabel,
  fieldLabel as formFieldLabel,
  fieldName as formFieldName,
  entryFieldName as formEntryFieldName,
  inputBudget as formInputBudget,
  MAX_DOCUMENT_LABEL_LENGTH,
  MAX_FILE_BYTES,
  MULTIPART_LIMITS,
  NATIONAL_ID_COUNTRIES,
  readForm,
  summariseAnswers as formSummariseAnswers,
  type Answers,
  type DefinitionProblemCode,
  type FileKind,
  type FormValues,
  type ReadResult,
  type SummarySection,
} from "../../core/forms/index.js";
import type { Formatters, Translate } from "../../core/i18n/index.js";

/*
 * The form of an administrative procedure, as an administrator defines it and as it is stored
 * (JSONB): sections of fields, in the shape the core form engine (core/forms) reads, so that
 * this file only holds the stored schema, the procedure's limits and its words for problems.
 */

export {
  ADDRESS_PARTS,
  collectFiles,
  FIELD_ID_PATTERN,
  FILE_KINDS,
  documentLabelOf,
  fileKindsLabel,
  MAX_DOCUMENT_LABEL_LENGTH,
  MAX_FILE_BYTES,
  MULTIPART_LIMITS,
  NATIONAL_ID_COUNTRIES,
  NATIONAL_ID_FORMATS,
  nationalIdFormat,
  type AddressAnswer,
  type AnswerValue,
  type Answers,
  type FileAnswer,
  type FileKind,
  type FormValues,
  type NationalIdCountry,
  type NationalIdFormat,
  type PendingFile,
  type ReadResult,
  type RepeatEntry,
  type SimpleAnswer,
  type SummaryItem,
  type SummarySection,
} from "../../core/forms/index.js";

const FIELD_PREFIX = "f.";

// ---------------------------------------------------------------------------------------------
// Definition schema

const Id = Type.String({ pattern: FIELD_ID_PATTERN.source });
const Label = Type.String({ minLength: 1, maxLength: 300 });

const common = {
  id: Id,
  label: Label,
  /** The answer's name on the certificate and its verification page; the label when absent. */
  documentLabel: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_DOCUMENT_LABEL_LENGTH })),
  hint: Type.Optional(Type.String({ maxLength: 1000 })),
  required: Type.Boolean(),
  /** Shown (and read) only when another field, earlier in the form, has this value. */
  showIf: Type.Optional(Type.Object({ field: Id, equals: Type.String({ maxLength: 200 }) }, { additionalProperties: false })),
};
const strict = { additionalProperties: false } as const;

const TextFieldSchema = Type.Object(
  { ...common, type: Type.Literal("text"), maxLength: Type.Integer({ minimum: 1, maximum: 100_000 }), multiline: Type.Optional(Type.Boolean()) },
  strict,
);
const NumberFieldSchema = Type.Object(
  { ...common, type: Type.Literal("number"), min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()), integer: Type.Optional(Type.Boolean()) },
  strict,
);
const DateFieldSchema = Type.Object(
  {
    ...common,
    type: Type.Literal("date"),
    /** "past": today or before (a birth date); "future": today or after (a wedding date). */
    when: Type.Optional(Type.Union([Type.Literal("past"), Type.Literal("future")])),
  },
  strict,
);
const ChoiceOption = Type.Object({ value: Type.String({ minLength: 1, maxLength: 100 }), label: Label }, strict);
const ChoiceFieldSchema = Type.Object(
  { ...common, type: Type.Literal("choice"), options: Type.Array(ChoiceOption, { maxItems: 200 }), multiple: Type.Optional(Type.Boolean()) },
  strict,
);
const YesNoFieldSchema = Type.Object({ ...common, type: Type.Literal("yesno") }, strict);
const PhoneFieldSchema = Type.Object(
  {
    ...common,
    type: Type.Literal("phone"),
    /** Country assumed for numbers typed without their international prefix; the municipality's by default. */
    country: Type.Optional(Type.String({ pattern: "^[A-Z]{2}$" })),
  },
  strict,
);
const NationalIdFieldSchema = Type.Object(
  {
    ...common,
    type: Type.Literal("national_id"),
    /** The municipality's country by default. */
    country: Type.Optional(Type.Union(NATIONAL_ID_COUNTRIES.map((code) => Type.Literal(code)))),
  },
  strict,
);
const AddressFieldSchema = Type.Object({ ...common, type: Type.Literal("address") }, strict);
const FileFieldSchema = Type.Object(
  {
    ...common,
    type: Type.Literal("file"),
    accept: Type.Array(Type.Union((Object.keys(FILE_KINDS) as FileKind[]).map((kind) => Type.Literal(kind))), { maxItems: 4 }),
    maxBytes: Type.Integer({ minimum: 1, maximum: MAX_FILE_BYTES }),
  },
  strict,
);

const SimpleFieldSchema = Type.Union([
  TextFieldSchema,
  NumberFieldSchema,
  DateFieldSchema,
  ChoiceFieldSchema,
  YesNoFieldSchema,
  PhoneFieldSchema,
  NationalIdFieldSchema,
  AddressFieldSchema,
  FileFieldSchema,
]);
const RepeatFieldSchema = Type.Object(
  {
    ...common,
    type: Type.Literal("repeat"),
    /** No repeat inside a repeat: one level of index in form names is all the view handles. */
    fields: Type.Array(SimpleFieldSchema, { maxItems: 20 }),
    min: Type.Integer({ minimum: 0, maximum: 50 }),
    max: Type.Integer({ minimum: 1, maximum: 50 }),
  },
  strict,
);
const FieldDefSchema = Type.Union([SimpleFieldSchema, RepeatFieldSchema]);
const SectionSchema = Type.Object(
  { id: Id, title: Label, description: Type.Optional(Type.String({ maxLength: 5000 })), fields: Type.Array(FieldDefSchema, { maxItems: 100 }) },
  strict,
);
export const FormDefinitionSchema = Type.Object({ sections: Type.Array(SectionSchema, { maxItems: 50 }) }, strict);

export type TextFieldDef = Static<typeof TextFieldSchema>;
export type NumberFieldDef = Static<typeof NumberFieldSchema>;
export type DateFieldDef = Static<typeof DateFieldSchema>;
export type ChoiceFieldDef = Static<typeof ChoiceFieldSchema>;
export type YesNoFieldDef = Static<typeof YesNoFieldSchema>;
export type PhoneFieldDef = Static<typeof PhoneFieldSchema>;
export type NationalIdFieldDef = Static<typeof NationalIdFieldSchema>;
export type AddressFieldDef = Static<typeof AddressFieldSchema>;
export type FileFieldDef = Static<typeof FileFieldSchema>;
export type SimpleFieldDef = Static<typeof SimpleFieldSchema>;
export type RepeatFieldDef = Static<typeof RepeatFieldSchema>;
export type FieldDef = Static<typeof FieldDefSchema>;
export type Section = Static<typeof SectionSchema>;
export type FormDefinition = Static<typeof FormDefinitionSchema>;


// ---------------------------------------------------------------------------------------------
// Structural checks

export interface DefinitionProblem {
  key: string;
  /** The section or field concerned; the form itself when empty. */
  id: string;
}

/** Core's problem codes in a procedure's words (a procedure has fields, not questions). */
const PROBLEM_KEYS: Record<DefinitionProblemCode, string> = {
  empty: "eservices.form.def.empty",
  invalid_id: "eservices.form.def.invalid_id",
  duplicate_id: "eservices.form.def.duplicate_id",
  choice_no_options: "eservices.form.def.choice_no_options",
  choice_duplicate_option: "eservices.form.def.choice_duplicate_option",
  min_above_max: "eservices.form.def.min_above_max",
  // A procedure has no scale field: its schema refuses one before these checks run.
  scale_min_max: "eservices.form.def.malformed",
  scale_too_wide: "eservices.form.def.malformed",
  file_no_type: "eservices.form.def.file_no_type",
  repeat_empty: "eservices.form.def.repeat_empty",
  nested_repeat: "eservices.form.def.nested_repeat",
  show_if_unknown: "eservices.form.def.show_if_unknown",
  show_if_later: "eservices.form.def.show_if_later",
  show_if_target: "eservices.form.def.show_if_target",
  show_if_value: "eservices.form.def.show_if_value",
  too_many_files: "eservices.form.def.too_many_files",
  too_many_inputs: "eservices.form.def.too_many_inputs",
};

/** The most inputs and file inputs the rendered form can send. */
export const inputBudget = (def: FormDefinition) => formInputBudget(def);

export const hasFileFields = (def: FormDefinition) => inputBudget(def).files > 0;

/**
 * Every structural problem with the field or section it concerns, in form order, for an editor
 * that points at each. The TypeBox schema checks shapes; this checks what a schema cannot.
 */
export function definitionProblems(def: FormDefinition, limits = MULTIPART_LIMITS): DefinitionProblem[] {
  return formDefinitionProblems(def, { limits }).map((problem) => ({ key: PROBLEM_KEYS[problem.code], id: problem.id }));
}

/** The message keys of every structural problem, each once; empty when the definition is usable. */
export function checkDefinition(def: FormDefinition, limits = MULTIPART_LIMITS): string[] {
  return [...new Set(definitionProblems(def, limits).map((problem) => problem.key))];
}

/**
 * Reads a stored or submitted definition (JSONB comes back as plain objects): its shape first,
 * then its structure. Returns the definition only when both hold.
 */
export function parseDefinition(value: unknown, limits = MULTIPART_LIMITS): { def?: FormDefinition; problems: string[] } {
  if (!Value.Check(FormDefinitionSchema, value)) return { problems: ["eservices.form.def.malformed"] };
  const problems = checkDefinition(value, limits);
  return problems.length > 0 ? { problems } : { def: value, problems };
}

// ---------------------------------------------------------------------------------------------
// Answers

export interface ReadContext {
  /** ISO country of the municipality, for phone numbers and national ids a field does not pin. */
  country: string;
  /** Today as YYYY-MM-DD in the municipality's time zone; UTC today when absent. */
  today?: string;
}

export interface ReadOptions {
  /** Keep what is valid and ask for nothing: a citizen saving a draft. */
  draft?: boolean;
  /** Answers already saved (a draft): files sent before are kept when their box stays ticked. */
  previous?: Answers;
}

export const fieldName = (fieldId: string) => formFieldName(fieldId, FIELD_PREFIX);
export const entryFieldName = (repeatId: string, index: number, fieldId: string) => formEntryFieldName(repeatId, index, fieldId, FIELD_PREFIX);

/**
 * Reads a submitted dossier against its form (see core/forms readForm). Hidden fields are neither
 * required nor kept; errors are keyed by form name; `files` lists the uploads to store.
 */
export function readAnswers(def: FormDefinition, body: Record<string, unknown>, files: Record<string, unknown>, ctx: ReadContext, options: ReadOptions = {}): ReadResult {
  return readForm(def, body, files, { ...options, country: ctx.country, today: ctx.today, prefix: FIELD_PREFIX });
}

/** Values to fill the form with from saved answers (a draft reopened, an agent correcting). */
export const answersToValues = (def: FormDefinition, answers: Answers): FormValues => formAnswersToValues(def, answers, FIELD_PREFIX);

// ---------------------------------------------------------------------------------------------
// Summary

/**
 * Label and value of every answered field, section by section, as people read them: for the
 * dossier page and the PDF certificate. Unanswered and hidden fields are left out.
 */
export const summariseAnswers = (def: FormDefinition, answers: Answers, t: Translate, fmt: Formatters): SummarySection[] => formSummariseAnswers(def, answers, t, fmt);

/** One top-level answer as people read it (for certificate templates and key fields), or undefined. */
export const displayAnswer = (def: FormDefinition, answers: Answers, fieldId: string, t: Translate, fmt: Formatters): string | undefined =>
  formDisplayAnswer(def, answers, fieldId, t, fmt);

/** The label of a top-level field, or the id itself when the form no longer has it. */
export const fieldLabel = (def: FormDefinition, fieldId: string): string => formFieldLabel(def, fieldId);

/** What the certificate and its verification page call a top-level field: its document label, else its question. */
export const fieldDocumentLabel = (def: FormDefinition, fieldId: string): string => formFieldDocumentLabel(def, fieldId);
