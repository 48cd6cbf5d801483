import { toCsv } from "../../../core/export/csv.js";
import { Value } from "@sinclair/typebox/value";
import { recordAudit } from "../../../core/audit/index.js";
import type { Queryable, Tx } from "../../../core/db/index.js";
import { AppError, ruleRefused, type FieldError, type Reason } from "../../../core/http/errors.js";
import { PARTICIPATION_REASONS as REASONS } from "../reasons.js";
import { getProcess, verification } from "../store.js";
import * as store from "./store.js";
import type { SurveyRow, SurveySettings } from "./store.js";
import {
  aggregate,
  parseSurvey,
  readResponse,
  responsesCsv,
  surveyProblems,
  SurveyDefinitionSchema,
  type Question,
  type QuestionResult,
  type SurveyDefinition,
  type SurveyProblem,
  type SurveyResultsData,
  type SurveyValues,
} from "./definition.js";

/*
 * Surveys of a participatory process (questionnaires): their settings and questions as the back
 * office builds them, residents' responses, and the results. The definition, the reading of a
 * response and the counting are survey.ts's; this file keeps them in the database, under the
 * rules of when and by whom. Every change is a transaction and is audited; what a resident
 * answered never goes into the audit log, only that they answered.
 */

/** What residents can do now: a survey open with a start date in the future is "upcoming". */
export type SurveyPhase = "draft" | "upcoming" | "open" | "closed";

export type { ResponseRow, SurveyRow, SurveySettings, SurveyStatus } from "./store.js";

/** The survey locked for the rest of the transaction, with the database's clock (see the store). */
async function lockSurvey(tx: Queryable, municipalityId: string, id: string, mode: "UPDATE" | "SHARE"): Promise<{ survey: SurveyRow; now: Date }> {
  const now = await store.lockSurvey(tx, municipalityId, id, mode);
  const survey = now ? await store.getSurvey(tx, municipalityId, id) : undefined;
  if (!now || !survey) throw new AppError("NOT_FOUND");
  return { survey, now };
}

// ---------------------------------------------------------------------------------------------
// Rules, pure

/** The stored definition, or an empty one if what is stored is not a definition at all. */
export function definitionOf(survey: Pick<SurveyRow, "definition">): SurveyDefinition {
  return Value.Check(SurveyDefinitionSchema, survey.definition) ? survey.definition : { questions: [] };
}

export function surveyPhase(survey: Pick<SurveyRow, "status" | "opens_at" | "closes_at">, now: Date): SurveyPhase {
  if (survey.status === "draft") return "draft";
  if (survey.status === "closed") return "closed";
  if (survey.opens_at && now < survey.opens_at) return "upcoming";
  if (survey.closes_at && now >= survey.closes_at) return "closed";
  return "open";
}

/** Problems with settings that the form alone cannot see, by field name. */
export function settingsErrors(input: SurveySettings): Record<string, FieldError> {
  const errors: Record<string, FieldError> = {};
  if (input.opensAt && input.closesAt && input.closesAt.getTime() <= input.opensAt.getTime()) errors.closes_date = { key: REASONS.SURVEY_CLOSES_BEFORE_OPENS.messageKey, reason: REASONS.SURVEY_CLOSES_BEFORE_OPENS.code };
  return errors;
}

/**
 * What stops a definition being saved while it is being built: everything survey.ts finds except
 * having no question yet, which only stops opening it.
 */
export function builderProblems(def: SurveyDefinition): SurveyProblem[] {
  if (!Value.Check(SurveyDefinitionSchema, def)) return [{ key: "participation.survey.def.malformed", id: "" }];
  return surveyProblems(def).filter((problem) => problem.key !== "participation.survey.def.empty");
}

/** "Canal préféré ?" → "canal_prefere", unique among the ids taken. */
export function questionIdFrom(title: string, taken: ReadonlySet<string>): string {
  const base =
    title
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .replace(/^(\d)/, "q_$1")
      .slice(0, 32)
      .replace(/_+$/, "") || "question";
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  return id;
}

/** An option's value from its label; the same label twice gives the same value, which the survey's check refuses. */
export function optionValueFrom(label: string, index: number): string {
  const value = questionIdFrom(label, new Set()).slice(0, 100);
  return value === "question" ? `option_${index + 1}` : value;
}

export function withQuestionAdded(def: SurveyDefinition, question: Question): SurveyDefinition {
  return { ...def, questions: [...def.questions, question] };
}

/** The definition with one question moved by one place; unchanged at either end. */
export function withQuestionMoved(def: SurveyDefinition, questionId: string, direction: "up" | "down"): SurveyDefinition | undefined {
  const index = def.questions.findIndex((question) => question.id === questionId);
  if (index < 0) return undefined;
  const target = direction === "up" ? index - 1 : index + 1;
  if (target < 0 || target >= def.questions.length) return def;
  const questions = [...def.questions];
  [questions[index], questions[target]] = [questions[target]!, questions[index]!];
  return { ...def, questions };
}

/**
 * The definition without one question. A question others are shown after cannot go first: each of
 * them is named, where survey.ts would only say that a condition now points at nothing.
 */
export function withQuestionRemoved(def: SurveyDefinition, questionId: string): SurveyDefinition | SurveyProblem[] | undefined {
  if (!def.questions.some((question) => question.id === questionId)) return undefined;
  const dependents = def.questions.filter((question) => question.showIf?.question === questionId);
  if (dependents.length > 0) return dependents.map((question) => ({ key: "participation.surveys.error.depended_on", id: question.id }));
  return { ...def, questions: def.questions.filter((question) => question.id !== questionId) };
}

// ---------------------------------------------------------------------------------------------
// Use cases: each a transaction, each change audited

export async function createSurvey(db: Tx, municipalityId: string, actorId: string, processId: string, input: SurveySettings): Promise<string> {
  const errors = settingsErrors(input);
  if (Object.keys(errors).length > 0) throw new AppError("CONFLICT", errors);
  return db.transaction(async (tx) => {
    if (!(await getProcess(tx, municipalityId, processId))) throw new AppError("NOT_FOUND");
    const id = await store.insertSurvey(tx, municipalityId, actorId, processId, input);
    await recordAudit(tx, { actorId, municipalityId, action: "participation.survey.create", subjectType: "survey", subjectId: id, data: { process: processId, title: input.title } });
    return id;
  });
}

/** Settings may change at any time: extending a survey or publishing its results comes after opening. */
export async function updateSurveySettings(db: Tx, municipalityId: string, actorId: string, id: string, input: SurveySettings): Promise<void> {
  const errors = settingsErrors(input);
  if (Object.keys(errors).length > 0) throw new AppError("CONFLICT", errors);
  await db.transaction(async (tx) => {
    await lockSurvey(tx, municipalityId, id, "UPDATE");
    await store.updateSurveySettings(tx, municipalityId, id, input);
    await recordAudit(tx, {
      actorId,
      municipalityId,
      action: "participation.survey.update",
      subjectType: "survey",
      subjectId: id,
      data: { title: input.title, opens_at: input.opensAt?.toISOString() ?? null, closes_at: input.closesAt?.toISOString() ?? null, publish_texts: input.publishTexts, results_public: input.resultsPublic },
    });
  });
}

/**
 * Applies one change to the questions of a draft, and saves the result only if it is whole: a
 * condition pointing at a removed question, or moved above the question it depends on, is refused
 * with the survey's own explanation. Returns the problems; empty when saved.
 */
export async function changeQuestions(
  db: Tx,
  municipalityId: string,
  actorId: string,
  id: string,
  change: { action: "add" | "move" | "remove"; question: string; apply: (def: SurveyDefinition) => SurveyDefinition | SurveyProblem[] | undefined },
): Promise<SurveyProblem[]> {
  return db.transaction(async (tx) => {
    const { survey } = await lockSurvey(tx, municipalityId, id, "UPDATE");
    if (survey.status !== "draft") throw ruleRefused(REASONS.SURVEY_QUESTIONS_LOCKED);
    const next = change.apply(definitionOf(survey));
    if (!next) throw new AppError("NOT_FOUND");
    if (Array.isArray(next)) return next;
    const problems = builderProblems(next);
    if (problems.length > 0) return problems;
    await store.saveDefinition(tx, municipalityId, id, next);
    await recordAudit(tx, { actorId, municipalityId, action: `participation.survey.question.${change.action}`, subjectType: "survey", subjectId: id, data: { question: change.question } });
    return [];
  });
}

/**
 * Opens a survey to residents (again, after a closing). Its questions must form a whole survey
 * with at least one question, and a closing date, if any, must still be ahead.
 */
export async function openSurvey(db: Tx, municipalityId: string, actorId: string, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const { survey, now } = await lockSurvey(tx, municipalityId, id, "UPDATE");
    if (survey.status === "open") return;
    const { problems } = parseSurvey(survey.definition);
    // The builder saves only whole definitions: what is left is having no question, or a stored definition broken otherwise.
    if (problems.length > 0) throw ruleRefused(problems[0] === "participation.survey.def.empty" ? REASONS.SURVEY_EMPTY : REASONS.SURVEY_DEFINITION_INVALID);
    if (survey.closes_at && survey.closes_at <= now) throw ruleRefused(REASONS.SURVEY_CLOSES_IN_PAST);
    await store.setSurveyStatus(tx, municipalityId, id, "open");
    await recordAudit(tx, { actorId, municipalityId, action: "participation.survey.open", subjectType: "survey", subjectId: id, data: { questions: definitionOf(survey).questions.length } });
  });
}

export async function closeSurvey(db: Tx, municipalityId: string, actorId: string, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const { survey } = await lockSurvey(tx, municipalityId, id, "UPDATE");
    if (survey.status === "closed") return;
    if (survey.status !== "open") throw ruleRefused(REASONS.SURVEY_NOT_OPENED);
    await store.setSurveyStatus(tx, municipalityId, id, "closed");
    await recordAudit(tx, { actorId, municipalityId, action: "participation.survey.close", subjectType: "survey", subjectId: id, data: { responses: survey.responses } });
  });
}

// ---------------------------------------------------------------------------------------------
// Answering

/** Why a response was refused: who answers, or when; never what was answered. */
export type ResponseRefusal = { reason: "not_verified" | "not_open" | "closed" } | { reason: "already_answered"; submittedAt: Date };

export const RESPONSE_REFUSALS: Record<ResponseRefusal["reason"], Reason> = {
  not_verified: REASONS.SURVEY_RESPONDENT_NOT_VERIFIED,
  not_open: REASONS.SURVEY_NOT_OPEN_YET,
  closed: REASONS.SURVEY_CLOSED,
  already_answered: REASONS.SURVEY_ALREADY_ANSWERED,
};

export class ResponseRefused extends AppError {
  constructor(readonly refusal: ResponseRefusal) {
    super("CONFLICT", {}, {}, RESPONSE_REFUSALS[refusal.reason]);
  }
}

export type SubmitOutcome = { ok: true; submittedAt: Date } | { ok: false; errors: Record<string, FieldError>; values: SurveyValues };

const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === "23505";
const isGuardRefusal = (error: unknown) => error instanceof Error && /survey_response_locked/.test(error.message);

/**
 * Records a verified resident's one response while the survey is open. The survey row is read
 * FOR SHARE, so closing it waits for this response or the reverse; the primary key settles two
 * submissions racing each other, and the loser is told when the winner was recorded.
 */
export async function submitResponse(db: Tx, municipalityId: string, userId: string, surveyId: string, body: Record<string, unknown>): Promise<SubmitOutcome> {
  try {
    return await db.transaction(async (tx) => {
      const { survey, now } = await lockSurvey(tx, municipalityId, surveyId, "SHARE");
      const phase = surveyPhase(survey, now);
      if (phase === "draft") throw new AppError("NOT_FOUND");
      if (phase === "upcoming") throw new ResponseRefused({ reason: "not_open" });
      if (phase === "closed") throw new ResponseRefused({ reason: "closed" });
      if (!(await verification(tx, municipalityId, userId))) throw new ResponseRefused({ reason: "not_verified" });
      const earlier = await store.getResponse(tx, municipalityId, surveyId, userId);
      if (earlier) throw new ResponseRefused({ reason: "already_answered", submittedAt: earlier.submitted_at });
      const read = readResponse(definitionOf(survey), body);
      if (Object.keys(read.errors).length > 0) return { ok: false, errors: read.errors, values: read.values };
      const submittedAt = await store.insertResponse(tx, municipalityId, surveyId, userId, read.answers);
      await recordAudit(tx, { actorId: userId, municipalityId, action: "participation.survey.response.submit", subjectType: "survey", subjectId: surveyId });
      return { ok: true, submittedAt };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      const earlier = await store.getResponse(db, municipalityId, surveyId, userId);
      throw new ResponseRefused({ reason: "already_answered", submittedAt: earlier?.submitted_at ?? new Date() });
    }
    if (isGuardRefusal(error)) throw new ResponseRefused({ reason: "closed" });
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Results and open data

export async function surveyResults(db: Queryable, municipalityId: string, survey: SurveyRow): Promise<SurveyResultsData> {
  const responses = await store.listResponses(db, municipalityId, survey.id);
  return aggregate(definitionOf(survey), responses.map((response) => response.answers));
}

/** Every response with its free text, for the back office only: one row each, no names. */
export async function responsesCsvOf(db: Queryable, municipalityId: string, survey: SurveyRow): Promise<string> {
  const responses = await store.listResponses(db, municipalityId, survey.id);
  return responsesCsv(
    definitionOf(survey),
    responses.map((response) => ({ submittedAt: response.submitted_at, answers: response.answers })),
  );
}

const rounded = (share: number) => Math.round(share * 10_000) / 10_000;

type CsvRow = [kind: string, value: string | number | null, label: string, count: number | null, share: number | null];

function csvRowsOf(question: Question, result: QuestionResult, publishTexts: boolean): CsvRow[] {
  switch (result.type) {
    case "single_choice":
    case "multiple_choice":
      return result.options.map((option) => ["option", option.value, option.label, option.count, rounded(option.share)]);
    case "scale": {
      const ends = question.type === "scale" ? { [question.min]: question.minLabel ?? "", [question.max]: question.maxLabel ?? "" } : {};
      return [
        ...result.distribution.map((point): CsvRow => ["option", point.value, ends[point.value] ?? "", point.count, rounded(point.share)]),
        ["statistic", result.mean === null ? null : rounded(result.mean), "mean", null, null],
        ["statistic", result.median, "median", null, null],
      ];
    }
    case "number":
      return (["min", "max", "mean", "median"] as const).map((name): CsvRow => {
        const value = result[name];
        return ["statistic", value === null ? null : rounded(value), name, null, null];
      });
    case "date":
      return [
        ["statistic", result.earliest, "earliest", null, null],
        ["statistic", result.latest, "latest", null, null],
      ];
    case "short_text":
    case "long_text":
      return publishTexts ? result.answers.map((text): CsvRow => ["text", text, "", 1, null]) : [["texts_withheld", null, "", result.answered, null]];
  }
}

/**
 * The results as open data: counts per option and statistics per question, one row each, with the
 * survey and question on every row so that the file stands alone and files of several surveys
 * can be concatenated per process. Free text appears only when the municipality publishes it.
 * Header names are stable and in English, like the platform's other exports.
 */
export function resultsCsv(survey: Pick<SurveyRow, "id" | "title" | "publish_texts">, processSlug: string, def: SurveyDefinition, results: SurveyResultsData): string {
  const header = ["process", "survey_id", "survey_title", "responses", "question_id", "question", "question_type", "answered", "row_kind", "value", "label", "count", "share"];
  const byId = new Map(results.questions.map((result) => [result.id, result]));
  const lines: (string | number | null)[][] = [];
  for (const question of def.questions) {
    const result = byId.get(question.id);
    if (!result || result.type !== question.type) continue;
    for (const row of csvRowsOf(question, result, survey.publish_texts)) {
      lines.push([processSlug, survey.id, survey.title, results.responses, question.id, question.title, question.type, result.answered, ...row]);
    }
  }
  return toCsv(header, lines);
}

/** The results for the JSON API: free text only when published, never anything about who answered. */
export function resultsJson(def: SurveyDefinition, results: SurveyResultsData, publishTexts: boolean) {
  const byId = new Map(results.questions.map((result) => [result.id, result]));
  return {
    responses: results.responses,
    questions: def.questions.flatMap((question): Record<string, unknown>[] => {
      const result = byId.get(question.id);
      if (!result || result.type !== question.type) return [];
      const base = { id: question.id, title: question.title, type: question.type, answered: result.answered, ...(question.showIf ? { show_if: question.showIf } : {}) };
      switch (result.type) {
        case "single_choice":
        case "multiple_choice":
          return [{ ...base, options: result.options.map((option) => ({ value: option.value, label: option.label, count: option.count, share: rounded(option.share) })) }];
        case "scale":
          return [{ ...base, distribution: result.distribution.map((point) => ({ ...point, share: rounded(point.share) })), mean: result.mean, median: result.median }];
        case "number":
          return [{ ...base, min: result.min, max: result.max, mean: result.mean, median: result.median }];
        case "date":
          return [{ ...base, earliest: result.earliest, latest: result.latest }];
        case "short_text":
        case "long_text":
          return [{ ...base, texts_published: publishTexts, ...(publishTexts ? { answers: result.answers } : {}) }];
      }
    }),
  };
}

/** Links to a process's surveys (not drafts), for its public page. */
export function surveyLinks(db: Queryable) {
  return async (municipality: { id: string; slug: string }, process: { id: string; slug: string }): Promise<{ href: string; label: string }[]> =>
    (await store.listSurveys(db, municipality.id, process.id, { visibleOnly: true })).map((survey) => ({
      href: `/${municipality.slug}/participation/${process.slug}/surveys/${survey.id}`,
      label: survey.title,
    }));
}
