import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { normalizePhone } from "../../core/auth/phone.js";
import { cleanFileName, isUploadedFile, MEDIA_TYPES, sniffMediaType, type UploadedFile } from "../../core/files/index.js";
import type { FieldError } from "../../core/http/errors.js";
import { cleanText, parseLocalDate, parseLocalNumber } from "../../core/http/forms.js";
import type { Formatters, Translate } from "../../core/i18n/index.js";

/*
 * The form of an administrative procedure, as an administrator defines it and as it is stored
 * (JSONB), then read from a citizen's submission. Everything here is plain data so that a
 * definition and its answers survive a round trip through the database unchanged.
 *
 * Form names: `f.<field>` for a simple field, `f.<field>.line|quarter|town` for the parts of an
 * address, `f.<field>.keep` for "keep the file already sent", and `f.<repeat>.<index>.<field>`
 * (plus the same suffixes) inside a repeated block. Ids start with a letter and indexes are
 * digits, so no two names can collide.
 */

export const FIELD_ID_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
const FIELD_PREFIX = "f.";

// ---------------------------------------------------------------------------------------------
// National identity numbers

export interface NationalIdFormat {
  /** Checked against the normalised value. */
  pattern: RegExp;
  /** As printed on the card, shown to people in hints and error messages. */
  example: string;
  /** What is stored: people copy the number with the spaces, dots or dashes of the card. */
  normalise: (raw: string) => string;
}

const compact = (raw: string) => raw.toUpperCase().replace(/[\s.\-/_]/g, "");

/**
 * Formats per country. Only Senegal and Mali are described precisely by public sources we could
 * read; the others are assumptions, deliberately loose, to be tightened once a civil-registry
 * contact confirms them. A too-strict pattern would lock people out of a procedure, a loose one
 * only lets a typo through to the agent who checks the card anyway.
 */
export const NATIONAL_ID_FORMATS = {
  // NIN of the ECOWAS biometric card (since October 2016): 13 digits, the first giving the sex
  // (1 or 2). Printed in groups separated by spaces.
  SN: { pattern: /^[12]\d{12}$/, example: "1 751 1990 01234", normalise: compact },
  // NPI, decree of 14 April 2025: 18 characters, 13 digits and 3 letters then a 2-digit check
  // key. Where the letters sit is our inference (a prefecture code such as CKY), so any place in
  // the first 16 characters is accepted. The check key algorithm is not public: not verified.
  // Older cards (still held by most people) carry a plain number: ASSUMED 6 to 14 digits.
  GN: { pattern: /^((?=(?:\d*[A-Z]){3}\d*$)[0-9A-Z]{16}\d{2}|\d{6,14})$/, example: "1 95 03 CKY 01 02 1234 45", normalise: compact },
  // ASSUMED: no public description of the number on the Bissau-Guinean ECOWAS card was found.
  GW: { pattern: /^\d{8,13}$/, example: "123456789", normalise: compact },
  // ASSUMED: the former card carried a 7-digit number; the AES biometric card (decree of
  // 26 December 2025) is not described yet.
  NE: { pattern: /^\d{7,13}$/, example: "1234567", normalise: compact },
  // NINA, law 06-040 of 2006: 14 digits (nationality, sex, year, 7-digit place, 3-digit rank)
  // followed by a check letter.
  ML: { pattern: /^\d{14}[A-Z]$/, example: "1 1 89 0101001 023 C", normalise: compact },
  // ASSUMED: the NNI (not the "CI00…" number of the card itself) as 11 digits.
  CI: { pattern: /^\d{11}$/, example: "123 4567 8901", normalise: compact },
  // ASSUMED: CNIB numbers as the letter B followed by 7 or 8 digits.
  BF: { pattern: /^B\d{7,8}$/, example: "B 1234567", normalise: compact },
} as const satisfies Record<string, NationalIdFormat>;

export type NationalIdCountry = keyof typeof NATIONAL_ID_FORMATS;
export const NATIONAL_ID_COUNTRIES = Object.keys(NATIONAL_ID_FORMATS) as NationalIdCountry[];

/** For a municipality outside the table: letters and digits only, so that stored ids compare. */
const ANY_NATIONAL_ID: NationalIdFormat = { pattern: /^[0-9A-Z]{5,20}$/, example: "AB123456", normalise: compact };

export function nationalIdFormat(country: string): NationalIdFormat {
  return (NATIONAL_ID_FORMATS as Record<string, NationalIdFormat>)[country] ?? ANY_NATIONAL_ID;
}

// ---------------------------------------------------------------------------------------------
// Definition schema

export const FILE_KINDS = { pdf: MEDIA_TYPES.pdf, jpeg: MEDIA_TYPES.jpeg, png: MEDIA_TYPES.png, webp: MEDIA_TYPES.webp } as const;
export type FileKind = keyof typeof FILE_KINDS;
const FILE_KIND_NAMES: Record<FileKind, string> = { pdf: "PDF", jpeg: "JPEG", png: "PNG", webp: "WebP" };

/** "PDF, JPEG": format names, the same in every language. */
export const fileKindsLabel = (kinds: readonly FileKind[]) => kinds.map((kind) => FILE_KIND_NAMES[kind]).join(", ");

/** Largest file a definition may ask for; the server's upload limit may be lower still. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

const Id = Type.String({ pattern: FIELD_ID_PATTERN.source });
const Label = Type.String({ minLength: 1, maxLength: 300 });

const common = {
  id: Id,
  label: Label,
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

/**
 * What the server accepts in one multipart form (see server.tsx): 50 plain fields, of which
 * _csrf, _idem and the pressed button take three and a caller may add a couple of its own; and
 * one file. A definition past these would be refused with 413 on every submission.
 */
export const MULTIPART_LIMITS = { inputs: 190, files: 10 };

export interface DefinitionProblem {
  key: string;
  /** The section or field concerned; the form itself when empty. */
  id: string;
}

function simpleInputCount(field: SimpleFieldDef): { inputs: number; files: number } {
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
  for (const field of def.sections.flatMap((section) => section.fields)) {
    if (field.type === "repeat") {
      for (const sub of field.fields) {
        const count = simpleInputCount(sub);
        inputs += count.inputs * field.max;
        files += count.files * field.max;
      }
    } else {
      const count = simpleInputCount(field);
      inputs += count.inputs;
      files += count.files;
    }
  }
  return { inputs, files };
}

export function hasFileFields(def: FormDefinition): boolean {
  return inputBudget(def).files > 0;
}

/** Values a showIf may test, or undefined for any text; null when a field cannot be tested. */
function testableValues(field: FieldDef): string[] | undefined | null {
  switch (field.type) {
    case "choice":
      return field.options.map((option) => option.value);
    case "yesno":
      return ["yes", "no"];
    case "address":
    case "file":
    case "repeat":
      return null;
    default:
      return undefined;
  }
}

function checkField(field: FieldDef, problems: DefinitionProblem[]): void {
  const add = (key: string) => problems.push({ key, id: field.id });
  if (!FIELD_ID_PATTERN.test(field.id)) add("eservices.form.def.invalid_id");
  switch (field.type) {
    case "choice": {
      if (field.options.length === 0) add("eservices.form.def.choice_no_options");
      if (new Set(field.options.map((option) => option.value)).size !== field.options.length) add("eservices.form.def.choice_duplicate_option");
      break;
    }
    case "number":
      if (field.min !== undefined && field.max !== undefined && field.min > field.max) add("eservices.form.def.min_above_max");
      break;
    case "file":
      if (field.accept.length === 0) add("eservices.form.def.file_no_type");
      break;
    case "repeat":
      if (field.min > field.max) add("eservices.form.def.min_above_max");
      if (field.fields.length === 0) add("eservices.form.def.repeat_empty");
      break;
  }
}

function checkShowIf(field: FieldDef, earlier: Map<string, FieldDef>, all: Set<string>, problems: DefinitionProblem[]): void {
  if (!field.showIf) return;
  const target = earlier.get(field.showIf.field);
  if (!target) {
    problems.push({ key: all.has(field.showIf.field) ? "eservices.form.def.show_if_later" : "eservices.form.def.show_if_unknown", id: field.id });
    return;
  }
  const values = testableValues(target);
  if (values === null) problems.push({ key: "eservices.form.def.show_if_target", id: field.id });
  else if (values && !values.includes(field.showIf.equals)) problems.push({ key: "eservices.form.def.show_if_value", id: field.id });
}

/**
 * Every structural problem with the field or section it concerns, in form order, for an editor
 * that points at each. The TypeBox schema checks shapes; this checks what a schema cannot.
 */
export function definitionProblems(def: FormDefinition, limits = MULTIPART_LIMITS): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const fields = def.sections.flatMap((section) => section.fields);
  if (fields.length === 0) problems.push({ key: "eservices.form.def.empty", id: "" });

  const sectionIds = new Set<string>();
  for (const section of def.sections) {
    if (!FIELD_ID_PATTERN.test(section.id)) problems.push({ key: "eservices.form.def.invalid_id", id: section.id });
    if (sectionIds.has(section.id)) problems.push({ key: "eservices.form.def.duplicate_id", id: section.id });
    sectionIds.add(section.id);
  }

  const allIds = new Set(fields.map((field) => field.id));
  const earlier = new Map<string, FieldDef>();
  for (const field of fields) {
    if (earlier.has(field.id)) problems.push({ key: "eservices.form.def.duplicate_id", id: field.id });
    checkField(field, problems);
    checkShowIf(field, earlier, allIds, problems);
    if (field.type === "repeat") {
      const subIds = new Set(field.fields.map((sub) => sub.id));
      // Inside an entry, a condition may test a sibling above it or any field before the block.
      const scope = new Map(earlier);
      const seen = new Set<string>();
      for (const sub of field.fields as FieldDef[]) {
        if (sub.type === "repeat") problems.push({ key: "eservices.form.def.nested_repeat", id: sub.id });
        if (seen.has(sub.id)) problems.push({ key: "eservices.form.def.duplicate_id", id: sub.id });
        seen.add(sub.id);
        checkField(sub, problems);
        checkShowIf(sub, scope, new Set([...allIds, ...subIds]), problems);
        scope.set(sub.id, sub);
      }
    }
    earlier.set(field.id, field);
  }

  // Only a form with a file input is sent as multipart; the others have no such limits.
  const budget = inputBudget(def);
  if (budget.files > 0) {
    if (budget.files > limits.files) problems.push({ key: "eservices.form.def.too_many_files", id: "" });
    if (budget.inputs > limits.inputs) problems.push({ key: "eservices.form.def.too_many_inputs", id: "" });
  }
  return problems;
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

export interface AddressAnswer {
  line: string;
  quarter: string;
  town: string;
}

export interface FileAnswer {
  /** The stored file's id; empty until the caller stores the PendingFile that points here. */
  fileId: string;
  name: string;
  mediaType: string;
  sizeBytes: number;
}

export type SimpleAnswer = string | number | boolean | string[] | AddressAnswer | FileAnswer;
export type RepeatEntry = Record<string, SimpleAnswer>;
export type AnswerValue = SimpleAnswer | RepeatEntry[];
/** By field id; a field hidden, left empty or invalid has no entry. Plain JSON. */
export type Answers = Record<string, AnswerValue>;

/** What the form shows back, by form name: as typed, so that a mistake can be corrected. */
export type FormValues = Record<string, string | string[]>;

export interface PendingFile {
  /** Form name of the input it came from. */
  name: string;
  /** Where its answer sits: [field] or [repeat, entry index in answers, field]. */
  path: (string | number)[];
  filename: string;
  data: Buffer;
  mediaType: string;
  /** The very object inside the answers: set its fileId once the file is stored. */
  answer: FileAnswer;
}

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

export interface ReadResult {
  answers: Answers;
  errors: Record<string, FieldError>;
  values: FormValues;
  files: PendingFile[];
}

export const fieldName = (fieldId: string) => `${FIELD_PREFIX}${fieldId}`;
export const entryFieldName = (repeatId: string, index: number, fieldId: string) => `${FIELD_PREFIX}${repeatId}.${index}.${fieldId}`;
export const ADDRESS_PARTS = ["line", "quarter", "town"] as const;

const MAX_RAW_LENGTH = { number: 40, date: 20, phone: 40, nationalId: 60, addressPart: 200 };

function phoneError(country: string): FieldError {
  try {
    return { key: "eservices.form.invalid_phone", params: { code: getCountryCallingCode(country as CountryCode) } };
  } catch {
    return { key: "eservices.form.invalid_phone_any" };
  }
}

const isAddress = (value: unknown): value is AddressAnswer => !!value && typeof value === "object" && "town" in value;
const isFileAnswer = (value: unknown): value is FileAnswer => !!value && typeof value === "object" && "fileId" in value && typeof (value as FileAnswer).fileId === "string";

/** What a showIf compares against: the value as stored, or "yes"/"no". */
function comparable(value: SimpleAnswer | undefined): string[] {
  if (value === undefined) return [];
  if (typeof value === "boolean") return [value ? "yes" : "no"];
  if (Array.isArray(value)) return value;
  if (typeof value === "string" || typeof value === "number") return [String(value)];
  return [];
}

interface Scope {
  /** Comparable values of the fields read so far that are shown; hidden ones are absent. */
  lookup(fieldId: string): string[] | undefined;
}

class AnswerReader {
  readonly errors: Record<string, FieldError> = {};
  readonly values: FormValues = {};
  readonly files: PendingFile[] = [];
  private readonly today: string;

  constructor(
    private readonly body: Record<string, unknown>,
    private readonly uploads: Record<string, unknown>,
    private readonly ctx: ReadContext,
    private readonly options: ReadOptions,
  ) {
    this.today = ctx.today ?? new Date().toISOString().slice(0, 10);
  }

  private fail(name: string, error: FieldError): undefined {
    if (!this.errors[name]) this.errors[name] = error;
    return undefined;
  }

  private requireIfSubmitting(name: string, required: boolean): undefined {
    if (required && !this.options.draft) this.fail(name, { key: "eservices.form.required" });
    return undefined;
  }

  /** The first string sent under a name; anything else (a file, an object) counts as nothing. */
  private raw(name: string): string {
    const value = this.body[name];
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === "string" ? first : "";
  }

  private list(name: string): string[] {
    const value = this.body[name];
    const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return [...new Set(all.filter((item): item is string => typeof item === "string").map((item) => item.trim()))].filter(Boolean);
  }

  private upload(name: string): UploadedFile | undefined {
    const value = this.uploads[name];
    const first = Array.isArray(value) ? value.find((item) => isUploadedFile(item) && item.data.length > 0) : value;
    return isUploadedFile(first) && first.data.length > 0 ? first : undefined;
  }

  /** Whether anything was sent for the field, to tell an empty repeated entry from a filled one. */
  sent(field: SimpleFieldDef, name: string): boolean {
    switch (field.type) {
      case "address":
        return ADDRESS_PARTS.some((part) => cleanText(this.raw(`${name}.${part}`), false) !== "");
      case "choice":
        return this.list(name).length > 0;
      case "file":
        return this.upload(name) !== undefined || this.raw(`${name}.keep`) !== "";
      default:
        return cleanText(this.raw(name), false) !== "";
    }
  }

  visible(field: FieldDef, scope: Scope): boolean {
    if (!field.showIf) return true;
    return scope.lookup(field.showIf.field)?.includes(field.showIf.equals) ?? false;
  }

  /**
   * Reads one simple field; undefined when it is empty or invalid (its error is recorded).
   * `saved` lists what this field held in the saved answers, for a file to be kept.
   */
  simple(field: SimpleFieldDef, name: string, saved: unknown[], path: (string | number)[]): SimpleAnswer | undefined {
    switch (field.type) {
      case "text": {
        const value = cleanText(this.raw(name), field.multiline === true);
        // Only what fits is echoed back: a megabyte pasted into a field is not worth re-sending.
        this.values[name] = value.slice(0, field.maxLength + 1);
        if (!value) return this.requireIfSubmitting(name, field.required);
        if (value.length > field.maxLength) return this.fail(name, { key: "eservices.form.too_long", params: { max: field.maxLength } });
        return value;
      }
      case "number": {
        const raw = cleanText(this.raw(name), false).slice(0, MAX_RAW_LENGTH.number);
        this.values[name] = raw;
        if (!raw) return this.requireIfSubmitting(name, field.required);
        const value = parseLocalNumber(raw);
        if (value === undefined) return this.fail(name, { key: "eservices.form.not_a_number" });
        if (field.integer && !Number.isInteger(value)) return this.fail(name, { key: "eservices.form.not_integer" });
        const { min, max } = field;
        if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
          if (min !== undefined && max !== undefined) return this.fail(name, { key: "eservices.form.out_of_range", params: { min, max } });
          if (min !== undefined) return this.fail(name, { key: "eservices.form.too_small", params: { min } });
          return this.fail(name, { key: "eservices.form.too_large", params: { max: max! } });
        }
        return value;
      }
      case "date": {
        const raw = cleanText(this.raw(name), false).slice(0, MAX_RAW_LENGTH.date);
        this.values[name] = raw;
        if (!raw) return this.requireIfSubmitting(name, field.required);
        const value = parseLocalDate(raw);
        if (!value) return this.fail(name, { key: "eservices.form.invalid_date" });
        if (field.when === "past" && value > this.today) return this.fail(name, { key: "eservices.form.date_in_future" });
        if (field.when === "future" && value < this.today) return this.fail(name, { key: "eservices.form.date_in_past" });
        return value;
      }
      case "choice": {
        const allowed = new Set(field.options.map((option) => option.value));
        if (field.multiple) {
          const chosen = this.list(name);
          const kept = chosen.filter((value) => allowed.has(value));
          this.values[name] = kept;
          if (kept.length !== chosen.length) return this.fail(name, { key: "eservices.form.invalid_choice" });
          if (kept.length === 0) return this.requireIfSubmitting(name, field.required);
          return kept;
        }
        const value = this.raw(name).trim();
        this.values[name] = allowed.has(value) ? value : "";
        if (!value) return this.requireIfSubmitting(name, field.required);
        if (!allowed.has(value)) return this.fail(name, { key: "eservices.form.invalid_choice" });
        return value;
      }
      case "yesno": {
        const value = this.raw(name).trim();
        this.values[name] = value === "yes" || value === "no" ? value : "";
        if (!value) return this.requireIfSubmitting(name, field.required);
        if (value !== "yes" && value !== "no") return this.fail(name, { key: "eservices.form.invalid_choice" });
        return value === "yes";
      }
      case "phone": {
        const raw = cleanText(this.raw(name), false).slice(0, MAX_RAW_LENGTH.phone);
        this.values[name] = raw;
        if (!raw) return this.requireIfSubmitting(name, field.required);
        const country = field.country ?? this.ctx.country;
        return normalizePhone(raw, country) ?? this.fail(name, phoneError(country));
      }
      case "national_id": {
        const raw = cleanText(this.raw(name), false).slice(0, MAX_RAW_LENGTH.nationalId);
        this.values[name] = raw;
        if (!raw) return this.requireIfSubmitting(name, field.required);
        const format = nationalIdFormat(field.country ?? this.ctx.country);
        const value = format.normalise(raw);
        if (!format.pattern.test(value)) return this.fail(name, { key: "eservices.form.invalid_national_id", params: { example: format.example } });
        return value;
      }
      case "address": {
        const parts = Object.fromEntries(ADDRESS_PARTS.map((part) => [part, cleanText(this.raw(`${name}.${part}`), false)])) as unknown as AddressAnswer;
        for (const part of ADDRESS_PARTS) this.values[`${name}.${part}`] = parts[part].slice(0, MAX_RAW_LENGTH.addressPart + 1);
        const empty = ADDRESS_PARTS.every((part) => parts[part] === "");
        if (empty) return this.requireIfSubmitting(`${name}.quarter`, field.required);
        const tooLong = ADDRESS_PARTS.filter((part) => parts[part].length > MAX_RAW_LENGTH.addressPart);
        for (const part of tooLong) this.fail(`${name}.${part}`, { key: "eservices.form.too_long", params: { max: MAX_RAW_LENGTH.addressPart } });
        if (tooLong.length > 0) return undefined;
        // Many plots have no street name or number, so the line is optional; a quarter and a town
        // are what an agent needs to find someone. A draft keeps a partial address.
        const missing = (["quarter", "town"] as const).filter((part) => !parts[part]);
        if (missing.length > 0 && !this.options.draft) {
          for (const part of missing) this.fail(`${name}.${part}`, { key: "eservices.form.required" });
          return undefined;
        }
        return parts;
      }
      case "file":
        return this.file(field, name, saved, path);
    }
  }

  private file(field: FileFieldDef, name: string, saved: unknown[], path: (string | number)[]): FileAnswer | undefined {
    const upload = this.upload(name);
    if (upload) {
      // No size in the message: the hint next to it states the limit in the reader's language.
      if (upload.data.length > field.maxBytes) return this.fail(name, { key: "eservices.form.file_too_large" });
      const mediaType = sniffMediaType(upload.data);
      const accepted = field.accept.map((kind) => FILE_KINDS[kind]);
      if (!mediaType || !(accepted as string[]).includes(mediaType)) {
        return this.fail(name, { key: "eservices.form.file_type", params: { types: fileKindsLabel(field.accept) } });
      }
      const answer: FileAnswer = { fileId: "", name: cleanFileName(upload.filename), mediaType, sizeBytes: upload.data.length };
      this.files.push({ name, path, filename: upload.filename, data: upload.data, mediaType, answer });
      return answer;
    }
    // Only a file this dossier already holds may be kept: the browser only names which one, and
    // what is kept comes from the saved answers, so nobody can attach someone else's file.
    const keep = this.raw(`${name}.keep`);
    const kept = keep ? saved.find((item): item is FileAnswer => isFileAnswer(item) && item.fileId !== "" && item.fileId === keep) : undefined;
    if (kept) {
      this.values[`${name}.keep`] = kept.fileId;
      this.values[`${name}.filename`] = kept.name;
      return { ...kept };
    }
    return this.requireIfSubmitting(name, field.required);
  }
}

function globalScope(answers: Answers, shown: Set<string>): Scope {
  return { lookup: (id) => (shown.has(id) ? comparable(answers[id] as SimpleAnswer | undefined) : undefined) };
}

/** Indexes of a repeated block's entries present in the submission, in order. */
function postedIndexes(repeatId: string, sources: Record<string, unknown>[]): number[] {
  const prefix = `${FIELD_PREFIX}${repeatId}.`;
  const indexes = new Set<number>();
  for (const source of sources) {
    for (const key of Object.keys(source)) {
      if (!key.startsWith(prefix)) continue;
      const match = /^(\d{1,3})\./.exec(key.slice(prefix.length));
      if (match) indexes.add(Number(match[1]));
    }
  }
  return [...indexes].sort((a, b) => a - b);
}

/**
 * Reads a submitted dossier against its form. `body` holds the plain fields and `files` the
 * uploads as { filename, data } (with the server's multipart set-up, both are the request body).
 * Hidden fields (their showIf not met) are neither required nor kept. Errors are keyed by form
 * name; `values` is what to show back in the form; `files` lists the uploads to store.
 */
export function readAnswers(def: FormDefinition, body: Record<string, unknown>, files: Record<string, unknown>, ctx: ReadContext, options: ReadOptions = {}): ReadResult {
  const reader = new AnswerReader(body ?? {}, files ?? {}, ctx, options);
  const answers: Answers = {};
  const shown = new Set<string>();
  const scope = globalScope(answers, shown);
  const previous = options.previous ?? {};

  // A hidden field is still read, so that what was typed comes back if the condition changes
  // on the next screen, but its value, errors and files are dropped.
  const discardSince = (errorsBefore: Set<string>, filesBefore: number) => {
    for (const key of Object.keys(reader.errors)) if (!errorsBefore.has(key)) delete reader.errors[key];
    reader.files.splice(filesBefore);
  };

  for (const field of def.sections.flatMap((section) => section.fields)) {
    const name = fieldName(field.id);
    const visible = reader.visible(field, scope);
    const errorsBefore = new Set(Object.keys(reader.errors));
    const filesBefore = reader.files.length;

    if (field.type !== "repeat") {
      const value = reader.simple(field, name, [previous[field.id]], [field.id]);
      if (!visible) {
        discardSince(errorsBefore, filesBefore);
        continue;
      }
      shown.add(field.id);
      if (value !== undefined) answers[field.id] = value;
      continue;
    }

    // Entries are matched to saved ones by file id, not by index: blank entries shift indexes.
    const savedEntries = Array.isArray(previous[field.id]) ? (previous[field.id] as RepeatEntry[]) : [];
    const entries: RepeatEntry[] = [];
    let filled = 0;
    for (const index of postedIndexes(field.id, [body ?? {}, files ?? {}])) {
      const names = field.fields.map((sub) => entryFieldName(field.id, index, sub.id));
      if (!field.fields.some((sub, i) => reader.sent(sub, names[i]!))) {
        // An entry left blank is how an entry is removed without script; echo it empty.
        const blankErrors = new Set(Object.keys(reader.errors));
        field.fields.forEach((sub, i) => reader.simple(sub, names[i]!, [], []));
        discardSince(blankErrors, reader.files.length);
        continue;
      }
      filled += 1;
      const entry: RepeatEntry = {};
      const entryShown = new Set<string>();
      const entryScope: Scope = {
        lookup: (id) => (field.fields.some((sub) => sub.id === id) ? (entryShown.has(id) ? comparable(entry[id]) : undefined) : scope.lookup(id)),
      };
      const target = entries.length;
      const filesBeforeEntry = reader.files.length;
      field.fields.forEach((sub, i) => {
        const subErrors = new Set(Object.keys(reader.errors));
        const subFiles = reader.files.length;
        const value = reader.simple(
          sub,
          names[i]!,
          savedEntries.map((saved) => saved?.[sub.id]),
          [field.id, target, sub.id],
        );
        if (!reader.visible(sub, entryScope)) return discardSince(subErrors, subFiles);
        entryShown.add(sub.id);
        if (value !== undefined) entry[sub.id] = value;
      });
      // Entries past the maximum are refused below; their files are not worth storing.
      if (entries.length < field.max) entries.push(entry);
      else reader.files.splice(filesBeforeEntry);
    }
    if (!visible) {
      discardSince(errorsBefore, filesBefore);
      continue;
    }
    shown.add(field.id);
    const min = Math.max(field.min, field.required ? 1 : 0);
    if (filled > field.max) reader.errors[name] = { key: "eservices.form.too_many_entries", params: { count: field.max } };
    else if (filled < min && !options.draft) reader.errors[name] = { key: "eservices.form.too_few_entries", params: { count: min } };
    if (entries.length > 0) answers[field.id] = entries;
  }
  return { answers, errors: reader.errors, values: reader.values, files: reader.files };
}

/** Values to fill the form with from saved answers (a draft reopened, an agent correcting). */
export function answersToValues(def: FormDefinition, answers: Answers): FormValues {
  const values: FormValues = {};
  const put = (field: SimpleFieldDef, name: string, value: SimpleAnswer | undefined) => {
    if (value === undefined) return;
    if (field.type === "address" && isAddress(value)) {
      for (const part of ADDRESS_PARTS) values[`${name}.${part}`] = value[part];
    } else if (field.type === "file" && isFileAnswer(value)) {
      if (value.fileId) {
        values[`${name}.keep`] = value.fileId;
        values[`${name}.filename`] = value.name;
      }
    } else if (typeof value === "boolean") {
      values[name] = value ? "yes" : "no";
    } else if (Array.isArray(value)) {
      values[name] = value;
    } else if (typeof value === "string" || typeof value === "number") {
      values[name] = String(value);
    }
  };
  for (const field of def.sections.flatMap((section) => section.fields)) {
    const value = answers[field.id];
    if (field.type === "repeat") {
      if (!Array.isArray(value)) continue;
      (value as RepeatEntry[]).forEach((entry, index) => {
        for (const sub of field.fields) put(sub, entryFieldName(field.id, index, sub.id), entry[sub.id]);
      });
    } else {
      put(field, fieldName(field.id), value as SimpleAnswer | undefined);
    }
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Summary

export interface SummaryItem {
  label: string;
  value: string;
}

export interface SummarySection {
  title: string;
  items: SummaryItem[];
}

function formatPhone(value: string): string {
  return parsePhoneNumberFromString(value)?.formatInternational() ?? value;
}

function formatSimple(field: SimpleFieldDef, value: SimpleAnswer, t: Translate, fmt: Formatters): string | undefined {
  switch (field.type) {
    case "text":
    case "national_id":
      return typeof value === "string" ? value : undefined;
    case "number":
      if (typeof value !== "number") return undefined;
      // A year (an integer bounded to four digits) is written 2019, never "2 019".
      return field.integer && (field.min ?? 0) >= 1000 && (field.max ?? Infinity) <= 9999 ? String(value) : fmt.number(value);
    case "date":
      // Noon UTC shown in UTC: a calendar date, whatever the server's time zone.
      return typeof value === "string" && parseLocalDate(value) ? fmt.date(new Date(`${value}T12:00:00Z`), "UTC") : undefined;
    case "choice": {
      const labels = new Map(field.options.map((option) => [option.value, option.label]));
      const chosen = Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
      return chosen.length > 0 ? chosen.map((item) => labels.get(item) ?? item).join(", ") : undefined;
    }
    case "yesno":
      return typeof value === "boolean" ? t(value ? "eservices.form.yes" : "eservices.form.no") : undefined;
    case "phone":
      return typeof value === "string" ? formatPhone(value) : undefined;
    case "address":
      return isAddress(value) ? [value.line, value.quarter, value.town].filter(Boolean).join(", ") : undefined;
    case "file":
      return isFileAnswer(value) ? value.name : undefined;
  }
}

/**
 * Label and value of every answered field, section by section, as people read them: for the
 * dossier page and the PDF certificate. Unanswered and hidden fields are left out.
 */
export function summariseAnswers(def: FormDefinition, answers: Answers, t: Translate, fmt: Formatters): SummarySection[] {
  const sections: SummarySection[] = [];
  for (const section of def.sections) {
    const items: SummaryItem[] = [];
    for (const field of section.fields) {
      const value = answers[field.id];
      if (value === undefined) continue;
      if (field.type === "repeat") {
        if (!Array.isArray(value)) continue;
        (value as RepeatEntry[]).forEach((entry, index) => {
          for (const sub of field.fields) {
            const text = entry[sub.id] === undefined ? undefined : formatSimple(sub, entry[sub.id]!, t, fmt);
            if (text) items.push({ label: t("eservices.form.entry_item", { label: field.label, n: index + 1, field: sub.label }), value: text });
          }
        });
        continue;
      }
      const text = formatSimple(field, value as SimpleAnswer, t, fmt);
      if (text) items.push({ label: field.label, value: text });
    }
    if (items.length > 0) sections.push({ title: section.title, items });
  }
  return sections;
}

/** One top-level answer as people read it (for certificate templates and key fields), or undefined. */
export function displayAnswer(def: FormDefinition, answers: Answers, fieldId: string, t: Translate, fmt: Formatters): string | undefined {
  for (const section of def.sections) {
    for (const field of section.fields) {
      if (field.id !== fieldId || field.type === "repeat") continue;
      const value = answers[field.id];
      return value === undefined ? undefined : formatSimple(field, value as SimpleAnswer, t, fmt);
    }
  }
  return undefined;
}

/** The label of a top-level field, or the id itself when the form no longer has it. */
export function fieldLabel(def: FormDefinition, fieldId: string): string {
  for (const section of def.sections) for (const field of section.fields) if (field.id === fieldId) return field.label;
  return fieldId;
}

/** The files an applicant attached, wherever they sit in the answers (repeated blocks included). */
export function collectFiles(value: unknown): { fileId: string; name: string }[] {
  if (Array.isArray(value)) return value.flatMap(collectFiles);
  if (!value || typeof value !== "object") return [];
  const record = value as Record<string, unknown>;
  if (typeof record.fileId === "string" && typeof record.name === "string") return record.fileId ? [{ fileId: record.fileId, name: record.name }] : [];
  return Object.values(record).flatMap(collectFiles);
}
