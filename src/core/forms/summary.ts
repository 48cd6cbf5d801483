import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { parseLocalDate } from "../http/forms.js";
import type { Formatters, Translate } from "../i18n/index.js";
import { documentLabelOf, formFields, type FormDefinition, type SimpleField } from "./definition.js";
import { isAddressAnswer, isFileAnswer, type Answers, type RepeatEntry, type SimpleAnswer } from "./read.js";

/* Answers as people read them: on a page, in a PDF, in a certificate's key fields. */

export interface SummaryItem {
  label: string;
  value: string;
}

export interface SummarySection {
  title: string;
  items: SummaryItem[];
}

/** A year (an integer bounded to four digits) is written 2019, never "2 019". */
const isYear = (field: { integer?: boolean; min?: number; max?: number }) => field.integer === true && (field.min ?? 0) >= 1000 && (field.max ?? Infinity) <= 9999;

/** One answer in words, or undefined when it does not fit its field (an old or corrupt answer). */
export function formatAnswer(field: SimpleField, value: SimpleAnswer, t: Translate, fmt: Formatters): string | undefined {
  switch (field.type) {
    case "text":
    case "national_id":
      return typeof value === "string" ? value : undefined;
    case "number":
      if (typeof value !== "number") return undefined;
      return isYear(field) ? String(value) : fmt.number(value);
    case "scale":
      return typeof value === "number" ? fmt.number(value) : undefined;
    case "date":
      // Noon UTC shown in UTC: a calendar date, whatever the server's time zone.
      return typeof value === "string" && parseLocalDate(value) ? fmt.date(new Date(`${value}T12:00:00Z`), "UTC") : undefined;
    case "choice": {
      const labels = new Map(field.options.map((option) => [option.value, option.label]));
      const chosen = Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
      return chosen.length > 0 ? chosen.map((item) => labels.get(item) ?? item).join(", ") : undefined;
    }
    case "yesno":
      return typeof value === "boolean" ? t(value ? "form.yes" : "form.no") : undefined;
    case "phone":
      return typeof value === "string" ? (parsePhoneNumberFromString(value)?.formatInternational() ?? value) : undefined;
    case "address":
      return isAddressAnswer(value) ? [value.line, value.quarter, value.town].filter(Boolean).join(", ") : undefined;
    case "file":
      return isFileAnswer(value) ? value.name : undefined;
  }
}

/**
 * Label and value of every answered field, section by section. Unanswered and hidden fields are
 * left out; a repeated block's fields are labelled with their entry's number.
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
            const text = entry[sub.id] === undefined ? undefined : formatAnswer(sub, entry[sub.id]!, t, fmt);
            if (text) items.push({ label: t("form.repeat.entry_item", { label: field.label, n: index + 1, field: sub.label }), value: text });
          }
        });
        continue;
      }
      const text = formatAnswer(field, value as SimpleAnswer, t, fmt);
      if (text) items.push({ label: field.label, value: text });
    }
    if (items.length > 0) sections.push({ title: section.title, items });
  }
  return sections;
}

/** One top-level answer in words (for certificate templates and key fields), or undefined. */
export function displayAnswer(def: FormDefinition, answers: Answers, fieldId: string, t: Translate, fmt: Formatters): string | undefined {
  const field = formFields(def).find((candidate) => candidate.id === fieldId && candidate.type !== "repeat");
  if (!field || field.type === "repeat") return undefined;
  const value = answers[field.id];
  return value === undefined ? undefined : formatAnswer(field, value as SimpleAnswer, t, fmt);
}

/** The label of a top-level field, or the id itself when the form no longer has it. */
export function fieldLabel(def: FormDefinition, fieldId: string): string {
  return formFields(def).find((field) => field.id === fieldId)?.label ?? fieldId;
}

/** What a document (certificate, verification page) calls a top-level field: its document label, else its question. */
export function fieldDocumentLabel(def: FormDefinition, fieldId: string): string {
  const field = formFields(def).find((candidate) => candidate.id === fieldId);
  return field ? documentLabelOf(field) : fieldId;
}

/** The files attached, wherever they sit in the answers (repeated blocks included). */
export function collectFiles(value: unknown): { fileId: string; name: string }[] {
  if (Array.isArray(value)) return value.flatMap(collectFiles);
  if (!value || typeof value !== "object") return [];
  const record = value as Record<string, unknown>;
  if (typeof record.fileId === "string" && typeof record.name === "string") return record.fileId ? [{ fileId: record.fileId, name: record.name }] : [];
  return Object.values(record).flatMap(collectFiles);
}
