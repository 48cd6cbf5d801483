import { getCountryCallingCode, type CountryCode } from "libphonenumber-js/max";
import { normalizePhone } from "../auth/phone.js";
import { cleanFileName, isUploadedFile, sniffMediaType, type UploadedFile } from "../files/index.js";
import type { FieldError } from "../http/errors.js";
import { cleanText, parseLocalDate, parseLocalNumber } from "../http/forms.js";
import { comparable, isShown, type ConditionScope } from "./conditions.js";
import { FILE_KINDS, fileKindsLabel, formFields, type FileField, type FormDefinition, type FormField, type SimpleField } from "./definition.js";
import { nationalIdFormat } from "./national-id.js";

/*
 * Reading a posted form against its definition: every error at once, keyed by form name, with
 * what was typed kept to show back.
 *
 * Form names: `<prefix><field>` for a simple field, `<prefix><field>.line|quarter|town` for the
 * parts of an address, `<prefix><field>.keep` for "keep the file already sent", and
 * `<prefix><repeat>.<index>.<field>` (plus the same suffixes) inside a repeated block. Ids start
 * with a letter and indexes are digits, so no two names collide, nor with `_csrf` and `_idem`.
 */

export const DEFAULT_PREFIX = "f.";
export const ADDRESS_PARTS = ["line", "quarter", "town"] as const;

export const fieldName = (fieldId: string, prefix = DEFAULT_PREFIX) => `${prefix}${fieldId}`;
export const entryFieldName = (repeatId: string, index: number, fieldId: string, prefix = DEFAULT_PREFIX) => `${prefix}${repeatId}.${index}.${fieldId}`;

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

export interface ReadOptions {
  /** Form names' prefix; "f." by default. */
  prefix?: string;
  /** ISO country for phone numbers and national ids a field does not pin. */
  country?: string;
  /** Today as YYYY-MM-DD in the reader's time zone, for dates in the past or future; UTC today when absent. */
  today?: string;
  /** Keep what is valid and ask for nothing: a draft being saved. */
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

// Longest raw input worth looking at: beyond, it cannot be a number, a date, a phone number…
const MAX_RAW_LENGTH = { number: 40, date: 20, scale: 8, phone: 40, nationalId: 60, addressPart: 200 };

function phoneError(country: string): FieldError {
  try {
    return { key: "form.phone.invalid", params: { code: getCountryCallingCode(country as CountryCode) } };
  } catch {
    return { key: "form.phone.invalid_any" };
  }
}

export const isAddressAnswer = (value: unknown): value is AddressAnswer => !!value && typeof value === "object" && "town" in value;
export const isFileAnswer = (value: unknown): value is FileAnswer =>
  !!value && typeof value === "object" && "fileId" in value && typeof (value as FileAnswer).fileId === "string";

const asRecord = (value: unknown): Record<string, unknown> => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

class AnswerReader {
  readonly errors: Record<string, FieldError> = {};
  readonly values: FormValues = {};
  readonly files: PendingFile[] = [];
  private readonly today: string;

  constructor(
    private readonly body: Record<string, unknown>,
    private readonly uploads: Record<string, unknown>,
    private readonly options: ReadOptions,
  ) {
    this.today = options.today ?? new Date().toISOString().slice(0, 10);
  }

  fail(name: string, error: FieldError): undefined {
    if (!this.errors[name]) this.errors[name] = error;
    return undefined;
  }

  private requireIfSubmitting(name: string, required: boolean): undefined {
    if (required && !this.options.draft) this.fail(name, { key: "form.required" });
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
  sent(field: SimpleField, name: string): boolean {
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

  /**
   * Reads one simple field; undefined when it is empty or invalid (its error is recorded).
   * `saved` lists what this field held in the saved answers, for a file to be kept.
   */
  simple(field: SimpleField, name: string, saved: unknown[], path: (string | number)[]): SimpleAnswer | undefined {
    switch (field.type) {
      case "text": {
        const value = cleanText(this.raw(name), field.multiline === true);
        // Only what fits is echoed back: a megabyte pasted into a field is not worth re-sending.
        this.values[name] = value.slice(0, field.maxLength + 1);
        if (!value) return this.requireIfSubmitting(name, field.required);
        if (value.length > field.maxLength) return this.fail(name, { key: "form.too_long", params: { max: field.maxLength } });
        return value;
      }
      case "number": {
        const raw = cleanText(this.raw(name), false).slice(0, MAX_RAW_LENGTH.number);
        this.values[name] = raw;
        if (!raw) return this.requireIfSubmitting(name, field.required);
        const value = parseLocalNumber(raw);
        if (value === undefined) return this.fail(name, { key: "form.number.invalid" });
        if (field.integer && !Number.isInteger(value)) return this.fail(name, { key: "form.number.not_integer" });
        const { min, max } = field;
        if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
          if (min !== undefined && max !== undefined) return this.fail(name, { key: "form.number.out_of_range", params: { min, max } });
          if (min !== undefined) return this.fail(name, { key: "form.number.too_small", params: { min } });
          return this.fail(name, { key: "form.number.too_large", params: { max: max! } });
        }
        return value;
      }
      case "date": {
        const raw = cleanText(this.raw(name), false).slice(0, MAX_RAW_LENGTH.date);
        const value = raw ? parseLocalDate(raw) : undefined;
        // A date input drops a value that is not YYYY-MM-DD: "25/12/2025" typed where the browser
        // has no picker must come back as 2025-12-25 where it has one.
        this.values[name] = value ?? raw;
        if (!raw) return this.requireIfSubmitting(name, field.required);
        if (!value) return this.fail(name, { key: "form.date.invalid" });
        if (field.when === "past" && value > this.today) return this.fail(name, { key: "form.date.in_future" });
        if (field.when === "future" && value < this.today) return this.fail(name, { key: "form.date.in_past" });
        return value;
      }
      case "choice": {
        const allowed = new Set(field.options.map((option) => option.value));
        if (field.multiple) {
          const chosen = this.list(name);
          // Kept in the options' order, so that answers compare and export the same way.
          const kept = field.options.map((option) => option.value).filter((value) => chosen.includes(value));
          this.values[name] = kept;
          if (chosen.some((value) => !allowed.has(value))) return this.fail(name, { key: "form.choice.invalid" });
          if (kept.length === 0) return this.requireIfSubmitting(name, field.required);
          if (field.maxChoices !== undefined && kept.length > field.maxChoices) return this.fail(name, { key: "form.choice.too_many", params: { count: field.maxChoices } });
          return kept;
        }
        const value = this.raw(name).trim();
        this.values[name] = allowed.has(value) ? value : "";
        if (!value) return this.requireIfSubmitting(name, field.required);
        if (!allowed.has(value)) return this.fail(name, { key: "form.choice.invalid" });
        return value;
      }
      case "scale": {
        const raw = this.raw(name).trim().slice(0, MAX_RAW_LENGTH.scale);
        const value = /^[+-]?\d{1,4}$/.test(raw) ? Number(raw) : undefined;
        const valid = value !== undefined && value >= field.min && value <= field.max;
        this.values[name] = valid ? String(value) : "";
        if (!raw) return this.requireIfSubmitting(name, field.required);
        if (!valid) return this.fail(name, { key: "form.scale.invalid", params: { min: field.min, max: field.max } });
        return value;
      }
      case "yesno": {
        const value = this.raw(name).trim();
        this.values[name] = value === "yes" || value === "no" ? value : "";
        if (!value) return this.requireIfSubmitting(name, field.required);
        if (value !== "yes" && value !== "no") return this.fail(name, { key: "form.choice.invalid" });
        return value === "yes";
      }
      case "phone": {
        const raw = cleanText(this.raw(name), false).slice(0, MAX_RAW_LENGTH.phone);
        this.values[name] = raw;
        if (!raw) return this.requireIfSubmitting(name, field.required);
        const country = field.country ?? this.options.country ?? "";
        return normalizePhone(raw, country) ?? this.fail(name, phoneError(country));
      }
      case "national_id": {
        const raw = cleanText(this.raw(name), false).slice(0, MAX_RAW_LENGTH.nationalId);
        this.values[name] = raw;
        if (!raw) return this.requireIfSubmitting(name, field.required);
        const format = nationalIdFormat(field.country ?? this.options.country ?? "");
        const value = format.normalise(raw);
        if (!format.pattern.test(value)) return this.fail(name, { key: "form.national_id.invalid", params: { example: format.example } });
        return value;
      }
      case "address": {
        const parts = Object.fromEntries(ADDRESS_PARTS.map((part) => [part, cleanText(this.raw(`${name}.${part}`), false)])) as unknown as AddressAnswer;
        for (const part of ADDRESS_PARTS) this.values[`${name}.${part}`] = parts[part].slice(0, MAX_RAW_LENGTH.addressPart + 1);
        const empty = ADDRESS_PARTS.every((part) => parts[part] === "");
        if (empty) return this.requireIfSubmitting(`${name}.quarter`, field.required);
        const tooLong = ADDRESS_PARTS.filter((part) => parts[part].length > MAX_RAW_LENGTH.addressPart);
        for (const part of tooLong) this.fail(`${name}.${part}`, { key: "form.too_long", params: { max: MAX_RAW_LENGTH.addressPart } });
        if (tooLong.length > 0) return undefined;
        // Many plots have no street name or number, so the line is optional; a quarter and a town
        // are what an agent needs to find someone. A draft keeps a partial address.
        const missing = (["quarter", "town"] as const).filter((part) => !parts[part]);
        if (missing.length > 0 && !this.options.draft) {
          for (const part of missing) this.fail(`${name}.${part}`, { key: "form.required" });
          return undefined;
        }
        return parts;
      }
      case "file":
        return this.file(field, name, saved, path);
    }
  }

  private file(field: FileField, name: string, saved: unknown[], path: (string | number)[]): FileAnswer | undefined {
    const upload = this.upload(name);
    if (upload) {
      // No size in the message: the hint next to it states the limit in the reader's language.
      if (upload.data.length > field.maxBytes) return this.fail(name, { key: "form.file.too_large" });
      const mediaType = sniffMediaType(upload.data);
      const accepted = field.accept.map((kind) => FILE_KINDS[kind]);
      if (!mediaType || !(accepted as string[]).includes(mediaType)) {
        return this.fail(name, { key: "form.file.type", params: { types: fileKindsLabel(field.accept) } });
      }
      const answer: FileAnswer = { fileId: "", name: cleanFileName(upload.filename), mediaType, sizeBytes: upload.data.length };
      this.files.push({ name, path, filename: upload.filename, data: upload.data, mediaType, answer });
      return answer;
    }
    // Only a file these answers already hold may be kept: the browser only names which one, and
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

/** Indexes of a repeated block's entries present in the submission, in order. */
function postedIndexes(prefix: string, sources: Record<string, unknown>[]): number[] {
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
 * Reads a submission against its form. `body` holds the plain fields and `files` the uploads as
 * { filename, data } (with the server's multipart set-up, both are the request body). Hidden
 * fields (their showIf not met) are neither required nor kept. Errors are keyed by form name;
 * `values` is what to show back in the form; `files` lists the uploads to store.
 */
export function readForm(def: FormDefinition, body: unknown, files: unknown, options: ReadOptions = {}): ReadResult {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const posted = asRecord(body);
  const uploads = asRecord(files);
  const reader = new AnswerReader(posted, uploads, options);
  const answers: Answers = {};
  const shown = new Set<string>();
  const scope: ConditionScope = { lookup: (id) => (shown.has(id) ? comparable(answers[id]) : undefined) };
  const previous = options.previous ?? {};

  // A hidden field is still read, so that what was typed comes back if the condition changes
  // on the next screen, but its value, errors and files are dropped.
  const discardSince = (errorsBefore: Set<string>, filesBefore: number) => {
    for (const key of Object.keys(reader.errors)) if (!errorsBefore.has(key)) delete reader.errors[key];
    reader.files.splice(filesBefore);
  };

  for (const field of formFields(def)) {
    const name = fieldName(field.id, prefix);
    const visible = isShown(field, scope);
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
    for (const index of postedIndexes(`${name}.`, [posted, uploads])) {
      const names = field.fields.map((sub) => entryFieldName(field.id, index, sub.id, prefix));
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
      const entryScope: ConditionScope = {
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
        if (!isShown(sub, entryScope)) return discardSince(subErrors, subFiles);
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
    if (filled > field.max) reader.errors[name] = { key: "form.repeat.too_many", params: { count: field.max } };
    else if (filled < min && !options.draft) reader.errors[name] = { key: "form.repeat.too_few", params: { count: min } };
    if (entries.length > 0) answers[field.id] = entries;
  }
  return { answers, errors: reader.errors, values: reader.values, files: reader.files };
}

/** Values to fill the form with from saved answers (a draft reopened, a response changed). */
export function answersToValues(def: FormDefinition, answers: Record<string, unknown>, prefix = DEFAULT_PREFIX): FormValues {
  const values: FormValues = {};
  const saved = asRecord(answers);
  const put = (field: SimpleField, name: string, value: unknown) => {
    if (value === undefined) return;
    if (field.type === "address" && isAddressAnswer(value)) {
      for (const part of ADDRESS_PARTS) values[`${name}.${part}`] = value[part];
    } else if (field.type === "file" && isFileAnswer(value)) {
      if (value.fileId) {
        values[`${name}.keep`] = value.fileId;
        values[`${name}.filename`] = value.name;
      }
    } else if (typeof value === "boolean") {
      values[name] = value ? "yes" : "no";
    } else if (Array.isArray(value)) {
      values[name] = value.filter((item): item is string => typeof item === "string");
    } else if (typeof value === "string" || typeof value === "number") {
      values[name] = String(value);
    }
  };
  for (const field of formFields(def)) {
    const value = saved[field.id];
    if (field.type === "repeat") {
      if (!Array.isArray(value)) continue;
      (value as unknown[]).forEach((entry, index) => {
        for (const sub of field.fields) put(sub, entryFieldName(field.id, index, sub.id, prefix), asRecord(entry)[sub.id]);
      });
    } else {
      put(field, fieldName(field.id, prefix), value);
    }
  }
  return values;
}

/** The field a top-level id names, or undefined. */
export function findField(def: FormDefinition, fieldId: string): FormField | undefined {
  return formFields(def).find((field) => field.id === fieldId);
}
