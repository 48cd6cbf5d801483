import type { FormField } from "./definition.js";

/*
 * Conditional display without script: every field is drawn, a conditional one with a hint
 * saying when to answer it, and the reader drops what a hidden field holds. A condition looks at
 * an answer already read, so it may only name a field above it.
 */

/** What a condition compares against: the value as stored, "yes"/"no" for a boolean. */
export function comparable(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "boolean") return [value ? "yes" : "no"];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  if (typeof value === "string" || typeof value === "number") return [String(value)];
  return [];
}

export interface ConditionScope {
  /** Comparable values of the fields read so far that are shown; hidden ones are absent. */
  lookup(fieldId: string): string[] | undefined;
}

/** Whether the field is shown given what the fields it may depend on hold. */
export function isShown(field: Pick<FormField, "showIf">, scope: ConditionScope): boolean {
  if (!field.showIf) return true;
  return scope.lookup(field.showIf.field)?.includes(field.showIf.equals) ?? false;
}

/**
 * Scope over answers keyed by field id, where only the answers of shown fields are present (what
 * the reader returns): a condition on a hidden field fails, since a hidden field has no answer.
 */
export const answersScope = (answers: Record<string, unknown>): ConditionScope => ({
  lookup: (id) => (id in answers ? comparable(answers[id]) : undefined),
});
