import { horizontalBarsSvg } from "../../../core/export/chart.js";
import { ActionButton, ErrorSummary, Field, Form, Paragraphs, SelectField, Table } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { adminCrumbs } from "../views/admin.js";
import { crumbs } from "../views/public.js";
import type { BudgetResults } from "./ballot.js";
import type { BallotRow, BudgetKind, BudgetProjectRow, BudgetRow, VotingPhase } from "./service.js";

/** What a page needs to know of the process a budget belongs to. */
interface ProcessRef {
  id: string;
  slug: string;
  title: string;
}

/** Who is looking at a budget, as far as voting goes. */
export type Voter = "anonymous" | "unverified" | "verified";

const KIND_KEYS: Record<BudgetKind, string> = {
  knapsack: "participation.budgets.kind.knapsack",
  approval: "participation.budgets.kind.approval",
};

const PHASE_KEYS: Record<VotingPhase, string> = {
  draft: "participation.budgets.phase.draft",
  upcoming: "participation.budgets.phase.upcoming",
  open: "participation.budgets.phase.open",
  closed: "participation.budgets.phase.closed",
};

const money = (ctx: ViewContext, municipality: Municipality, amount: number) => ctx.fmt.money(amount, municipality.currency);
const when = (ctx: ViewContext, municipality: Municipality, instant: Date) => ctx.fmt.dateTime(instant, municipality.time_zone);
const percent = (ctx: ViewContext, rate: number) => `${ctx.fmt.number(Math.round(rate * 1000) / 10)} %`;

/** The rule a resident votes under, in one sentence. */
function ruleText(ctx: ViewContext, municipality: Municipality, budget: BudgetRow): string {
  if (budget.kind === "knapsack") return ctx.t("participation.budgets.rule.knapsack", { amount: money(ctx, municipality, budget.total_amount) });
  if (budget.min_projects > 1) return ctx.t("participation.budgets.rule.approval_range", { min: budget.min_projects, max: budget.max_projects ?? 1 });
  return ctx.t("participation.budgets.rule.approval", { max: budget.max_projects ?? 1 });
}

function PhaseNotice(props: { ctx: ViewContext; municipality: Municipality; budget: BudgetRow; phase: VotingPhase }): JSX.Element {
  const { ctx, municipality, budget } = props;
  const { t } = ctx;
  const opens = when(ctx, municipality, budget.voting_opens_at);
  const closes = when(ctx, municipality, budget.voting_closes_at);
  const text = {
    draft: t("participation.budgets.notice.draft"),
    upcoming: t("participation.budgets.notice.upcoming", { opens, closes }),
    open: t("participation.budgets.notice.open", { closes }),
    closed: budget.results_published_at ? t("participation.budgets.notice.closed", { closes }) : t("participation.budgets.notice.closed_counting", { closes }),
  }[props.phase];
  return (
    <p class={props.phase === "open" ? "success" : "notice"} safe>
      {text}
    </p>
  );
}

/** Votes per project as horizontal bars, drawn on the server: funded projects dark, others grey. */
function ResultsChart(props: { ctx: ViewContext; results: BudgetResults; titles: Map<string, string> }): JSX.Element {
  const { ctx, results } = props;
  const safeSvg = horizontalBarsSvg(
    results.ranking.map((entry) => ({
      label: `${entry.rank}. ${props.titles.get(entry.id) ?? ""}`,
      value: entry.votes,
      valueText: ctx.fmt.number(entry.votes),
      muted: !entry.selected,
    })),
    { title: ctx.t("participation.budgets.results.chart") },
  );
  return <figure class="chart">{safeSvg}</figure>;
}

/** The count: turnout, what is funded, every project's votes as a table and as a chart. */
function ResultsSection(props: { ctx: ViewContext; municipality: Municipality; budget: BudgetRow; projects: BudgetProjectRow[]; results: BudgetResults; csvHref?: string }): JSX.Element {
  const { ctx, municipality, budget, results } = props;
  const { t, fmt } = ctx;
  const titles = new Map(props.projects.map((project) => [project.id, project.title]));
  const { ballots, eligible, rate } = results.turnout;
  return (
    <>
      <p safe>
        {rate === null
          ? t("participation.budgets.results.ballots", { count: ballots })
          : t("participation.budgets.results.turnout", { ballots, eligible: eligible ?? 0, rate: percent(ctx, rate) })}
      </p>
      <p safe>
        {t("participation.budgets.results.spent", {
          count: results.selected.length,
          spent: money(ctx, municipality, results.spent),
          total: money(ctx, municipality, budget.total_amount),
          remaining: money(ctx, municipality, results.remaining ?? 0),
        })}
      </p>
      {results.invalid > 0 ? <p class="notice" safe>{t("participation.budgets.results.invalid", { count: results.invalid })}</p> : ""}
      <Table
        caption={t("participation.budgets.results.title")}
        headers={[t("participation.budgets.results.rank"), t("participation.budgets.project.title"), t("participation.budgets.project.cost"), t("participation.budgets.results.votes"), t("participation.budgets.results.selected")]}
        rows={results.ranking.map((entry) => [
          <span>{entry.rank}</span>,
          <span safe>{titles.get(entry.id) ?? ""}</span>,
          <span safe>{money(ctx, municipality, entry.cost)}</span>,
          <span safe>{fmt.number(entry.votes)}</span>,
          entry.selected ? <strong safe>{t("participation.budgets.results.yes")}</strong> : <span safe>{t("participation.budgets.results.no")}</span>,
        ])}
      />
      <figure>
        <ResultsChart ctx={ctx} results={results} titles={titles} />
        <figcaption class="meta" safe>
          {t("participation.budgets.results.chart_caption")}
        </figcaption>
      </figure>
      <p class="meta" safe>
        {t("participation.budgets.results.method")}
      </p>
      {props.csvHref ? (
        <p>
          <a href={props.csvHref} safe>
            {t("participation.budgets.results.csv")}
          </a>
        </p>
      ) : (
        ""
      )}
    </>
  );
}

function CurrentBallot(props: { ctx: ViewContext; municipality: Municipality; budget: BudgetRow; projects: BudgetProjectRow[]; ballot: BallotRow; phase: VotingPhase }): JSX.Element {
  const { ctx, municipality, budget, ballot } = props;
  const { t } = ctx;
  const titles = new Map(props.projects.map((project) => [project.id, project]));
  const changed = ballot.updated_at.getTime() - ballot.cast_at.getTime() > 1000;
  return (
    <div class="success">
      <p safe>
        {changed
          ? t("participation.budgets.ballot.yours_changed", { cast: when(ctx, municipality, ballot.cast_at), changed: when(ctx, municipality, ballot.updated_at) })
          : t("participation.budgets.ballot.yours", { cast: when(ctx, municipality, ballot.cast_at) })}
      </p>
      <ul>
        {ballot.project_ids.map((id) => (
          <li safe>{`${titles.get(id)?.title ?? id} — ${money(ctx, municipality, titles.get(id)?.cost ?? 0)}`}</li>
        ))}
      </ul>
      <p safe>{t("participation.budgets.ballot.total", { total: money(ctx, municipality, ballot.total) })}</p>
      <p safe>{props.phase === "open" ? t("participation.budgets.ballot.can_change", { closes: when(ctx, municipality, budget.voting_closes_at) }) : t("participation.budgets.ballot.kept")}</p>
    </div>
  );
}

function BallotForm(props: { ctx: ViewContext; municipality: Municipality; budget: BudgetRow; projects: BudgetProjectRow[]; chosen: Set<string>; form: FormState; hasBallot: boolean; action: string }): JSX.Element {
  const { ctx, municipality, budget } = props;
  const { t } = ctx;
  const error = props.form.errors.projects;
  return (
    <>
      <ErrorSummary ctx={ctx} form={props.form} />
      <Form ctx={ctx} action={props.action} form={props.form} label={t("participation.budgets.ballot.title")}>
        <fieldset id="f-projects" aria-describedby={error ? "f-projects-hint f-projects-error" : "f-projects-hint"}>
          <legend safe>{t("participation.budgets.ballot.legend")}</legend>
          <p class="hint" id="f-projects-hint" safe>
            {ruleText(ctx, municipality, budget)}
          </p>
          {error ? (
            <p class="field-error" id="f-projects-error" safe>
              {t(error.key, error.params)}
            </p>
          ) : (
            ""
          )}
          {props.projects.map((project) => (
            <label>
              <input type="checkbox" name="projects" value={project.id} checked={props.chosen.has(project.id)} />
              <span safe>{`${project.title} — ${money(ctx, municipality, project.cost)}`}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" safe>
          {props.hasBallot ? t("participation.budgets.ballot.change") : t("participation.budgets.ballot.cast")}
        </button>
      </Form>
    </>
  );
}

export function BudgetPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  process: ProcessRef;
  budget: BudgetRow;
  projects: BudgetProjectRow[];
  phase: VotingPhase;
  voter: Voter;
  ballot: BallotRow | undefined;
  /** The projects ticked in the form: what was just sent, else the current ballot. */
  chosen: Set<string>;
  form: FormState;
}): JSX.Element {
  const { ctx, municipality, process, budget, projects, phase, voter, ballot } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/participation/${process.slug}/budgets/${budget.id}`;
  return (
    <Layout ctx={ctx} title={budget.title} description={budget.description.slice(0, 160)}>
      {crumbs(ctx, municipality, [{ href: `/${municipality.slug}/participation/${process.slug}`, label: process.title }, { label: budget.title }])}
      <h1 safe>{budget.title}</h1>
      <PhaseNotice ctx={ctx} municipality={municipality} budget={budget} phase={phase} />
      <dl class="facts">
        <div>
          <dt safe>{t("participation.budgets.field.total_amount_short")}</dt>
          <dd safe>{money(ctx, municipality, budget.total_amount)}</dd>
        </div>
        <div>
          <dt safe>{t("participation.budgets.field.kind")}</dt>
          <dd safe>{t(KIND_KEYS[budget.kind])}</dd>
        </div>
      </dl>
      <p safe>{ruleText(ctx, municipality, budget)}</p>
      <Paragraphs text={budget.description} />

      {budget.results ? (
        <section id="results">
          <h2 safe>{t("participation.budgets.results.title")}</h2>
          <ResultsSection ctx={ctx} municipality={municipality} budget={budget} projects={projects} results={budget.results} csvHref={`${base}/results.csv`} />
        </section>
      ) : (
        ""
      )}

      {phase !== "draft" ? (
        <section id="ballot">
          <h2 safe>{t("participation.budgets.ballot.title")}</h2>
          {voter === "anonymous" && phase !== "closed" ? (
            <p>
              <a class="button" href={`/account/signin?next=${encodeURIComponent(base)}`} safe>
                {t("participation.budgets.ballot.sign_in")}
              </a>
            </p>
          ) : (
            ""
          )}
          {voter === "unverified" && phase !== "closed" ? (
            <p>
              <span safe>{t("participation.budgets.ballot.verify_first", { municipality: municipality.name })}</span>{" "}
              <a href={`/${municipality.slug}/participation/verify`} safe>
                {t("participation.budgets.ballot.verify_link")}
              </a>
            </p>
          ) : (
            ""
          )}
          {voter === "verified" && ballot ? <CurrentBallot ctx={ctx} municipality={municipality} budget={budget} projects={projects} ballot={ballot} phase={phase} /> : ""}
          {voter === "verified" && !ballot && phase === "closed" ? <p safe>{t("participation.budgets.ballot.none")}</p> : ""}
          {voter === "verified" && phase === "open" ? (
            <BallotForm ctx={ctx} municipality={municipality} budget={budget} projects={projects} chosen={props.chosen} form={props.form} hasBallot={!!ballot} action={`${base}/ballot`} />
          ) : (
            ""
          )}
          {!(voter === "verified" && phase === "open") ? <ErrorSummary ctx={ctx} form={props.form} /> : ""}
        </section>
      ) : (
        ""
      )}

      <section>
        <h2 safe>{t("participation.budgets.projects")}</h2>
        <ul class="cards">
          {projects.map((project) => (
            <li>
              <h3 safe>{project.title}</h3>
              <p>
                <strong safe>{money(ctx, municipality, project.cost)}</strong>
                {project.location ? <span class="meta" safe>{` · ${project.location}`}</span> : ""}
              </p>
              <Paragraphs text={project.description} />
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// Back office

function MomentFields(props: { ctx: ViewContext; form: FormState; prefix: "opens" | "closes"; legend: string; municipality: Municipality }): JSX.Element {
  const { ctx, form, prefix } = props;
  const { t } = ctx;
  const dateName = `${prefix}_date`;
  const timeName = `${prefix}_time`;
  const error = form.errors[dateName] ?? form.errors[timeName];
  const hintId = `f-${prefix}-hint`;
  const errorId = `f-${prefix}-error`;
  const describedBy = error ? `${hintId} ${errorId}` : hintId;
  return (
    <fieldset>
      <legend safe>{props.legend}</legend>
      <span class="hint" id={hintId} safe>
        {t("participation.budgets.field.local_time", { zone: props.municipality.time_zone })}
      </span>
      {error ? (
        <span class="field-error" id={errorId} safe>
          {t(error.key, error.params)}
        </span>
      ) : (
        ""
      )}
      <label for={`f-${dateName}`} safe>
        {t("participation.budgets.field.date")}
      </label>
      <input type="date" id={`f-${dateName}`} name={dateName} value={form.values[dateName] ?? ""} required aria-invalid={form.errors[dateName] ? "true" : undefined} aria-describedby={describedBy} />
      <label for={`f-${timeName}`} safe>
        {t("participation.budgets.field.time")}
      </label>
      <input type="time" id={`f-${timeName}`} name={timeName} value={form.values[timeName] ?? ""} required aria-invalid={form.errors[timeName] ? "true" : undefined} aria-describedby={describedBy} />
    </fieldset>
  );
}

function SettingsForm(props: { ctx: ViewContext; municipality: Municipality; form: FormState; action: string; submit: string }): JSX.Element {
  const { ctx, municipality, form } = props;
  const { t } = ctx;
  return (
    <Form ctx={ctx} action={props.action} form={form} label={t("participation.budgets.settings")}>
      <Field ctx={ctx} form={form} name="title" label={t("participation.budgets.field.title")} required maxlength={200} />
      <Field ctx={ctx} form={form} name="description" label={t("participation.budgets.field.description")} multiline rows={5} maxlength={20000} />
      <SelectField ctx={ctx} form={form} name="kind" label={t("participation.budgets.field.kind")} options={(["knapsack", "approval"] as const).map((kind) => ({ value: kind, label: t(KIND_KEYS[kind]) }))} />
      <Field ctx={ctx} form={form} name="total_amount" label={t("participation.budgets.field.total_amount", { currency: municipality.currency })} hint={t("participation.budgets.field.amount_hint")} required maxlength={25} />
      <Field ctx={ctx} form={form} name="max_projects" type="number" label={t("participation.budgets.field.max_projects")} hint={t("participation.budgets.field.approval_only")} />
      <Field ctx={ctx} form={form} name="min_projects" type="number" label={t("participation.budgets.field.min_projects")} hint={t("participation.budgets.field.approval_only")} />
      <MomentFields ctx={ctx} form={form} prefix="opens" legend={t("participation.budgets.field.opens")} municipality={municipality} />
      <MomentFields ctx={ctx} form={form} prefix="closes" legend={t("participation.budgets.field.closes")} municipality={municipality} />
      <button type="submit" safe>
        {props.submit}
      </button>
    </Form>
  );
}

export function BudgetsAdminPage(props: { ctx: ViewContext; municipality: Municipality; process: ProcessRef; budgets: BudgetRow[]; form: FormState; phaseOf: (budget: BudgetRow) => VotingPhase }): JSX.Element {
  const { ctx, municipality, process } = props;
  const { t } = ctx;
  const title = t("participation.budgets.admin.title");
  return (
    <Layout ctx={ctx} title={`${title} · ${process.title}`}>
      {adminCrumbs(ctx, municipality, [{ href: `/${municipality.slug}/admin/participation/${process.id}`, label: process.title }, { label: title }])}
      <h1 safe>{`${title} · ${process.title}`}</h1>
      {props.budgets.length === 0 ? (
        <p safe>{t("participation.budgets.admin.none")}</p>
      ) : (
        <Table
          caption={title}
          headers={[t("participation.budgets.field.title"), t("participation.budgets.admin.state"), t("participation.budgets.field.kind"), t("participation.budgets.field.total_amount_short"), t("participation.budgets.admin.window")]}
          rows={props.budgets.map((budget) => [
            <a href={`/${municipality.slug}/admin/budgets/${budget.id}`} safe>
              {budget.title}
            </a>,
            <span safe>{t(PHASE_KEYS[props.phaseOf(budget)])}</span>,
            <span safe>{t(KIND_KEYS[budget.kind])}</span>,
            <span safe>{money(ctx, municipality, budget.total_amount)}</span>,
            <span safe>{t("participation.budgets.admin.window_dates", { opens: when(ctx, municipality, budget.voting_opens_at), closes: when(ctx, municipality, budget.voting_closes_at) })}</span>,
          ])}
        />
      )}
      <section>
        <h2 safe>{t("participation.budgets.admin.new")}</h2>
        <ErrorSummary ctx={ctx} form={props.form} />
        <SettingsForm ctx={ctx} municipality={municipality} form={props.form} action={`/${municipality.slug}/admin/participation/${process.id}/budgets`} submit={t("participation.budgets.admin.create")} />
      </section>
    </Layout>
  );
}

export function BudgetEditPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  process: ProcessRef;
  budget: BudgetRow;
  projects: BudgetProjectRow[];
  phase: VotingPhase;
  projectsEditable: boolean;
  /** The count so far, once voting has closed and before it is published. */
  preview: BudgetResults | undefined;
  settingsForm: FormState;
  projectForm: FormState;
}): JSX.Element {
  const { ctx, municipality, process, budget, projects, phase } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/budgets/${budget.id}`;
  const publicHref = `/${municipality.slug}/participation/${process.slug}/budgets/${budget.id}`;
  const locked = budget.status === "published" && phase !== "upcoming";
  return (
    <Layout ctx={ctx} title={budget.title}>
      {adminCrumbs(ctx, municipality, [{ href: `/${municipality.slug}/admin/participation/${process.id}`, label: process.title }, { href: `/${municipality.slug}/admin/participation/${process.id}/budgets`, label: t("participation.budgets.admin.title") }, { label: budget.title }])}
      <h1 safe>{budget.title}</h1>
      <p>
        <span safe>{`${t("participation.budgets.admin.state")} : `}</span>
        <strong safe>{t(PHASE_KEYS[phase])}</strong>{" "}
        {budget.status === "draft" ? <ActionButton ctx={ctx} action={`${base}/publish`} label={t("participation.budgets.admin.publish")} /> : ""}{" "}
        <a href={publicHref} safe>
          {t("participation.budgets.admin.view_public")}
        </a>
      </p>
      <p class="meta" safe>
        {t("participation.budgets.admin.window_dates", { opens: when(ctx, municipality, budget.voting_opens_at), closes: when(ctx, municipality, budget.voting_closes_at) })}
      </p>

      <section id="results">
        <h2 safe>{t("participation.budgets.results.title")}</h2>
        {budget.results_published_at ? (
          <p safe>{t("participation.budgets.admin.results_published", { date: when(ctx, municipality, budget.results_published_at) })}</p>
        ) : props.preview ? (
          <>
            <p class="notice" safe>
              {t("participation.budgets.admin.preview")}
            </p>
            <ResultsSection ctx={ctx} municipality={municipality} budget={budget} projects={projects} results={props.preview} />
            <ActionButton ctx={ctx} action={`${base}/results`} label={t("participation.budgets.admin.publish_results")} />
          </>
        ) : (
          <p safe>{t("participation.budgets.admin.results_after", { closes: when(ctx, municipality, budget.voting_closes_at) })}</p>
        )}
      </section>

      <section id="settings">
        <h2 safe>{t("participation.budgets.settings")}</h2>
        {locked ? <p class="notice" safe>{t("participation.budgets.admin.locked")}</p> : ""}
        <ErrorSummary ctx={ctx} form={props.settingsForm} />
        <SettingsForm ctx={ctx} municipality={municipality} form={props.settingsForm} action={base} submit={t("participation.budgets.admin.save")} />
      </section>

      <section id="projects">
        <h2 safe>{t("participation.budgets.projects")}</h2>
        {projects.length === 0 ? (
          <p safe>{t("participation.budgets.admin.no_projects")}</p>
        ) : (
          <Table
            caption={t("participation.budgets.projects")}
            headers={[t("participation.budgets.project.title"), t("participation.budgets.project.cost"), t("participation.budgets.project.location"), ""]}
            rows={projects.map((project) => [
              <span safe>{project.title}</span>,
              <span safe>{money(ctx, municipality, project.cost)}</span>,
              <span safe>{project.location}</span>,
              props.projectsEditable ? <ActionButton ctx={ctx} action={`${base}/projects/${project.id}/delete`} label={t("participation.budgets.admin.remove_project")} secondary /> : "",
            ])}
          />
        )}
        {props.projectsEditable ? (
          <>
            <h3 safe>{t("participation.budgets.admin.add_project")}</h3>
            <ErrorSummary ctx={ctx} form={props.projectForm} />
            <Form ctx={ctx} action={`${base}/projects`} form={props.projectForm} label={t("participation.budgets.admin.add_project")}>
              <Field ctx={ctx} form={props.projectForm} name="project_title" label={t("participation.budgets.project.title")} required maxlength={200} />
              <Field ctx={ctx} form={props.projectForm} name="project_cost" label={t("participation.budgets.project.cost_in", { currency: municipality.currency })} hint={t("participation.budgets.field.amount_hint")} required maxlength={25} />
              <Field ctx={ctx} form={props.projectForm} name="project_location" label={t("participation.budgets.project.location")} maxlength={200} />
              <Field ctx={ctx} form={props.projectForm} name="project_description" label={t("participation.budgets.project.description")} multiline rows={4} maxlength={5000} />
              <button type="submit" safe>
                {t("participation.budgets.admin.add_project")}
              </button>
            </Form>
          </>
        ) : (
          <p class="meta" safe>
            {t("participation.budgets.admin.projects_locked")}
          </p>
        )}
      </section>
    </Layout>
  );
}
