import { isUploadedFile, type UploadedFile } from "../files/index.js";
import { AppError, type FieldError, type Reason } from "./errors.js";

/**
 * Reads an HTML form's fields with the rules each one needs, collecting every error at once so
 * that the form comes back with all its mistakes marked and everything typed kept.
 */
export class FormReader {
  readonly errors: Record<string, FieldError> = {};
  readonly values: Record<string, string> = {};

  constructor(private body: unknown) {}

  private raw(name: string): string {
    const record = (this.body && typeof this.body === "object" ? this.body : {}) as Record<string, unknown>;
    const value = record[name];
    const text = Array.isArray(value) ? value[0] : value;
    return typeof text === "string" ? text : "";
  }

  get invalid(): boolean {
    return Object.keys(this.errors).length > 0;
  }

  /** `reason`: the code of the rule that refused the value, when a rule did (see errors.ts). */
  fail(name: string, key: string, params?: Record<string, string | number>, reason?: string): void {
    if (!this.errors[name]) this.errors[name] = { key, ...(params ? { params } : {}), ...(reason ? { reason } : {}) };
  }

  /** A rule refused this field's value: its message, and its code for whoever reads the form. */
  refuse(name: string, reason: Reason, params?: Record<string, string | number>): void {
    this.fail(name, reason.messageKey, params, reason.code);
  }

  /** Trimmed text; empty means absent. Line breaks are normalised to \n. */
  text(name: string, rules: { required?: boolean; max?: number; min?: number; pattern?: RegExp } = {}): string {
    const value = this.raw(name).replace(/\r\n?/g, "\n").trim();
    this.values[name] = value;
    if (!value) {
      if (rules.required) this.fail(name, "form.required");
      return value;
    }
    if (rules.min !== undefined && value.length < rules.min) this.fail(name, "form.too_short", { min: rules.min });
    if (rules.max !== undefined && value.length > rules.max) this.fail(name, "form.too_long", { max: rules.max });
    if (rules.pattern && !rules.pattern.test(value)) this.fail(name, "form.invalid_format");
    return value;
  }

  /** A password is kept as typed (no trim) and never echoed back into the form. */
  password(name: string, rules: { required?: boolean; min?: number; max?: number } = {}): string {
    const value = this.raw(name);
    if (!value) {
      if (rules.required) this.fail(name, "form.required");
      return value;
    }
    if (rules.min !== undefined && value.length < rules.min) this.fail(name, "form.too_short", { min: rules.min });
    if (rules.max !== undefined && value.length > rules.max) this.fail(name, "form.too_long", { max: rules.max });
    return value;
  }

  choice<T extends string>(name: string, allowed: readonly T[], rules: { required?: boolean } = { required: true }): T | undefined {
    const value = this.raw(name).trim();
    this.values[name] = value;
    if (!value) {
      if (rules.required) this.fail(name, "form.required");
      return undefined;
    }
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(name, "form.invalid_choice");
      return undefined;
    }
    return value as T;
  }

  integer(name: string, rules: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const value = this.raw(name).trim();
    this.values[name] = value;
    if (!value) {
      if (rules.required) this.fail(name, "form.required");
      return undefined;
    }
    if (!/^-?\d+$/.test(value)) {
      this.fail(name, "form.not_integer");
      return undefined;
    }
    const parsed = Number(value);
    if (rules.min !== undefined && parsed < rules.min) this.fail(name, "form.too_small", { min: rules.min });
    if (rules.max !== undefined && parsed > rules.max) this.fail(name, "form.too_large", { max: rules.max });
    return parsed;
  }

  /** The file sent in a file input, or undefined when none was chosen (browsers send an empty part). */
  file(name: string): UploadedFile | undefined {
    const record = (this.body && typeof this.body === "object" ? this.body : {}) as Record<string, unknown>;
    const value = record[name];
    return isUploadedFile(value) && value.data.length > 0 ? value : undefined;
  }

  /** A checkbox: true when ticked. */
  checked(name: string): boolean {
    return this.raw(name) === "on";
  }

  /** Every value sent under one name (checkboxes, multiple selects), kept only when allowed. */
  list<T extends string>(name: string, allowed: readonly T[]): T[] {
    const record = (this.body && typeof this.body === "object" ? this.body : {}) as Record<string, unknown>;
    const raw = record[name];
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((value): value is string => typeof value === "string");
    const kept = [...new Set(values)].filter((value): value is T => (allowed as readonly string[]).includes(value));
    if (kept.length !== new Set(values).size) this.fail(name, "form.invalid_choice");
    this.values[name] = kept.join(",");
    return kept;
  }
}

/**
 * Runs a use case for a form: a CONFLICT it raises (an address already taken, a rule of the
 * domain) becomes errors on the form's fields, and the result is undefined.
 */
export async function withConflictsOnForm<T>(form: FormReader, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError && error.code === "CONFLICT") {
      for (const [field, message] of Object.entries(error.fields)) form.fail(field, message.key, message.params, message.reason);
      return undefined;
    }
    throw error;
  }
}

/** Plain text as stored: NFC, no control characters (PostgreSQL's JSONB refuses \u0000 anyway). */
export function cleanText(value: string, multiline: boolean): string {
  // eslint-disable-next-line no-control-regex
  const text = value.normalize("NFC").replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "");
  return (multiline ? text : text.replace(/\s*\n\s*/g, " ")).trim();
}

/** "12", "12,5", "-3.25", "1 500" (spaces as people group thousands); undefined otherwise. */
export function parseLocalNumber(raw: string): number | undefined {
  const text = raw.replace(/[\s\u00a0\u202f]/g, "");
  if (!/^[+-]?\d{1,15}(?:[.,]\d{1,10})?$/.test(text)) return undefined;
  const value = Number(text.replace(",", "."));
  return Number.isFinite(value) ? value : undefined;
}

/** YYYY-MM-DD (what a date input sends) or DD/MM/YYYY (what people type where it is a text box). */
export function parseLocalDate(raw: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const local = iso ? null : /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(raw);
  const parts = iso ? [iso[1], iso[2], iso[3]] : local ? [local[3], local[2], local[1]] : null;
  if (!parts) return undefined;
  const [year, month, day] = parts.map(Number) as [number, number, number];
  if (year < 1850 || year > 2200 || month < 1 || month > 12 || day < 1) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  // 31/02 rolls over to March: the day does not exist.
  if (date.getUTCMonth() !== month - 1) return undefined;
  return date.toISOString().slice(0, 10);
}
