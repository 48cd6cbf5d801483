import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { requireSignedIn } from "../../../core/auth/roles.js";
import { AppError, uuidOr404, type Reason } from "../../../core/http/errors.js";
import { FormReader, parseLocalNumber, withConflictsOnForm } from "../../../core/http/forms.js";
import type { Translate } from "../../../core/i18n/index.js";
import { wallClock } from "../../../core/tenancy/clock.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { emptyForm, type FormState } from "../../../core/views/context.js";
import { authorizeManager, processOf } from "../back-office.js";
import { PARTICIPATION_REASONS } from "../reasons.js";
import { zonedToUtc } from "../service.js";
import { getProcess, getProcessBySlug, verification, type ProcessRow } from "../store.js";
import { surveyPolicy } from "./policy.js";
import * as store from "./store.js";
import { QUESTION_ID_PATTERN, type Question, type SurveyDefinition, type SurveyProblem, type SurveyResultsData } from "./definition.js";
import * as surveys from "./service.js";
import { ResponseRefused, type ResponseRefusal, type SurveyRow, type SurveySettings } from "./service.js";
import { QUESTION_TYPES, SurveyEditPage, SurveyPage, SurveysAdminPage, type RefusalShown, type Respondent } from "./views.js";

/** Where each structural problem of a new question is shown on the form that adds it. */
const PROBLEM_FIELDS: Record<string, string> = {
  "participation.survey.def.choice_no_options": "options",
  "participation.survey.def.choice_duplicate_option": "options",
  "participation.survey.def.scale_min_max": "scale_min",
  "participation.survey.def.scale_too_wide": "scale_min",
  "participation.survey.def.min_above_max": "number_min",
  "participation.survey.def.show_if_unknown": "show_if",
  "participation.survey.def.show_if_later": "show_if",
  "participation.survey.def.show_if_target": "show_if",
  "participation.survey.def.show_if_value": "show_if",
};

/** A checkbox read, and kept ticked when the form comes back with errors. */
function checkbox(form: FormReader, name: string): boolean {
  const ticked = form.checked(name);
  form.values[name] = ticked ? "on" : "";
  return ticked;
}

/**
 * A moment typed on the municipality's clock, or null when both boxes are empty. A browser
 * without date inputs sends what people write, DD/MM/YYYY and 18h00.
 */
function readMoment(form: FormReader, prefix: "opens" | "closes", timeZone: string): Date | null {
  const dateName = `${prefix}_date`;
  const date = form.text(dateName, { max: 10 });
  const time = form.text(`${prefix}_time`, { max: 8 });
  if (!date && !time) return null;
  const french = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(date);
  const isoDate = french ? `${french[3]}-${french[2]!.padStart(2, "0")}-${french[1]!.padStart(2, "0")}` : date;
  const clock = /^(\d{1,2})[:hH](\d{2})(?::\d{2})?$/.exec(time);
  const moment = clock ? zonedToUtc(isoDate, `${clock[1]!.padStart(2, "0")}:${clock[2]}`, timeZone) : undefined;
  if (!moment) form.fail(dateName, "participation.surveys.error.moment");
  return moment ?? null;
}

function readSettings(form: FormReader, timeZone: string): SurveySettings {
  const input = {
    title: form.text("title", { required: true, max: 200 }),
    description: form.text("description", { max: 20_000 }),
    opensAt: readMoment(form, "opens", timeZone),
    closesAt: readMoment(form, "closes", timeZone),
    resultsPublic: checkbox(form, "results_public"),
    publishTexts: checkbox(form, "publish_texts"),
  };
  // Kept so that a form sent back with errors retries under the same idempotency key.
  form.text("_idem");
  return input;
}

function settingsForm(survey: SurveyRow, timeZone: string): FormState {
  const moment = (instant: Date | null, prefix: string) => {
    const parts = instant ? wallClock(instant, timeZone) : { date: "", time: "" };
    return { [`${prefix}_date`]: parts.date, [`${prefix}_time`]: parts.time };
  };
  return emptyForm({
    title: survey.title,
    description: survey.description,
    ...moment(survey.opens_at, "opens"),
    ...moment(survey.closes_at, "closes"),
    results_public: survey.results_public ? "on" : "",
    publish_texts: survey.publish_texts ? "on" : "",
  });
}

/** A number typed the way people write it ("1 500", "2,5"), or undefined with the error on the form. */
function optionalNumber(form: FormReader, name: string): number | undefined {
  const typed = form.text(name, { max: 20 });
  if (!typed) return undefined;
  const value = parseLocalNumber(typed);
  if (value === undefined) form.fail(name, "participation.survey.error.not_a_number");
  return value;
}

/** The question the builder's form describes, with an id unique in the survey; undefined when the form has errors. */
function readQuestion(form: FormReader, def: SurveyDefinition): Question | undefined {
  const type = form.choice("type", QUESTION_TYPES);
  const title = form.text("title", { required: true, max: 500 });
  const description = form.text("description", { max: 2000 });
  const required = checkbox(form, "required");
  const conditions = def.questions.flatMap((question) => (question.type === "single_choice" || question.type === "multiple_choice" ? question.options.map((option) => `${question.id}=${option.value}`) : []));
  const condition = form.choice("show_if", conditions, { required: false });
  // Every box is read, whatever the type: what was typed comes back if the form has errors.
  const optionLines = form
    .text("options", { max: 15_000 })
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const maxChoices = form.integer("max_choices", { min: 1, max: 50 });
  const scaleMin = form.integer("scale_min", { min: -100, max: 100 });
  const scaleMax = form.integer("scale_max", { min: -100, max: 100 });
  const minLabel = form.text("min_label", { max: 100 });
  const maxLabel = form.text("max_label", { max: 100 });
  const numberMin = optionalNumber(form, "number_min");
  const numberMax = optionalNumber(form, "number_max");
  const integer = checkbox(form, "integer");
  const maxLength = form.integer("max_length", { min: 1, max: type === "long_text" ? 20_000 : 1000 });
  form.text("_idem");
  if (!type || !title) return undefined;

  const [showIfQuestion, showIfValue] = condition ? [condition.slice(0, condition.indexOf("=")), condition.slice(condition.indexOf("=") + 1)] : [];
  const common = {
    id: surveys.questionIdFrom(title, new Set(def.questions.map((question) => question.id))),
    title,
    required,
    ...(description ? { description } : {}),
    ...(showIfQuestion && showIfValue ? { showIf: { question: showIfQuestion, equals: showIfValue } } : {}),
  };
  switch (type) {
    case "short_text":
      return form.invalid ? undefined : { ...common, type, maxLength: maxLength ?? 200 };
    case "long_text":
      return form.invalid ? undefined : { ...common, type, maxLength: maxLength ?? 5000 };
    case "single_choice":
    case "multiple_choice": {
      if (optionLines.length === 0) form.fail("options", "participation.survey.def.choice_no_options");
      if (optionLines.length > 50) form.fail("options", "participation.surveys.error.too_many_options", { max: 50 });
      if (optionLines.some((line) => line.length > 300)) form.fail("options", "form.too_long", { max: 300 });
      if (form.invalid) return undefined;
      const options = optionLines.map((label, index) => ({ value: surveys.optionValueFrom(label, index), label }));
      return type === "single_choice" ? { ...common, type, options } : { ...common, type, options, ...(maxChoices !== undefined ? { maxChoices } : {}) };
    }
    case "scale":
      return form.invalid
        ? undefined
        : { ...common, type, min: scaleMin ?? 1, max: scaleMax ?? 5, ...(minLabel ? { minLabel } : {}), ...(maxLabel ? { maxLabel } : {}) };
    case "date":
      return form.invalid ? undefined : { ...common, type };
    case "number":
      return form.invalid
        ? undefined
        : { ...common, type, ...(numberMin !== undefined ? { min: numberMin } : {}), ...(numberMax !== undefined ? { max: numberMax } : {}), ...(integer ? { integer } : {}) };
  }
}

/** A refusal in words, with the moment it names written on the municipality's clock. */
function refusalShown(t: Translate, formatDateTime: (instant: Date) => string, refusal: ResponseRefusal): RefusalShown {
  const reason = surveys.RESPONSE_REFUSALS[refusal.reason];
  const text = refusal.reason === "already_answered" ? t(reason.messageKey, { date: formatDateTime(refusal.submittedAt) }) : t(reason.messageKey);
  return { text, reason: reason.code };
}

/** A rule's refusal shown on the page itself rather than on an error page. */
const shownReason = (t: Translate, reason: Reason, params?: Record<string, string | number>): RefusalShown => ({ text: t(reason.messageKey, params), reason: reason.code });

/** A domain rule's refusal (409 with its own message) in words; anything else goes on up. */
async function ruleMessage(request: FastifyRequest, run: () => Promise<unknown>): Promise<RefusalShown | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    if (error instanceof AppError && error.code === "CONFLICT" && error.reason) return shownReason(request.t, error.reason, error.params);
    throw error;
  }
}

export async function surveysRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app;

  // ---- Public ------------------------------------------------------------------------------

  /** The survey of the URL, in the URL's municipality and process; drafts only for those who build them. */
  async function visibleSurvey(request: FastifyRequest): Promise<{ municipality: Municipality; process: ProcessRow; survey: SurveyRow }> {
    const municipality = request.requireMunicipality();
    const params = request.params as { process: string; survey: string };
    const manager = surveyPolicy.seeDrafts(request.actor, municipality);
    const process = await getProcessBySlug(db, municipality.id, params.process);
    if (!process || (process.status !== "published" && !manager)) throw new AppError("NOT_FOUND");
    const survey = await store.getSurvey(db, municipality.id, uuidOr404(params.survey));
    if (!survey || survey.process_id !== process.id || (survey.status === "draft" && !manager)) throw new AppError("NOT_FOUND");
    return { municipality, process, survey };
  }

  async function surveyPage(
    request: FastifyRequest,
    reply: FastifyReply,
    found: Awaited<ReturnType<typeof visibleSurvey>>,
    sent: { form?: FormState & { answers?: Record<string, string | string[]> }; refusal?: RefusalShown } = {},
    status = 200,
  ) {
    const { municipality, process, survey } = found;
    const actor = request.actor;
    const [verified, response, results] = await Promise.all([
      actor ? verification(db, municipality.id, actor.id) : undefined,
      actor ? store.getResponse(db, municipality.id, survey.id, actor.id) : undefined,
      survey.results_public && survey.status !== "draft" ? surveys.surveyResults(db, municipality.id, survey) : undefined,
    ]);
    const respondent: Respondent = !actor ? "anonymous" : verified ? "verified" : "unverified";
    return reply.page(
      <SurveyPage
        ctx={await request.view()}
        municipality={municipality}
        process={process}
        survey={survey}
        def={surveys.definitionOf(survey)}
        phase={surveys.surveyPhase(survey, new Date())}
        respondent={respondent}
        answeredAt={response?.submitted_at}
        form={sent.form ?? emptyForm()}
        refusal={sent.refusal}
        results={results}
      />,
      status,
    );
  }

  app.get("/:slug/participation/:process/surveys/:survey", async (request, reply) => surveyPage(request, reply, await visibleSurvey(request)));

  /** Public results exist only where the municipality publishes them; otherwise there is nothing here. */
  async function publicResults(request: FastifyRequest): Promise<{ municipality: Municipality; process: ProcessRow; survey: SurveyRow; def: SurveyDefinition; results: SurveyResultsData }> {
    const found = await visibleSurvey(request);
    const { municipality, survey } = found;
    if (!survey.results_public || survey.status === "draft") throw new AppError("NOT_FOUND");
    return { ...found, def: surveys.definitionOf(survey), results: await surveys.surveyResults(db, municipality.id, survey) };
  }

  app.get("/:slug/participation/:process/surveys/:survey/results.csv", async (request, reply) => {
    const { municipality, process, survey, def, results } = await publicResults(request);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${municipality.slug}-${process.slug}-questionnaire-${survey.id.slice(0, 8)}-resultats.csv"`)
      .send(surveys.resultsCsv(survey, process.slug, def, results));
  });

  app.post("/:slug/participation/:process/surveys/:survey/responses", async (request, reply) => {
    // Who asks is checked before anything is looked up: a stranger learns nothing of what exists.
    const actor = requireSignedIn(request.actor);
    const found = await visibleSurvey(request);
    const { municipality, process, survey } = found;
    const body = (request.body && typeof request.body === "object" ? request.body : {}) as Record<string, unknown>;
    const idem = typeof body._idem === "string" ? body._idem : "";
    try {
      const outcome = await surveys.submitResponse(db, municipality.id, actor.id, survey.id, body);
      if (!outcome.ok) return surveyPage(request, reply, found, { form: { values: { _idem: idem }, errors: outcome.errors, answers: outcome.values } }, 400);
      return reply.redirectWithFlash(`/${municipality.slug}/participation/${process.slug}/surveys/${survey.id}#answer`, { kind: "success", key: "participation.surveys.flash.answered" });
    } catch (error) {
      if (!(error instanceof ResponseRefused)) throw error;
      const refusal = refusalShown(request.t, (instant) => request.fmt.dateTime(instant, municipality.time_zone), error.refusal);
      // Who or when, not what was answered: the answers cannot be corrected into acceptance.
      return surveyPage(request, reply, found, { refusal }, 409);
    }
  });

  // ---- Back office -------------------------------------------------------------------------

  // Who may act is checked before anything is looked up: a refusal says nothing of what exists.
  async function surveyOf(request: FastifyRequest, municipality: Municipality): Promise<{ survey: SurveyRow; process: ProcessRow }> {
    const survey = await store.getSurvey(db, municipality.id, uuidOr404((request.params as { survey: string }).survey));
    const process = survey ? await getProcess(db, municipality.id, survey.process_id) : undefined;
    if (!survey || !process) throw new AppError("NOT_FOUND");
    return { survey, process };
  }

  function questionOf(request: FastifyRequest): string {
    const id = (request.params as { question: string }).question;
    if (!QUESTION_ID_PATTERN.test(id)) throw new AppError("NOT_FOUND");
    return id;
  }

  async function listPage(request: FastifyRequest, reply: FastifyReply, municipality: Municipality, process: ProcessRow, form: FormState, status = 200) {
    const now = new Date();
    const rows = await store.listSurveys(db, municipality.id, process.id, { visibleOnly: false });
    return reply.page(
      <SurveysAdminPage ctx={await request.view()} municipality={municipality} process={process} surveys={rows} form={form} phaseOf={(survey) => surveys.surveyPhase(survey, now)} />,
      status,
    );
  }

  app.get("/:slug/admin/participation/:id/surveys", async (request, reply) => {
    const municipality = authorizeManager(request, surveyPolicy.manage);
    const process = await processOf(db, request, municipality);
    // Results are open data unless the municipality decides otherwise; free text is read first.
    return listPage(request, reply, municipality, process, emptyForm({ results_public: "on" }));
  });

  app.post("/:slug/admin/participation/:id/surveys", async (request, reply) => {
    const municipality = authorizeManager(request, surveyPolicy.manage);
    const process = await processOf(db, request, municipality);
    const form = new FormReader(request.body);
    const input = readSettings(form, municipality.time_zone);
    const id = form.invalid ? undefined : await withConflictsOnForm(form, () => surveys.createSurvey(db, municipality.id, request.actor!.id, process.id, input));
    if (!id) return listPage(request, reply, municipality, process, form, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/surveys/${id}`, { kind: "success", key: "participation.surveys.flash.created" });
  });

  async function editPage(
    request: FastifyRequest,
    reply: FastifyReply,
    municipality: Municipality,
    found: { survey: SurveyRow; process: ProcessRow },
    forms: { settings?: FormState; question?: FormState; builder?: FormState; problem?: RefusalShown } = {},
    status = 200,
  ) {
    const { survey, process } = found;
    const results = survey.responses > 0 ? await surveys.surveyResults(db, municipality.id, survey) : undefined;
    return reply.page(
      <SurveyEditPage
        ctx={await request.view()}
        municipality={municipality}
        process={process}
        survey={survey}
        def={surveys.definitionOf(survey)}
        phase={surveys.surveyPhase(survey, new Date())}
        results={results}
        settingsForm={forms.settings ?? settingsForm(survey, municipality.time_zone)}
        questionForm={forms.question ?? emptyForm({ type: "single_choice", required: "on" })}
        builderForm={forms.builder ?? emptyForm()}
        problem={forms.problem}
      />,
      status,
    );
  }

  /** The page again after a refused change, with the survey as it now stands. */
  async function refreshed(municipality: Municipality, found: { survey: SurveyRow; process: ProcessRow }) {
    return { ...found, survey: (await store.getSurvey(db, municipality.id, found.survey.id)) ?? found.survey };
  }

  app.get("/:slug/admin/surveys/:survey", async (request, reply) => {
    const municipality = authorizeManager(request, surveyPolicy.manage);
    return editPage(request, reply, municipality, await surveyOf(request, municipality));
  });

  app.post("/:slug/admin/surveys/:survey", async (request, reply) => {
    const municipality = authorizeManager(request, surveyPolicy.manage);
    const found = await surveyOf(request, municipality);
    const form = new FormReader(request.body);
    const input = readSettings(form, municipality.time_zone);
    const saved = form.invalid ? undefined : await withConflictsOnForm(form, () => surveys.updateSurveySettings(db, municipality.id, request.actor!.id, found.survey.id, input).then(() => true));
    if (!saved) return editPage(request, reply, municipality, found, { settings: form }, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/surveys/${found.survey.id}#settings`, { kind: "success", key: "participation.surveys.flash.saved" });
  });

  /** Runs one change of the questions; its problems come back on the form they belong to. */
  async function changeQuestions(
    request: FastifyRequest,
    reply: FastifyReply,
    municipality: Municipality,
    found: { survey: SurveyRow; process: ProcessRow },
    change: Parameters<typeof surveys.changeQuestions>[4],
    onProblems: (problems: SurveyProblem[]) => { question?: FormState; builder?: FormState },
    anchor: string,
  ) {
    let problems: SurveyProblem[] = [];
    const refusal = await ruleMessage(request, async () => {
      problems = await surveys.changeQuestions(db, municipality.id, request.actor!.id, found.survey.id, change);
    });
    if (refusal) return editPage(request, reply, municipality, found, { problem: refusal }, 409);
    if (problems.length > 0) return editPage(request, reply, municipality, found, onProblems(problems), 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/surveys/${found.survey.id}#${anchor}`, { kind: "success", key: "participation.surveys.flash.questions_saved" });
  }

  /** Problems of a move or a removal, each at the question it concerns. */
  function builderErrors(problems: SurveyProblem[], fallback: string): { builder: FormState } {
    const form = emptyForm();
    for (const problem of problems) {
      const name = `b-${problem.id || fallback}`;
      if (!form.errors[name]) form.errors[name] = { key: problem.key };
    }
    return { builder: form };
  }

  app.post("/:slug/admin/surveys/:survey/questions", async (request, reply) => {
    const municipality = authorizeManager(request, surveyPolicy.manage);
    const found = await surveyOf(request, municipality);
    if (found.survey.status !== "draft") return editPage(request, reply, municipality, found, { problem: shownReason(request.t, PARTICIPATION_REASONS.SURVEY_QUESTIONS_LOCKED) }, 409);
    const form = new FormReader(request.body);
    const question = readQuestion(form, surveys.definitionOf(found.survey));
    if (!question) return editPage(request, reply, municipality, found, { question: form }, 400);
    return changeQuestions(
      request,
      reply,
      municipality,
      found,
      { action: "add", question: question.id, apply: (def) => surveys.withQuestionAdded(def, question) },
      (problems) => {
        for (const problem of problems) form.fail(PROBLEM_FIELDS[problem.key] ?? "title", problem.key);
        return { question: form };
      },
      `f-b-${question.id}`,
    );
  });

  app.post("/:slug/admin/surveys/:survey/questions/:question/move", async (request, reply) => {
    const municipality = authorizeManager(request, surveyPolicy.manage);
    const found = await surveyOf(request, municipality);
    const questionId = questionOf(request);
    const form = new FormReader(request.body);
    const direction = form.choice("direction", ["up", "down"] as const);
    if (!direction) throw new AppError("VALIDATION", form.errors);
    return changeQuestions(
      request,
      reply,
      municipality,
      found,
      { action: "move", question: questionId, apply: (def) => surveys.withQuestionMoved(def, questionId, direction) },
      (problems) => builderErrors(problems, questionId),
      `f-b-${questionId}`,
    );
  });

  app.post("/:slug/admin/surveys/:survey/questions/:question/delete", async (request, reply) => {
    const municipality = authorizeManager(request, surveyPolicy.manage);
    const found = await surveyOf(request, municipality);
    const questionId = questionOf(request);
    return changeQuestions(
      request,
      reply,
      municipality,
      found,
      { action: "remove", question: questionId, apply: (def) => surveys.withQuestionRemoved(def, questionId) },
      (problems) => builderErrors(problems, questionId),
      "builder",
    );
  });

  for (const action of ["open", "close"] as const) {
    app.post(`/:slug/admin/surveys/:survey/${action}`, async (request, reply) => {
      const municipality = authorizeManager(request, surveyPolicy.manage);
      const found = await surveyOf(request, municipality);
      const run = action === "open" ? surveys.openSurvey : surveys.closeSurvey;
      const refusal = await ruleMessage(request, () => run(db, municipality.id, request.actor!.id, found.survey.id));
      if (refusal) return editPage(request, reply, municipality, await refreshed(municipality, found), { problem: refusal }, 409);
      return reply.redirectWithFlash(`/${municipality.slug}/admin/surveys/${found.survey.id}`, { kind: "success", key: action === "open" ? "participation.surveys.flash.opened" : "participation.surveys.flash.closed" });
    });
  }

  app.get("/:slug/admin/surveys/:survey/responses.csv", async (request, reply) => {
    const municipality = authorizeManager(request, surveyPolicy.manage);
    const { survey, process } = await surveyOf(request, municipality);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${municipality.slug}-${process.slug}-questionnaire-${survey.id.slice(0, 8)}-reponses.csv"`)
      // Free text may name people: never kept by a shared cache.
      .header("cache-control", "private, no-store")
      .send(await surveys.responsesCsvOf(db, municipality.id, survey));
  });
}
