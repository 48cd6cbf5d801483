import { svgSize } from "../../../core/export/chart.js";
import { FormFields, scaleOptions } from "../../../core/forms/render.js";
import type { FieldError } from "../../../core/http/errors.js";
import type { ViewContext } from "../../../core/views/context.js";
import { TableScroll } from "../../../core/views/components.js";
import {
  resultsChartSvg,
  surveyForm,
  type ChoiceResult,
  type DateResult,
  type NumberResult,
  type Question,
  type QuestionResult,
  type ScaleQuestion,
  type ScaleResult,
  type SurveyDefinition,
  type SurveyResultsData,
  type SurveyValues,
  type TextResult,
} from "./definition.js";

/*
 * A survey as a form (drawn by the core form engine), and its results as tables and charts. Works
 * without script: a conditional question is always shown, with a hint saying when to answer it,
 * and the server ignores it when its condition is not met. Put <SurveyFields> inside a core <Form>
 * with an <ErrorSummary>: each question's first input has the id `f-q.<id>` that the summary links to.
 */

export interface SurveyFieldsProps {
  ctx: ViewContext;
  def: SurveyDefinition;
  /** What readResponse returned as `values` (or answersToSurveyValues for saved answers). */
  values?: SurveyValues;
  errors?: Record<string, FieldError>;
}

/** Every question of a survey, in order, each in its own block. Put it inside a <Form>. */
export function SurveyFields(props: SurveyFieldsProps): JSX.Element {
  return (
    <FormFields
      ctx={props.ctx}
      def={surveyForm(props.def)}
      values={props.values ?? {}}
      errors={props.errors ?? {}}
      prefix="q."
      sectionFieldsets={false}
      blockClass="question"
      numberHints
    />
  );
}

// ---------------------------------------------------------------------------------------------
// Results

function percent(ctx: ViewContext, share: number): string {
  return ctx.t("participation.survey.results.percent", { share: ctx.fmt.number(Math.round(share * 1000) / 10) });
}

/** Two decimals at most: a mean of 3.6666… reads as 3.67. */
function statistic(ctx: ViewContext, value: number | null): string {
  return value === null ? "—" : ctx.fmt.number(Math.round(value * 100) / 100);
}

function ResultTable(props: { caption: string; headers: string[]; rows: string[][] }): JSX.Element {
  return (
    <TableScroll label={props.caption}>
      <table>
        <caption class="sr" safe>
          {props.caption}
        </caption>
        <thead>
          <tr>
            {props.headers.map((header) => (
              <th scope="col" safe>
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map(([head, ...cells]) => (
            <tr>
              <th scope="row" safe>
                {head}
              </th>
              {cells.map((cell) => (
                <td safe>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

/**
 * The chart as an image: the page's style sheet scales images down to narrow screens but no inline
 * SVG, and the content security policy forbids style attributes. The table next to it holds the
 * same numbers for screen readers; the alternative text names what the chart shows.
 */
function Chart(props: { ctx: ViewContext; title: string; rows: { label: string; count: number; share: number }[] }): JSX.Element {
  const { ctx } = props;
  const alt = ctx.t("participation.survey.results.chart_title", { title: props.title });
  const svg = resultsChartSvg(
    props.rows.map((row) => row.label),
    props.rows.map((row) => row.count),
    { title: alt, width: 480, formatValue: (count, index) => `${ctx.fmt.number(count)} (${percent(ctx, props.rows[index]?.share ?? 0)})` },
  );
  const size = svgSize(svg);
  return (
    <figure>
      <img src={`data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`} alt={alt} width={size?.width} height={size?.height} />
    </figure>
  );
}

function ChoiceResults(props: { ctx: ViewContext; question: Question; result: ChoiceResult }): JSX.Element {
  const { ctx, question, result } = props;
  const { t, fmt } = ctx;
  const rows = result.options.map((option) => ({ label: option.label, count: option.count, share: option.share }));
  return (
    <>
      {result.type === "multiple_choice" ? <p safe>{t("participation.survey.results.multiple_note")}</p> : ""}
      <ResultTable
        caption={question.title}
        headers={[t("participation.survey.results.answer"), t("participation.survey.results.count"), t("participation.survey.results.share")]}
        rows={rows.map((row) => [row.label, fmt.number(row.count), percent(ctx, row.share)])}
      />
      <Chart ctx={ctx} title={question.title} rows={rows} />
    </>
  );
}

function ScaleResults(props: { ctx: ViewContext; question: ScaleQuestion; result: ScaleResult }): JSX.Element {
  const { ctx, question, result } = props;
  const { t, fmt } = ctx;
  const labels = new Map(scaleOptions(ctx, question).map((option) => [option.value, option.label]));
  const rows = result.distribution.map((point) => ({ label: labels.get(String(point.value)) ?? fmt.number(point.value), count: point.count, share: point.share }));
  return (
    <>
      <dl>
        <dt safe>{t("participation.survey.results.mean")}</dt>
        <dd safe>{statistic(ctx, result.mean)}</dd>
        <dt safe>{t("participation.survey.results.median")}</dt>
        <dd safe>{statistic(ctx, result.median)}</dd>
      </dl>
      <ResultTable
        caption={question.title}
        headers={[t("participation.survey.results.answer"), t("participation.survey.results.count"), t("participation.survey.results.share")]}
        rows={rows.map((row) => [row.label, fmt.number(row.count), percent(ctx, row.share)])}
      />
      <Chart ctx={ctx} title={question.title} rows={rows} />
    </>
  );
}

function NumberResults(props: { ctx: ViewContext; result: NumberResult }): JSX.Element {
  const { ctx, result } = props;
  const { t } = ctx;
  return (
    <dl>
      <dt safe>{t("participation.survey.results.min")}</dt>
      <dd safe>{statistic(ctx, result.min)}</dd>
      <dt safe>{t("participation.survey.results.max")}</dt>
      <dd safe>{statistic(ctx, result.max)}</dd>
      <dt safe>{t("participation.survey.results.mean")}</dt>
      <dd safe>{statistic(ctx, result.mean)}</dd>
      <dt safe>{t("participation.survey.results.median")}</dt>
      <dd safe>{statistic(ctx, result.median)}</dd>
    </dl>
  );
}

function DateResults(props: { ctx: ViewContext; result: DateResult }): JSX.Element {
  const { ctx, result } = props;
  const { t, fmt } = ctx;
  // Noon UTC shown in UTC: a calendar date, whatever the server's time zone.
  const date = (value: string | null) => (value ? fmt.date(new Date(`${value}T12:00:00Z`), "UTC") : "—");
  return (
    <dl>
      <dt safe>{t("participation.survey.results.earliest")}</dt>
      <dd safe>{date(result.earliest)}</dd>
      <dt safe>{t("participation.survey.results.latest")}</dt>
      <dd safe>{date(result.latest)}</dd>
    </dl>
  );
}

function TextResults(props: { ctx: ViewContext; result: TextResult; publish: boolean }): JSX.Element {
  const { ctx, result } = props;
  const { t } = ctx;
  if (!props.publish) return <p safe>{t("participation.survey.results.texts_withheld")}</p>;
  return (
    <details>
      <summary safe>{t("participation.survey.results.read_answers", { count: result.answers.length })}</summary>
      <ul>
        {result.answers.map((answer) => (
          <li>
            {answer
              .split(/\n+/)
              .filter((line) => line.trim() !== "")
              .map((line) => (
                <p safe>{line}</p>
              ))}
          </li>
        ))}
      </ul>
    </details>
  );
}

function QuestionResults(props: { ctx: ViewContext; question: Question; result: QuestionResult; publishTexts: boolean }): JSX.Element {
  const { ctx, question, result } = props;
  if (result.answered === 0) return <p safe>{ctx.t("participation.survey.results.no_answers")}</p>;
  switch (result.type) {
    case "single_choice":
    case "multiple_choice":
      return <ChoiceResults ctx={ctx} question={question} result={result} />;
    case "scale":
      return question.type === "scale" ? <ScaleResults ctx={ctx} question={question} result={result} /> : "";
    case "number":
      return <NumberResults ctx={ctx} result={result} />;
    case "date":
      return <DateResults ctx={ctx} result={result} />;
    case "short_text":
    case "long_text":
      return <TextResults ctx={ctx} result={result} publish={props.publishTexts} />;
  }
}

export interface SurveyResultsProps {
  ctx: ViewContext;
  def: SurveyDefinition;
  /** What aggregate() returned for this survey. */
  results: SurveyResultsData;
  /** Whether free-text answers are shown; the municipality decides, after reading them. */
  publishTexts: boolean;
}

/** Each question with its counts, as tables (for everyone) and charts (for the eye), in order. */
export function SurveyResults(props: SurveyResultsProps): JSX.Element {
  const { ctx, def, results } = props;
  const { t } = ctx;
  const byId = new Map(results.questions.map((result) => [result.id, result]));
  return (
    <>
      {/* French and Portuguese treat 0 as singular: "Une personne" would be wrong. */}
      <p safe>{results.responses > 0 ? t("participation.survey.results.responses", { count: results.responses }) : t("participation.survey.results.no_responses")}</p>
      {def.questions.map((question) => {
        const result = byId.get(question.id);
        // Results counted for another version of the survey: that question's are not shown.
        if (!result || !sameKind(question, result)) return "";
        return (
          <section class="survey-question">
            <h2 safe>{question.title}</h2>
            {result.answered > 0 ? <p safe>{t("participation.survey.results.answered", { count: result.answered })}</p> : ""}
            <QuestionResults ctx={ctx} question={question} result={result} publishTexts={props.publishTexts} />
          </section>
        );
      })}
    </>
  );
}

function sameKind(question: Question, result: QuestionResult): boolean {
  return question.type === result.type;
}
