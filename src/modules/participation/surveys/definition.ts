import { toCsv } from "../../../core/export/csv.js";
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { horizontalBarsSvg } from "../../../core/export/chart.js";
import type { FieldError } from "../../../core/http/errors.js";
import { cleanText, parseLocalDate, parseLocalNumber } from "../../../core/http/forms.js";

/*
 * Surveys of a participatory process (questionnaires as in Decidim): the definition an
 * administrator writes and stores (JSONB), a resident's answers read from a plain form post,
 * and the results counted, exported and drawn. Pure: no I/O, so that a definition and its answers
 * survive a round trip through the database unchanged and every step can be tested alone.
 *
 * Form names are `q.<question id>`; ids start with a letter, so they cannot clash with the
 * `_csrf` and `_idem` fields the form carries. Answers are keyed by question id and hold a string
 * (texts, single choice, dates as YYYY-MM-DD), a number (scale, number) or a string array
 * (multiple choice). Texts are kept exactly as typed, markup included: they are escaped where
 * they are shown, never rewritten here.
 */

export const QUESTION_ID_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
const NAME_PREFIX = "q.";

/** Widest scale offered: eleven radio buttons (0 to 10) is the most people compare at a glance. */
export const MAX_SCALE_POINTS = 11;

// ---------------------------------------------------------------------------------------------
// Definition schema

const Id = Type.String({ pattern: QUESTION_ID_PATTERN.source });
const Title = Type.String({ minLength: 1, maxLength: 500 });
const strict = { additionalProperties: false } as const;

const common = {
  id: Id,
  title: Title,
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  required: Type.Boolean(),
  /** Asked (and read) only when an earlier choice question was answered with this option. */
  showIf: Type.Optional(Type.Object({ question: Id, equals: Type.String({ minLength: 1, maxLength: 100 }) }, strict)),
};

const OptionSchema = Type.Object({ value: Type.String({ minLength: 1, maxLength: 100 }), label: Type.String({ minLength: 1, maxLength: 300 }) }, strict);

const ShortTextSchema = Type.Object({ ...common, type: Type.Literal("short_text"), maxLength: Type.Integer({ minimum: 1, maximum: 1000 }) }, strict);
const LongTextSchema = Type.Object({ ...common, type: Type.Literal("long_text"), maxLength: Type.Integer({ minimum: 1, maximum: 20_000 }) }, strict);
const SingleChoiceSchema = Type.Object({ ...common, type: Type.Literal("single_choice"), options: Type.Array(OptionSchema, { maxItems: 50 }) }, strict);
const MultipleChoiceSchema = Type.Object(
  { ...common, type: Type.Literal("multiple_choice"), options: Type.Array(OptionSchema, { maxItems: 50 }), maxChoices: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })) },
  strict,
);
const ScaleSchema = Type.Object(
  {
    ...common,
    type: Type.Literal("scale"),
    min: Type.Integer({ minimum: -100, maximum: 100 }),
    max: Type.Integer({ minimum: -100, maximum: 100 }),
    minLabel: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    maxLabel: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  strict,
);
const DateSchema = Type.Object({ ...common, type: Type.Literal("date") }, strict);
const NumberSchema = Type.Object(
  { ...common, type: Type.Literal("number"), min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()), integer: Type.Optional(Type.Boolean()) },
  strict,
);

export const QuestionSchema = Type.Union([ShortTextSchema, LongTextSchema, SingleChoiceSchema, MultipleChoiceSchema, ScaleSchema, DateSchema, NumberSchema]);
export const SurveyDefinitionSchema = Type.Object({ questions: Type.Array(QuestionSchema, { maxItems: 200 }) }, strict);

export type ChoiceOption = Static<typeof OptionSchema>;
export type ShortTextQuestion = Static<typeof ShortTextSchema>;
export type LongTextQuestion = Static<typeof LongTextSchema>;
export type SingleChoiceQuestion = Static<typeof SingleChoiceSchema>;
export type MultipleChoiceQuestion = Static<typeof MultipleChoiceSchema>;
export type ScaleQuestion = Static<typeof ScaleSchema>;
export type DateQuestion = Static<typeof DateSchema>;
export type NumberQuestion = Static<typeof NumberSchema>;
export type Question = Static<typeof QuestionSchema>;
export type QuestionType = Question["type"];
export type ChoiceQuestion = SingleChoiceQuestion | MultipleChoiceQuestion;
export type SurveyDefinition = Static<typeof SurveyDefinitionSchema>;

export type SurveyAnswer = string | number | string[];
/** By question id; a question hidden, left empty or answered wrongly has no entry. Plain JSON. */
export type SurveyAnswers = Record<string, SurveyAnswer>;
/** What the form shows back, by form name, as typed: a mistake can then be corrected. */
export type SurveyValues = Record<string, string | string[]>;

export const questionName = (questionId: string) => `${NAME_PREFIX}${questionId}`;
export const isChoiceQuestion = (question: Question): question is ChoiceQuestion => question.type === "single_choice" || question.type === "multiple_choice";

// ---------------------------------------------------------------------------------------------
// Structural checks

export interface SurveyProblem {
  key: string;
  /** The question concerned; the survey itself when empty. */
  id: string;
}

/**
 * Every structural problem with the question it concerns, in order, for an editor that points at
 * each. The TypeBox schema checks shapes; this checks what a schema cannot.
 */
export function surveyProblems(def: SurveyDefinition): SurveyProblem[] {
  const problems: SurveyProblem[] = [];
  if (def.questions.length === 0) problems.push({ key: "participation.survey.def.empty", id: "" });
  const allIds = new Set(def.questions.map((question) => question.id));
  const earlier = new Map<string, Question>();
  for (const question of def.questions) {
    const add = (key: string) => problems.push({ key, id: question.id });
    if (!QUESTION_ID_PATTERN.test(question.id)) add("participation.survey.def.invalid_id");
    if (earlier.has(question.id)) add("participation.survey.def.duplicate_id");
    switch (question.type) {
      case "single_choice":
      case "multiple_choice":
        if (question.options.length === 0) add("participation.survey.def.choice_no_options");
        if (new Set(question.options.map((option) => option.value)).size !== question.options.length) add("participation.survey.def.choice_duplicate_option");
        break;
      case "scale":
        if (question.min >= question.max) add("participation.survey.def.scale_min_max");
        else if (question.max - question.min + 1 > MAX_SCALE_POINTS) add("participation.survey.def.scale_too_wide");
        break;
      case "number":
        if (question.min !== undefined && question.max !== undefined && question.min > question.max) add("participation.survey.def.min_above_max");
        break;
    }
    if (question.showIf) {
      const target = earlier.get(question.showIf.question);
      if (!target) {
        // The question itself is not "earlier" yet, so a condition on itself is reported as later.
        add(allIds.has(question.showIf.question) ? "participation.survey.def.show_if_later" : "participation.survey.def.show_if_unknown");
      } else if (!isChoiceQuestion(target)) {
        add("participation.survey.def.show_if_target");
      } else if (!target.options.some((option) => option.value === question.showIf!.equals)) {
        add("participation.survey.def.show_if_value");
      }
    }
    if (!earlier.has(question.id)) earlier.set(question.id, question);
  }
  return problems;
}

/** The message keys of every structural problem, each once; empty when the survey is usable. */
export function checkSurvey(def: SurveyDefinition): string[] {
  return [...new Set(surveyProblems(def).map((problem) => problem.key))];
}

/**
 * Reads a stored or submitted definition (JSONB comes back as plain objects): its shape first,
 * then its structure. Returns the definition only when both hold.
 */
export function parseSurvey(value: unknown): { def?: SurveyDefinition; problems: string[] } {
  if (!Value.Check(SurveyDefinitionSchema, value)) return { problems: ["participation.survey.def.malformed"] };
  const problems = checkSurvey(value);
  return problems.length > 0 ? { problems } : { def: value, problems };
}

// ---------------------------------------------------------------------------------------------
// Reading a response

// Longest raw input worth looking at for a number or a date: beyond, it cannot be one.
const MAX_RAW_LENGTH = { number: 40, date: 20, scale: 8 };

export interface ReadResponseResult {
  answers: SurveyAnswers;
  errors: Record<string, FieldError>;
  values: SurveyValues;
}

class ResponseReader {
  readonly errors: Record<string, FieldError> = {};
  readonly values: SurveyValues = {};

  constructor(private readonly body: Record<string, unknown>) {}

  private fail(name: string, error: FieldError): undefined {
    if (!this.errors[name]) this.errors[name] = error;
    return undefined;
  }

  private required(name: string, question: Question): undefined {
    if (question.required) this.fail(name, { key: "participation.survey.error.required" });
    return undefined;
  }

  /** The first string sent under a name; anything else (a parsed object, a file) counts as nothing. */
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

  /** One question; undefined when it is empty or wrong (its error is recorded). */
  read(question: Question): SurveyAnswer | undefined {
    const name = questionName(question.id);
    switch (question.type) {
      case "short_text":
      case "long_text": {
        const value = cleanText(this.raw(name), question.type === "long_text");
        // Only what fits is echoed back: a megabyte pasted into a box is not worth re-sending.
        this.values[name] = value.slice(0, question.maxLength + 1);
        if (!value) return this.required(name, question);
        if (value.length > question.maxLength) return this.fail(name, { key: "participation.survey.error.too_long", params: { max: question.maxLength } });
        return value;
      }
      case "single_choice": {
        const allowed = new Set(question.options.map((option) => option.value));
        const value = this.raw(name).trim();
        this.values[name] = allowed.has(value) ? value : "";
        if (!value) return this.required(name, question);
        if (!allowed.has(value)) return this.fail(name, { key: "participation.survey.error.invalid_choice" });
        return value;
      }
      case "multiple_choice": {
        const allowed = new Set(question.options.map((option) => option.value));
        const chosen = this.list(name);
        // Kept in the options' order, so that answers compare and export the same way.
        const kept = question.options.map((option) => option.value).filter((value) => chosen.includes(value));
        this.values[name] = kept;
        if (chosen.some((value) => !allowed.has(value))) return this.fail(name, { key: "participation.survey.error.invalid_choice" });
        if (kept.length === 0) return this.required(name, question);
        if (question.maxChoices !== undefined && kept.length > question.maxChoices) {
          return this.fail(name, { key: "participation.survey.error.too_many_choices", params: { count: question.maxChoices } });
        }
        return kept;
      }
      case "scale": {
        const raw = this.raw(name).trim().slice(0, MAX_RAW_LENGTH.scale);
        const value = /^[+-]?\d{1,4}$/.test(raw) ? Number(raw) : undefined;
        const valid = value !== undefined && value >= question.min && value <= question.max;
        this.values[name] = valid ? String(value) : "";
        if (!raw) return this.required(name, question);
        if (!valid) return this.fail(name, { key: "participation.survey.error.invalid_scale", params: { min: question.min, max: question.max } });
        return value;
      }
      case "date": {
        const raw = cleanText(this.raw(name), false).slice(0, MAX_RAW_LENGTH.date);
        const value = raw ? parseLocalDate(raw) : undefined;
        // A date input drops a value that is not YYYY-MM-DD: "25/12/2025" typed where the browser
        // has no picker must come back as 2025-12-25 where it has one.
        this.values[name] = value ?? raw;
        if (!raw) return this.required(name, question);
        return value ?? this.fail(name, { key: "participation.survey.error.invalid_date" });
      }
      case "number": {
        const raw = cleanText(this.raw(name), false).slice(0, MAX_RAW_LENGTH.number);
        this.values[name] = raw;
        if (!raw) return this.required(name, question);
        const value = parseLocalNumber(raw);
        if (value === undefined) return this.fail(name, { key: "participation.survey.error.not_a_number" });
        if (question.integer && !Number.isInteger(value)) return this.fail(name, { key: "participation.survey.error.not_integer" });
        const { min, max } = question;
        if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
          if (min !== undefined && max !== undefined) return this.fail(name, { key: "participation.survey.error.out_of_range", params: { min, max } });
          if (min !== undefined) return this.fail(name, { key: "participation.survey.error.too_small", params: { min } });
          return this.fail(name, { key: "participation.survey.error.too_large", params: { max: max! } });
        }
        return value;
      }
    }
  }
}

/** The option values an answer holds, to test a showIf against. */
function chosenValues(answer: SurveyAnswer | undefined): string[] {
  if (Array.isArray(answer)) return answer;
  return typeof answer === "string" ? [answer] : [];
}

/**
 * Whether a question is asked given the answers so far. A condition on a question that is itself
 * hidden fails, since a hidden question has no answer.
 */
export function isQuestionShown(question: Question, answers: SurveyAnswers): boolean {
  if (!question.showIf) return true;
  return chosenValues(answers[question.showIf.question]).includes(question.showIf.equals);
}

/**
 * Reads a resident's submission against the survey. Hidden questions (their showIf not met) are
 * neither required nor kept, but what was typed in them is echoed back in `values`, so it is
 * still there if the resident changes the answer they depend on. Errors are keyed by form name.
 */
export function readResponse(def: SurveyDefinition, body: Record<string, unknown>): ReadResponseResult {
  const reader = new ResponseReader(body && typeof body === "object" ? body : {});
  const answers: SurveyAnswers = {};
  for (const question of def.questions) {
    const before = new Set(Object.keys(reader.errors));
    const value = reader.read(question);
    if (!isQuestionShown(question, answers)) {
      for (const key of Object.keys(reader.errors)) if (!before.has(key)) delete reader.errors[key];
      continue;
    }
    if (value !== undefined) answers[question.id] = value;
  }
  return { answers, errors: reader.errors, values: reader.values };
}

/** Values to fill the form with from saved answers (a response reopened to be changed). */
export function answersToSurveyValues(def: SurveyDefinition, answers: Record<string, unknown>): SurveyValues {
  const values: SurveyValues = {};
  for (const question of def.questions) {
    const value = answers?.[question.id];
    if (Array.isArray(value)) values[questionName(question.id)] = value.filter((item): item is string => typeof item === "string");
    else if (typeof value === "string" || typeof value === "number") values[questionName(question.id)] = String(value);
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Stored answers, trusted no further than their types

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A stored answer as the question expects it, or undefined. Stored answers may predate a change
 * of the survey or be corrupt: an option removed since, a number where text was expected.
 */
function validAnswer(question: Question, value: unknown): SurveyAnswer | undefined {
  switch (question.type) {
    case "short_text":
    case "long_text":
      return typeof value === "string" && value.trim() !== "" ? value : undefined;
    case "single_choice":
      return typeof value === "string" && question.options.some((option) => option.value === value) ? value : undefined;
    case "multiple_choice": {
      if (!Array.isArray(value)) return undefined;
      const kept = question.options.map((option) => option.value).filter((option) => value.includes(option));
      return kept.length > 0 ? kept : undefined;
    }
    case "scale":
      return typeof value === "number" && Number.isInteger(value) && value >= question.min && value <= question.max ? value : undefined;
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? value : undefined;
    case "date":
      return typeof value === "string" && ISO_DATE.test(value) && parseLocalDate(value) === value ? value : undefined;
  }
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

// ---------------------------------------------------------------------------------------------
// Aggregation

export interface OptionCount {
  value: string;
  label: string;
  count: number;
  /** Of the people who answered the question, from 0 to 1; multiple choices may total above 1. */
  share: number;
}

export interface ChoiceResult {
  type: "single_choice" | "multiple_choice";
  id: string;
  /** Responses with a usable answer to this question. */
  answered: number;
  options: OptionCount[];
}

export interface ScaleResult {
  type: "scale";
  id: string;
  answered: number;
  /** Every point of the scale, from min to max, including those nobody chose. */
  distribution: { value: number; count: number; share: number }[];
  /** Null when nobody answered. */
  mean: number | null;
  median: number | null;
}

export interface NumberResult {
  type: "number";
  id: string;
  answered: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  median: number | null;
}

export interface DateResult {
  type: "date";
  id: string;
  answered: number;
  /** YYYY-MM-DD, or null when nobody answered. */
  earliest: string | null;
  latest: string | null;
}

export interface TextResult {
  type: "short_text" | "long_text";
  id: string;
  answered: number;
  /** In the order of the responses; whether to publish them is the caller's decision. */
  answers: string[];
}

export type QuestionResult = ChoiceResult | ScaleResult | NumberResult | DateResult | TextResult;

export interface SurveyResultsData {
  /** Responses counted (those that are objects at all). */
  responses: number;
  /** One per question, in the survey's order. */
  questions: QuestionResult[];
}

function mean(values: number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const shareOf = (count: number, total: number) => (total > 0 ? count / total : 0);

/** Counts per question. A response or an answer of the wrong shape is skipped, never fatal. */
export function aggregate(def: SurveyDefinition, responses: Record<string, unknown>[]): SurveyResultsData {
  const records = (Array.isArray(responses) ? responses : []).map(asRecord).filter((record): record is Record<string, unknown> => record !== undefined);
  const questions = def.questions.map((question): QuestionResult => {
    const answers = records.map((record) => validAnswer(question, record[question.id])).filter((answer): answer is SurveyAnswer => answer !== undefined);
    const answered = answers.length;
    switch (question.type) {
      case "single_choice":
      case "multiple_choice": {
        const counts = new Map(question.options.map((option) => [option.value, 0]));
        for (const answer of answers) for (const value of chosenValues(answer)) counts.set(value, (counts.get(value) ?? 0) + 1);
        return {
          type: question.type,
          id: question.id,
          answered,
          options: question.options.map((option) => {
            const count = counts.get(option.value) ?? 0;
            return { value: option.value, label: option.label, count, share: shareOf(count, answered) };
          }),
        };
      }
      case "scale": {
        const numbers = answers as number[];
        const distribution = Array.from({ length: Math.max(0, question.max - question.min + 1) }, (_, index) => {
          const value = question.min + index;
          const count = numbers.filter((answer) => answer === value).length;
          return { value, count, share: shareOf(count, answered) };
        });
        return { type: "scale", id: question.id, answered, distribution, mean: mean(numbers), median: median(numbers) };
      }
      case "number": {
        const numbers = answers as number[];
        return {
          type: "number",
          id: question.id,
          answered,
          // reduce rather than Math.min(...): spreading a hundred thousand answers overflows the stack.
          min: answered > 0 ? numbers.reduce((a, b) => Math.min(a, b)) : null,
          max: answered > 0 ? numbers.reduce((a, b) => Math.max(a, b)) : null,
          mean: mean(numbers),
          median: median(numbers),
        };
      }
      case "date": {
        // ISO dates sort as strings.
        const dates = (answers as string[]).sort();
        return { type: "date", id: question.id, answered, earliest: dates[0] ?? null, latest: dates.at(-1) ?? null };
      }
      case "short_text":
      case "long_text":
        return { type: question.type, id: question.id, answered, answers: answers as string[] };
    }
  });
  return { responses: records.length, questions };
}

// ---------------------------------------------------------------------------------------------
// CSV export

function csvValue(question: Question, value: unknown): string | number {
  const answer = validAnswer(question, value);
  if (answer === undefined) return "";
  if (isChoiceQuestion(question)) {
    const labels = new Map(question.options.map((option) => [option.value, option.label]));
    return chosenValues(answer)
      .map((chosen) => labels.get(chosen) ?? chosen)
      .join("; ");
  }
  return answer as string | number;
}

/**
 * Every response as CSV, one row each, for the municipality's own analysis. The first column is
 * when it was submitted (ISO 8601, UTC), then one column per question headed by its title.
 * Choices are written as their labels, several joined with "; ". Lines end with CRLF.
 */
export function responsesCsv(
  def: SurveyDefinition,
  responses: { submittedAt: Date; answers: Record<string, unknown> }[],
  options: { submittedAtTitle?: string } = {},
): string {
  const header = [options.submittedAtTitle ?? "submitted_at", ...def.questions.map((question) => question.title)];
  const rows = responses.map((response) => {
    const answers = asRecord(response?.answers) ?? {};
    const when = response?.submittedAt instanceof Date && !Number.isNaN(response.submittedAt.getTime()) ? response.submittedAt.toISOString() : "";
    return [when, ...def.questions.map((question) => csvValue(question, answers[question.id]))];
  });
  return toCsv(header, rows);
}

// ---------------------------------------------------------------------------------------------
// Chart

/**
 * The answers to a choice question as horizontal bars (the platform's chart helper): a label above
 * each bar, its value after it; the accessible name is the title.
 */
export function resultsChartSvg(
  labels: string[],
  counts: number[],
  options: { title: string; width?: number; formatValue?: (count: number, index: number) => string },
): string {
  const format = options.formatValue ?? ((count: number) => String(count));
  return horizontalBarsSvg(
    labels.map((label, index) => {
      const count = counts[index];
      const value = typeof count === "number" && Number.isFinite(count) && count > 0 ? count : 0;
      return { label, value, valueText: format(value, index) };
    }),
    { title: options.title, ...(options.width === undefined ? {} : { width: options.width }) },
  );
}
