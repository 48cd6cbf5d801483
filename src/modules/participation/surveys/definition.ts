import { toCsv } from "../../../core/export/csv.js";
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { horizontalBarsSvg } from "../../../core/export/chart.js";
import {
  answersScope,
  comparable,
  answersToValues,
  definitionProblems,
  FIELD_ID_PATTERN,
  isShown,
  MAX_SCALE_POINTS,
  readForm,
  type DefinitionProblemCode,
  type FormDefinition,
  type SimpleField,
} from "../../../core/forms/index.js";
import type { FieldError } from "../../../core/http/errors.js";
import { parseLocalDate } from "../../../core/http/forms.js";

/*
 * Surveys of a participatory process (questionnaires as in Decidim): the definition an
 * administrator writes and stores (JSONB), a resident's answers read from a plain form post (by
 * the core form engine, core/forms, which this file feeds with the survey as a form), and the
 * results counted, exported and drawn. Pure: no I/O, so that a definition and its answers
 * survive a round trip through the database unchanged and every step can be tested alone.
 *
 * Form names are `q.<question id>`; ids start with a letter, so they cannot clash with the
 * `_csrf` and `_idem` fields the form carries. Answers are keyed by question id and hold a string
 * (texts, single choice, dates as YYYY-MM-DD), a number (scale, number) or a string array
 * (multiple choice). Texts are kept exactly as typed, markup included: they are escaped where
 * they are shown, never rewritten here.
 */

export const QUESTION_ID_PATTERN = FIELD_ID_PATTERN;
const NAME_PREFIX = "q.";

export { MAX_SCALE_POINTS };

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
// The survey as a core form

/** The survey in the form engine's terms: one section without heading, one field per question. */
export function surveyForm(def: SurveyDefinition): FormDefinition {
  return { sections: [{ id: "questions", title: "", fields: def.questions.map(questionField) }] };
}

function questionField(question: Question): SimpleField {
  const base = {
    id: question.id,
    label: question.title,
    hint: question.description,
    required: question.required,
    showIf: question.showIf ? { field: question.showIf.question, equals: question.showIf.equals } : undefined,
  };
  switch (question.type) {
    case "short_text":
    case "long_text":
      return { ...base, type: "text", maxLength: question.maxLength, multiline: question.type === "long_text" };
    case "single_choice":
      return { ...base, type: "choice", options: question.options };
    case "multiple_choice":
      return { ...base, type: "choice", options: question.options, multiple: true, maxChoices: question.maxChoices };
    case "scale":
      return { ...base, type: "scale", min: question.min, max: question.max, minLabel: question.minLabel, maxLabel: question.maxLabel };
    case "date":
      return { ...base, type: "date" };
    case "number":
      return { ...base, type: "number", min: question.min, max: question.max, integer: question.integer };
  }
}

// ---------------------------------------------------------------------------------------------
// Structural checks

export interface SurveyProblem {
  key: string;
  /** The question concerned; the survey itself when empty. */
  id: string;
}

/** Core's problem codes in a survey's words; codes a survey cannot meet read as malformed. */
const PROBLEM_KEYS: Record<DefinitionProblemCode, string> = {
  empty: "participation.survey.def.empty",
  invalid_id: "participation.survey.def.invalid_id",
  duplicate_id: "participation.survey.def.duplicate_id",
  choice_no_options: "participation.survey.def.choice_no_options",
  choice_duplicate_option: "participation.survey.def.choice_duplicate_option",
  min_above_max: "participation.survey.def.min_above_max",
  scale_min_max: "participation.survey.def.scale_min_max",
  scale_too_wide: "participation.survey.def.scale_too_wide",
  show_if_unknown: "participation.survey.def.show_if_unknown",
  show_if_later: "participation.survey.def.show_if_later",
  show_if_target: "participation.survey.def.show_if_target",
  show_if_value: "participation.survey.def.show_if_value",
  file_no_type: "participation.survey.def.malformed",
  repeat_empty: "participation.survey.def.malformed",
  nested_repeat: "participation.survey.def.malformed",
  too_many_files: "participation.survey.def.malformed",
  too_many_inputs: "participation.survey.def.malformed",
};

/**
 * Every structural problem with the question it concerns, in order, for an editor that points at
 * each. The TypeBox schema checks shapes; this checks what a schema cannot.
 */
export function surveyProblems(def: SurveyDefinition): SurveyProblem[] {
  // A condition may only test a choice question: a survey's hints name the option chosen.
  return definitionProblems(surveyForm(def), { conditionsOn: "choices" }).map((problem) => ({ key: PROBLEM_KEYS[problem.code], id: problem.id }));
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

export interface ReadResponseResult {
  answers: SurveyAnswers;
  errors: Record<string, FieldError>;
  values: SurveyValues;
}

/** A question is answered, not filled in: the survey says so when one is left empty. */
const SURVEY_ERROR_KEYS: Record<string, string> = { "form.required": "participation.survey.error.required" };

/**
 * Whether a question is asked given the answers so far. A condition on a question that is itself
 * hidden fails, since a hidden question has no answer.
 */
export function isQuestionShown(question: Question, answers: SurveyAnswers): boolean {
  return isShown(questionField(question), answersScope(answers));
}

/**
 * Reads a resident's submission against the survey. Hidden questions (their showIf not met) are
 * neither required nor kept, but what was typed in them is echoed back in `values`, so it is
 * still there if the resident changes the answer they depend on. Errors are keyed by form name.
 */
export function readResponse(def: SurveyDefinition, body: Record<string, unknown>): ReadResponseResult {
  const read = readForm(surveyForm(def), body, {}, { prefix: NAME_PREFIX });
  const errors = Object.fromEntries(Object.entries(read.errors).map(([name, error]) => [name, { ...error, key: SURVEY_ERROR_KEYS[error.key] ?? error.key }]));
  // A survey has no yes/no, address or file question: its answers are strings, numbers or lists.
  return { answers: read.answers as SurveyAnswers, errors, values: read.values };
}

/** Values to fill the form with from saved answers (a response reopened to be changed). */
export function answersToSurveyValues(def: SurveyDefinition, answers: Record<string, unknown>): SurveyValues {
  return answersToValues(surveyForm(def), answers, NAME_PREFIX);
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
        for (const answer of answers) for (const value of comparable(answer)) counts.set(value, (counts.get(value) ?? 0) + 1);
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
    return comparable(answer)
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
