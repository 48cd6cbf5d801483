import { ActionButton, ErrorSummary, Field, Form, Paragraphs, SelectField, Table } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { adminCrumbs } from "../views/admin.js";
import { crumbs } from "../views/public.js";
import type { Question, QuestionType, SurveyDefinition, SurveyResultsData } from "./definition.js";
import type { SurveyPhase, SurveyRow } from "./service.js";
import { SurveyFields, SurveyResults } from "./form-views.js";

/** What a page needs to know of the process a survey belongs to. */
interface ProcessRef {
  id: string;
  slug: string;
  title: string;
}

/** A rule's refusal as shown: its words, and its code for scripts and tests (docs/errors.md). */
export interface RefusalShown {
  text: string;
  reason: string;
}

/** Who is looking at a survey, as far as answering goes. */
export type Respondent = "anonymous" | "unverified" | "verified";

export const QUESTION_TYPES: readonly QuestionType[] = ["short_text", "long_text", "single_choice", "multiple_choice", "scale", "date", "number"];

const TYPE_KEYS: Record<QuestionType, string> = {
  short_text: "participation.surveys.type.short_text",
  long_text: "participation.surveys.type.long_text",
  single_choice: "participation.surveys.type.single_choice",
  multiple_choice: "participation.surveys.type.multiple_choice",
  scale: "participation.surveys.type.scale",
  date: "participation.surveys.type.date",
  number: "participation.surveys.type.number",
};

const PHASE_KEYS: Record<SurveyPhase, string> = {
  draft: "participation.surveys.phase.draft",
  upcoming: "participation.surveys.phase.upcoming",
  open: "participation.surveys.phase.open",
  closed: "participation.surveys.phase.closed",
};

const when = (ctx: ViewContext, municipality: Municipality, instant: Date) => ctx.fmt.dateTime(instant, municipality.time_zone);

/** When residents can answer, in one sentence. */
function phaseText(ctx: ViewContext, municipality: Municipality, survey: SurveyRow, phase: SurveyPhase): string {
  const { t } = ctx;
  switch (phase) {
    case "draft":
      return t("participation.surveys.notice.draft");
    case "upcoming":
      return t("participation.surveys.notice.upcoming", { opens: when(ctx, municipality, survey.opens_at ?? new Date()) });
    case "open":
      return survey.closes_at ? t("participation.surveys.notice.open_until", { closes: when(ctx, municipality, survey.closes_at) }) : t("participation.surveys.notice.open");
    case "closed":
      return t("participation.surveys.notice.closed");
  }
}

export function SurveyPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  process: ProcessRef;
  survey: SurveyRow;
  def: SurveyDefinition;
  phase: SurveyPhase;
  respondent: Respondent;
  /** When the person looking answered, if they did. */
  answeredAt: Date | undefined;
  /** What was just sent, with its errors, when it must be corrected. */
  form: FormState & { answers?: Record<string, string | string[]> };
  /** Why the last submission was refused, already in words. */
  refusal?: RefusalShown | undefined;
  /** Shown when the municipality publishes them. */
  results: SurveyResultsData | undefined;
}): JSX.Element {
  const { ctx, municipality, process, survey, phase, respondent } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/participation/${process.slug}/surveys/${survey.id}`;
  return (
    <Layout ctx={ctx} title={survey.title} description={survey.description.slice(0, 160)}>
      {crumbs(ctx, municipality, [{ href: `/${municipality.slug}/participation/${process.slug}`, label: process.title }, { label: survey.title }])}
      <h1 safe>{survey.title}</h1>
      <p class={phase === "open" ? "success" : "notice"} safe>
        {phaseText(ctx, municipality, survey, phase)}
      </p>
      <Paragraphs text={survey.description} />

      <section id="answer">
        <h2 safe>{t("participation.surveys.answer.title")}</h2>
        {props.refusal ? (
          <p class="errors" role="alert" data-reason={props.refusal.reason} safe>
            {props.refusal.text}
          </p>
        ) : (
          ""
        )}
        {props.answeredAt ? (
          <p class="success" safe>
            {t("participation.surveys.answer.done", { date: when(ctx, municipality, props.answeredAt) })}
          </p>
        ) : phase !== "open" ? (
          phase === "closed" ? (
            <p safe>{t("participation.surveys.answer.closed")}</p>
          ) : (
            ""
          )
        ) : respondent === "anonymous" ? (
          <p>
            <a class="button" href={`/account/signin?next=${encodeURIComponent(base)}`} safe>
              {t("participation.surveys.answer.sign_in")}
            </a>
          </p>
        ) : respondent === "unverified" ? (
          <p>
            <span safe>{t("participation.surveys.answer.verify_first", { municipality: municipality.name })}</span>{" "}
            <a href={`/${municipality.slug}/participation/verify`} safe>
              {t("participation.surveys.answer.verify_link")}
            </a>
          </p>
        ) : (
          <>
            <p class="meta" safe>
              {t("participation.surveys.answer.once")}
            </p>
            <ErrorSummary ctx={ctx} form={props.form} />
            <Form ctx={ctx} action={`${base}/responses`} form={props.form} label={survey.title}>
              <SurveyFields ctx={ctx} def={props.def} values={props.form.answers ?? {}} errors={props.form.errors} />
              <button type="submit" safe>
                {t("participation.surveys.answer.submit")}
              </button>
            </Form>
          </>
        )}
      </section>

      {props.results ? (
        <section id="results">
          <h2 safe>{t("participation.surveys.results.title")}</h2>
          <SurveyResults ctx={ctx} def={props.def} results={props.results} publishTexts={survey.publish_texts} />
          <p>
            <a href={`${base}/results.csv`} safe>
              {t("participation.surveys.results.csv")}
            </a>{" "}
            ·{" "}
            <a href={`/api/v1/${municipality.slug}/surveys/${survey.id}/results`} safe>
              {t("participation.surveys.results.json")}
            </a>
          </p>
        </section>
      ) : (
        ""
      )}
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// Back office

function Checkbox(props: { form: FormState; name: string; label: string; hint?: string }): JSX.Element {
  const id = `f-${props.name}`;
  return (
    <div>
      <label for={id}>
        <input type="checkbox" id={id} name={props.name} checked={props.form.values[props.name] === "on"} aria-describedby={props.hint ? `${id}-hint` : undefined} />{" "}
        <span safe>{props.label}</span>
      </label>
      {props.hint ? (
        <span class="hint" id={`${id}-hint`} safe>
          {props.hint}
        </span>
      ) : (
        ""
      )}
    </div>
  );
}

function MomentFields(props: { ctx: ViewContext; municipality: Municipality; form: FormState; prefix: "opens" | "closes"; legend: string; hint: string }): JSX.Element {
  const { ctx, form, prefix } = props;
  const { t } = ctx;
  const dateName = `${prefix}_date`;
  const timeName = `${prefix}_time`;
  const error = form.errors[dateName] ?? form.errors[timeName];
  const hintId = `f-${prefix}-hint`;
  const describedBy = error ? `${hintId} f-${prefix}-error` : hintId;
  return (
    <fieldset>
      <legend safe>{props.legend}</legend>
      <span class="hint" id={hintId} safe>
        {`${props.hint} ${t("participation.surveys.field.local_time", { zone: props.municipality.time_zone })}`}
      </span>
      {error ? (
        <span class="field-error" id={`f-${prefix}-error`} safe>
          {t(error.key, error.params)}
        </span>
      ) : (
        ""
      )}
      <label for={`f-${dateName}`} safe>
        {t("participation.surveys.field.date")}
      </label>
      <input type="date" id={`f-${dateName}`} name={dateName} value={form.values[dateName] ?? ""} aria-invalid={form.errors[dateName] ? "true" : undefined} aria-describedby={describedBy} />
      <label for={`f-${timeName}`} safe>
        {t("participation.surveys.field.time")}
      </label>
      <input type="time" id={`f-${timeName}`} name={timeName} value={form.values[timeName] ?? ""} aria-invalid={form.errors[timeName] ? "true" : undefined} aria-describedby={describedBy} />
    </fieldset>
  );
}

function SettingsForm(props: { ctx: ViewContext; municipality: Municipality; form: FormState; action: string; submit: string }): JSX.Element {
  const { ctx, municipality, form } = props;
  const { t } = ctx;
  return (
    <Form ctx={ctx} action={props.action} form={form} label={t("participation.surveys.settings")}>
      <Field ctx={ctx} form={form} name="title" label={t("participation.surveys.field.title")} required maxlength={200} />
      <Field ctx={ctx} form={form} name="description" label={t("participation.surveys.field.description")} multiline rows={4} maxlength={20000} />
      <MomentFields ctx={ctx} municipality={municipality} form={form} prefix="opens" legend={t("participation.surveys.field.opens")} hint={t("participation.surveys.field.opens_hint")} />
      <MomentFields ctx={ctx} municipality={municipality} form={form} prefix="closes" legend={t("participation.surveys.field.closes")} hint={t("participation.surveys.field.closes_hint")} />
      <Checkbox form={form} name="results_public" label={t("participation.surveys.field.results_public")} />
      <Checkbox form={form} name="publish_texts" label={t("participation.surveys.field.publish_texts")} hint={t("participation.surveys.field.publish_texts_hint")} />
      <button type="submit" safe>
        {props.submit}
      </button>
    </Form>
  );
}

export function SurveysAdminPage(props: { ctx: ViewContext; municipality: Municipality; process: ProcessRef; surveys: SurveyRow[]; form: FormState; phaseOf: (survey: SurveyRow) => SurveyPhase }): JSX.Element {
  const { ctx, municipality, process } = props;
  const { t } = ctx;
  const title = t("participation.surveys.admin.title");
  return (
    <Layout ctx={ctx} title={`${title} · ${process.title}`}>
      {adminCrumbs(ctx, municipality, [{ href: `/${municipality.slug}/admin/participation/${process.id}`, label: process.title }, { label: title }])}
      <h1 safe>{`${title} · ${process.title}`}</h1>
      {props.surveys.length === 0 ? (
        <p safe>{t("participation.surveys.admin.none")}</p>
      ) : (
        <Table
          caption={title}
          headers={[t("participation.surveys.field.title"), t("participation.surveys.admin.state"), t("participation.surveys.admin.responses")]}
          rows={props.surveys.map((survey) => [
            <a href={`/${municipality.slug}/admin/surveys/${survey.id}`} safe>
              {survey.title}
            </a>,
            <span safe>{t(PHASE_KEYS[props.phaseOf(survey)])}</span>,
            <span safe>{ctx.fmt.number(survey.responses)}</span>,
          ])}
        />
      )}
      <section>
        <h2 safe>{t("participation.surveys.admin.new")}</h2>
        <ErrorSummary ctx={ctx} form={props.form} />
        <SettingsForm ctx={ctx} municipality={municipality} form={props.form} action={`/${municipality.slug}/admin/participation/${process.id}/surveys`} submit={t("participation.surveys.admin.create")} />
      </section>
    </Layout>
  );
}

/** A question in one line: its type, whether it is required, when it is asked, what it offers. */
function questionSummary(ctx: ViewContext, def: SurveyDefinition, question: Question): string {
  const { t } = ctx;
  const parts = [t(TYPE_KEYS[question.type]), question.required ? t("participation.surveys.builder.required") : t("participation.surveys.builder.optional")];
  if (question.showIf) {
    const target = def.questions.find((candidate) => candidate.id === question.showIf!.question);
    const option = target && "options" in target ? target.options.find((candidate) => candidate.value === question.showIf!.equals) : undefined;
    parts.push(t("participation.surveys.builder.shown_if", { question: target?.title ?? question.showIf.question, answer: option?.label ?? question.showIf.equals }));
  }
  if (question.type === "single_choice" || question.type === "multiple_choice") parts.push(question.options.map((option) => option.label).join(" / "));
  if (question.type === "scale") parts.push(`${question.min} – ${question.max}`);
  return parts.join(" · ");
}

function QuestionList(props: { ctx: ViewContext; def: SurveyDefinition; base: string; editable: boolean }): JSX.Element {
  const { ctx, def, base, editable } = props;
  const { t } = ctx;
  if (def.questions.length === 0) return <p safe>{t("participation.surveys.builder.empty")}</p>;
  return (
    <ol>
      {def.questions.map((question, index) => (
        <li id={`f-b-${question.id}`}>
          <strong safe>{question.title}</strong>{" "}
          <span class="meta" safe>
            {`(${question.id}) ${questionSummary(ctx, def, question)}`}
          </span>
          {editable ? (
            <div>
              {index > 0 ? <ActionButton ctx={ctx} action={`${base}/questions/${question.id}/move`} fields={{ direction: "up" }} label={t("participation.surveys.builder.up")} secondary /> : ""}
              {index < def.questions.length - 1 ? (
                <ActionButton ctx={ctx} action={`${base}/questions/${question.id}/move`} fields={{ direction: "down" }} label={t("participation.surveys.builder.down")} secondary />
              ) : (
                ""
              )}
              <ActionButton ctx={ctx} action={`${base}/questions/${question.id}/delete`} label={t("participation.surveys.builder.remove")} secondary />
            </div>
          ) : (
            ""
          )}
        </li>
      ))}
    </ol>
  );
}

/** Every answer of every choice question above, as a condition a new question may depend on. */
export function conditionChoices(ctx: ViewContext, def: SurveyDefinition): { value: string; label: string }[] {
  const { t } = ctx;
  return [
    { value: "", label: t("participation.surveys.builder.always") },
    ...def.questions.flatMap((question) =>
      question.type === "single_choice" || question.type === "multiple_choice"
        ? question.options.map((option) => ({ value: `${question.id}=${option.value}`, label: t("participation.surveys.builder.condition", { question: question.title, answer: option.label }) }))
        : [],
    ),
  ];
}

function QuestionForm(props: { ctx: ViewContext; def: SurveyDefinition; form: FormState; action: string }): JSX.Element {
  const { ctx, form } = props;
  const { t } = ctx;
  return (
    <Form ctx={ctx} action={props.action} form={form} label={t("participation.surveys.builder.add")}>
      <SelectField ctx={ctx} form={form} name="type" label={t("participation.surveys.builder.type")} options={QUESTION_TYPES.map((type) => ({ value: type, label: t(TYPE_KEYS[type]) }))} />
      <Field ctx={ctx} form={form} name="title" label={t("participation.surveys.builder.question")} required maxlength={500} />
      <Field ctx={ctx} form={form} name="description" label={t("participation.surveys.builder.description")} maxlength={2000} />
      <Checkbox form={form} name="required" label={t("participation.surveys.builder.required_label")} />
      <SelectField ctx={ctx} form={form} name="show_if" label={t("participation.surveys.builder.show_if")} hint={t("participation.surveys.builder.show_if_hint")} options={conditionChoices(ctx, props.def)} />
      <fieldset>
        <legend safe>{t("participation.surveys.builder.for_choices")}</legend>
        <Field ctx={ctx} form={form} name="options" label={t("participation.surveys.builder.options")} hint={t("participation.surveys.builder.one_per_line")} multiline rows={5} maxlength={15000} />
        <Field ctx={ctx} form={form} name="max_choices" type="number" label={t("participation.surveys.builder.max_choices")} hint={t("participation.surveys.builder.multiple_only")} />
      </fieldset>
      <fieldset>
        <legend safe>{t("participation.surveys.builder.for_scales")}</legend>
        <Field ctx={ctx} form={form} name="scale_min" type="number" label={t("participation.surveys.builder.scale_min")} />
        <Field ctx={ctx} form={form} name="scale_max" type="number" label={t("participation.surveys.builder.scale_max")} />
        <Field ctx={ctx} form={form} name="min_label" label={t("participation.surveys.builder.min_label")} maxlength={100} />
        <Field ctx={ctx} form={form} name="max_label" label={t("participation.surveys.builder.max_label")} maxlength={100} />
      </fieldset>
      <fieldset>
        <legend safe>{t("participation.surveys.builder.for_numbers")}</legend>
        <Field ctx={ctx} form={form} name="number_min" label={t("participation.surveys.builder.number_min")} maxlength={20} />
        <Field ctx={ctx} form={form} name="number_max" label={t("participation.surveys.builder.number_max")} maxlength={20} />
        <Checkbox form={form} name="integer" label={t("participation.surveys.builder.integer")} />
      </fieldset>
      <fieldset>
        <legend safe>{t("participation.surveys.builder.for_texts")}</legend>
        <Field ctx={ctx} form={form} name="max_length" type="number" label={t("participation.surveys.builder.max_length")} hint={t("participation.surveys.builder.max_length_hint")} />
      </fieldset>
      <button type="submit" safe>
        {t("participation.surveys.builder.add")}
      </button>
    </Form>
  );
}

export function SurveyEditPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  process: ProcessRef;
  survey: SurveyRow;
  def: SurveyDefinition;
  phase: SurveyPhase;
  results: SurveyResultsData | undefined;
  settingsForm: FormState;
  questionForm: FormState;
  /** Errors of a move or a removal, keyed `b-<question id>`. */
  builderForm: FormState;
  /** Why opening or closing was refused, already in words. */
  problem?: RefusalShown | undefined;
}): JSX.Element {
  const { ctx, municipality, process, survey, def, phase } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/surveys/${survey.id}`;
  const editable = survey.status === "draft";
  return (
    <Layout ctx={ctx} title={survey.title}>
      {adminCrumbs(ctx, municipality, [{ href: `/${municipality.slug}/admin/participation/${process.id}`, label: process.title }, { href: `/${municipality.slug}/admin/participation/${process.id}/surveys`, label: t("participation.surveys.admin.title") }, { label: survey.title }])}
      <h1 safe>{survey.title}</h1>
      {props.problem ? (
        <p class="errors" role="alert" data-reason={props.problem.reason} safe>
          {props.problem.text}
        </p>
      ) : (
        ""
      )}
      <p>
        <span safe>{`${t("participation.surveys.admin.state")} : `}</span>
        <strong safe>{t(PHASE_KEYS[phase])}</strong>{" "}
        {survey.status !== "open" ? <ActionButton ctx={ctx} action={`${base}/open`} label={survey.status === "draft" ? t("participation.surveys.admin.open") : t("participation.surveys.admin.reopen")} /> : ""}
        {survey.status === "open" ? <ActionButton ctx={ctx} action={`${base}/close`} label={t("participation.surveys.admin.close")} secondary /> : ""}{" "}
        <a href={`/${municipality.slug}/participation/${process.slug}/surveys/${survey.id}`} safe>
          {t("participation.surveys.admin.view_public")}
        </a>
      </p>
      <p class="meta" safe>
        {phaseText(ctx, municipality, survey, phase)}
      </p>

      <section id="results">
        <h2 safe>{t("participation.surveys.results.title")}</h2>
        {props.results && props.results.responses > 0 ? (
          <>
            <p>
              <a href={`${base}/responses.csv`} safe>
                {t("participation.surveys.admin.responses_csv")}
              </a>
            </p>
            <p class="meta" safe>
              {survey.results_public ? t("participation.surveys.admin.results_public") : t("participation.surveys.admin.results_private")}
            </p>
            <SurveyResults ctx={ctx} def={def} results={props.results} publishTexts />
          </>
        ) : (
          <p safe>{t("participation.surveys.admin.no_responses")}</p>
        )}
      </section>

      <section id="builder">
        <h2 safe>{t("participation.surveys.builder.title")}</h2>
        {editable ? (
          <p class="meta" safe>
            {t("participation.surveys.builder.intro")}
          </p>
        ) : (
          <p class="notice" safe>
            {t("participation.surveys.builder.locked")}
          </p>
        )}
        <ErrorSummary ctx={ctx} form={props.builderForm} />
        <QuestionList ctx={ctx} def={def} base={base} editable={editable} />
        {editable ? (
          <>
            <h3 safe>{t("participation.surveys.builder.add")}</h3>
            <ErrorSummary ctx={ctx} form={props.questionForm} />
            <QuestionForm ctx={ctx} def={def} form={props.questionForm} action={`${base}/questions`} />
          </>
        ) : (
          ""
        )}
      </section>

      <section id="settings">
        <h2 safe>{t("participation.surveys.settings")}</h2>
        <ErrorSummary ctx={ctx} form={props.settingsForm} />
        <SettingsForm ctx={ctx} municipality={municipality} form={props.settingsForm} action={base} submit={t("participation.surveys.admin.save")} />
      </section>
    </Layout>
  );
}
