import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { IdParam, MunicipalityParams, PageQuery, PUBLIC_READ_ERRORS, pageOf, type Page } from "../../../core/http/api-schemas.js";
import { AppError, uuidOr404 } from "../../../core/http/errors.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { QuestionSchema } from "./definition.js";
import * as surveys from "./service.js";
import * as store from "./store.js";

/*
 * Surveys as open data, under /api/v1/{slug}/surveys: the surveys of published processes with
 * their questions, and their results where the municipality made them public. Nothing says who
 * answered; free text only where the survey publishes it.
 */

const SurveySummary = Type.Object({
  id: Type.String({ format: "uuid" }),
  process: Type.String({ description: "The slug of the participatory process that asks it." }),
  title: Type.String(),
  description: Type.String(),
  phase: Type.Union([Type.Literal("upcoming"), Type.Literal("open"), Type.Literal("closed")]),
  opens_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  closes_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  questions: Type.Integer({ minimum: 0, description: "How many questions it asks." }),
  results_public: Type.Boolean(),
  results: Type.Union([Type.String({ format: "uri" }), Type.Null()], { description: "Where its results are, when they are public." }),
  url: Type.String({ format: "uri" }),
});

const Share = Type.Number({ minimum: 0, maximum: 1 });
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

/** One question's results; which fields appear depends on the question's type. */
const QuestionResult = Type.Object({
  id: Type.String(),
  title: Type.String(),
  type: Type.String({ description: "short_text, long_text, single_choice, multiple_choice, scale, date or number." }),
  answered: Type.Integer({ minimum: 0 }),
  show_if: Type.Optional(Type.Object({ question: Type.String(), equals: Type.String() })),
  options: Type.Optional(Type.Array(Type.Object({ value: Type.String(), label: Type.String(), count: Type.Integer({ minimum: 0 }), share: Share }))),
  distribution: Type.Optional(Type.Array(Type.Object({ value: Type.Number(), count: Type.Integer({ minimum: 0 }), share: Share }))),
  mean: Type.Optional(NullableNumber),
  median: Type.Optional(NullableNumber),
  min: Type.Optional(NullableNumber),
  max: Type.Optional(NullableNumber),
  earliest: Type.Optional(Type.Union([Type.String({ format: "date" }), Type.Null()])),
  latest: Type.Optional(Type.Union([Type.String({ format: "date" }), Type.Null()])),
  texts_published: Type.Optional(Type.Boolean({ description: "Whether the survey publishes its free-text answers." })),
  answers: Type.Optional(Type.Array(Type.String(), { description: "Free-text answers, when published." })),
});

const SurveyParams = Type.Object({ ...MunicipalityParams.properties, survey: IdParam("The survey's id") });

export async function surveysApiRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app;
  const pageUrl = (municipality: Municipality, survey: store.PublicSurveyRow) => `${config.publicUrl}/${municipality.slug}/participation/${survey.process_slug}/surveys/${survey.id}`;

  function summary(municipality: Municipality, survey: store.PublicSurveyRow, now: Date) {
    const phase = surveys.surveyPhase(survey, now);
    return {
      id: survey.id,
      process: survey.process_slug,
      title: survey.title,
      description: survey.description,
      phase: phase === "draft" ? "upcoming" : phase,
      opens_at: survey.opens_at?.toISOString() ?? null,
      closes_at: survey.closes_at?.toISOString() ?? null,
      questions: surveys.definitionOf(survey).questions.length,
      results_public: survey.results_public,
      results: survey.results_public ? `${config.publicUrl}/api/v1/${municipality.slug}/surveys/${survey.id}/results` : null,
      url: pageUrl(municipality, survey),
    };
  }

  async function publicSurvey(municipality: Municipality, id: string): Promise<store.PublicSurveyRow> {
    const survey = await store.getPublicSurvey(db, municipality.id, uuidOr404(id));
    if (!survey) throw new AppError("NOT_FOUND");
    return survey;
  }

  app.get(
    "/api/v1/:slug/surveys",
    {
      schema: {
        tags: ["participation"],
        operationId: "listSurveys",
        summary: "Surveys of a municipality's participatory processes",
        description: "Surveys of published processes, opened or closed (drafts are never listed), the latest first.",
        params: MunicipalityParams,
        querystring: PageQuery,
        response: { 200: pageOf("surveys", SurveySummary), ...PUBLIC_READ_ERRORS },
      },
    },
    async (request) => {
      const municipality = request.requireMunicipality();
      const page = request.query as Page;
      const { total, rows } = await store.pagePublicSurveys(db, municipality.id, page);
      const now = new Date();
      return { municipality: municipality.slug, total, limit: page.limit, offset: page.offset, surveys: rows.map((row) => summary(municipality, row, now)) };
    },
  );

  app.get(
    "/api/v1/:slug/surveys/:survey",
    {
      schema: {
        tags: ["participation"],
        operationId: "getSurvey",
        summary: "A survey with its questions",
        params: SurveyParams,
        response: { 200: Type.Object({ municipality: Type.String(), survey: SurveySummary, questions: Type.Array(QuestionSchema) }), ...PUBLIC_READ_ERRORS },
      },
    },
    async (request) => {
      const municipality = request.requireMunicipality();
      const survey = await publicSurvey(municipality, (request.params as { survey: string }).survey);
      return { municipality: municipality.slug, survey: summary(municipality, survey, new Date()), questions: surveys.definitionOf(survey).questions };
    },
  );

  app.get(
    "/api/v1/:slug/surveys/:survey/results",
    {
      schema: {
        tags: ["participation"],
        operationId: "getSurveyResults",
        summary: "The results of a survey whose results are public",
        description: "Counts and shares per question; free-text answers only when the survey publishes them. A survey whose results are not public is not found here.",
        params: SurveyParams,
        response: {
          200: Type.Object({
            municipality: Type.String(),
            process: Type.String(),
            survey: Type.Object({
              id: Type.String({ format: "uuid" }),
              title: Type.String(),
              description: Type.String(),
              phase: Type.String(),
              opens_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
              closes_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
              url: Type.String({ format: "uri" }),
              csv: Type.String({ format: "uri" }),
            }),
            responses: Type.Integer({ minimum: 0 }),
            questions: Type.Array(QuestionResult),
          }),
          ...PUBLIC_READ_ERRORS,
        },
      },
    },
    async (request) => {
      const municipality = request.requireMunicipality();
      const survey = await publicSurvey(municipality, (request.params as { survey: string }).survey);
      if (!survey.results_public) throw new AppError("NOT_FOUND");
      const def = surveys.definitionOf(survey);
      const results = await surveys.surveyResults(db, municipality.id, survey);
      const page = pageUrl(municipality, survey);
      return {
        municipality: municipality.slug,
        process: survey.process_slug,
        survey: {
          id: survey.id,
          title: survey.title,
          description: survey.description,
          phase: surveys.surveyPhase(survey, new Date()),
          opens_at: survey.opens_at?.toISOString() ?? null,
          closes_at: survey.closes_at?.toISOString() ?? null,
          url: page,
          csv: `${page}/results.csv`,
        },
        ...surveys.resultsJson(def, results, survey.publish_texts),
      };
    },
  );
}
