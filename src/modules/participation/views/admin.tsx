import { ActionButton, Breadcrumbs, ErrorSummary, Field, Form, Table } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import type { PhaseRow, ProcessRow } from "../store.js";

export function adminCrumbs(ctx: ViewContext, municipality: Municipality, trail: { href?: string; label: string }[] = []) {
  return (
    <Breadcrumbs
      ctx={ctx}
      items={[
        { href: `/${municipality.slug}/`, label: municipality.name },
        { href: `/${municipality.slug}/admin`, label: ctx.t("portal.admin.title") },
        { href: `/${municipality.slug}/admin/participation`, label: ctx.t("participation.admin.title") },
        ...trail,
      ]}
    />
  );
}

const STATUS_KEYS = { draft: "participation.admin.status.draft", published: "participation.admin.status.published" } as const;

export function AdminProcessesPage(props: { ctx: ViewContext; municipality: Municipality; processes: ProcessRow[]; flagged: number }): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/participation`;
  return (
    <Layout ctx={ctx} title={t("participation.admin.title")}>
      {adminCrumbs(ctx, municipality)}
      <h1 safe>{t("participation.admin.title")}</h1>
      <p>
        <a class="button" href={`${base}/new`} safe>
          {t("participation.admin.new")}
        </a>{" "}
        <a href={`/${municipality.slug}/admin/moderation`} safe>
          {t("participation.moderation.link", { count: props.flagged })}
        </a>{" "}
        <a href={`/${municipality.slug}/admin/residents`} safe>
          {t("participation.residents.title")}
        </a>
      </p>
      <Table
        caption={t("participation.admin.title")}
        headers={[t("participation.admin.field.title"), t("participation.admin.status")]}
        rows={props.processes.map((process) => [
          <a href={`${base}/${process.id}`} safe>
            {process.title}
          </a>,
          <span safe>{t(STATUS_KEYS[process.status])}</span>,
        ])}
      />
    </Layout>
  );
}

export function ProcessFormFields(props: { ctx: ViewContext; form: FormState }): JSX.Element {
  const { ctx, form } = props;
  const { t } = ctx;
  return (
    <>
      <Field ctx={ctx} form={form} name="title" label={t("participation.admin.field.title")} required maxlength={200} />
      <Field ctx={ctx} form={form} name="slug" label={t("participation.admin.field.slug")} hint={t("participation.admin.field.slug_hint")} required maxlength={80} />
      <Field ctx={ctx} form={form} name="description" label={t("participation.admin.field.description")} multiline rows={6} maxlength={20000} />
      <Field ctx={ctx} form={form} name="scope" label={t("participation.admin.field.scope")} hint={t("participation.admin.field.scope_hint")} maxlength={200} />
      <Field ctx={ctx} form={form} name="categories" label={t("participation.admin.field.categories")} hint={t("participation.admin.field.categories_hint")} multiline rows={4} />
    </>
  );
}

export function NewProcessPage(props: { ctx: ViewContext; municipality: Municipality; form: FormState }): JSX.Element {
  const { ctx, municipality, form } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("participation.admin.new")}>
      {adminCrumbs(ctx, municipality, [{ label: t("participation.admin.new") }])}
      <h1 safe>{t("participation.admin.new")}</h1>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action={`/${municipality.slug}/admin/participation`} form={form} label={t("participation.admin.new")}>
        <ProcessFormFields ctx={ctx} form={form} />
        <button type="submit" safe>
          {t("participation.admin.create")}
        </button>
      </Form>
    </Layout>
  );
}

export function EditProcessPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  process: ProcessRow;
  phases: PhaseRow[];
  form: FormState;
  phaseForm: FormState;
  extras: { href: string; label: string }[];
  /** The answers to the process's proposals, drawn by their part (proposals/views.tsx). */
  answers: JSX.Element;
}): JSX.Element {
  const { ctx, municipality, process, answers } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/participation/${process.id}`;
  const day = (iso: string) => ctx.fmt.date(new Date(`${iso}T12:00:00Z`), "UTC");
  return (
    <Layout ctx={ctx} title={process.title}>
      {adminCrumbs(ctx, municipality, [{ label: process.title }])}
      <h1 safe>{process.title}</h1>
      <p>
        <span safe>{`${t("participation.admin.status")} : ${t(STATUS_KEYS[process.status])}`}</span>{" "}
        {process.status === "draft" ? <ActionButton ctx={ctx} action={`${base}/publish`} label={t("participation.admin.publish")} /> : <ActionButton ctx={ctx} action={`${base}/unpublish`} label={t("participation.admin.unpublish")} secondary />}{" "}
        {process.status === "published" ? (
          <a href={`/${municipality.slug}/participation/${process.slug}`} safe>
            {t("participation.admin.view_public")}
          </a>
        ) : (
          ""
        )}
      </p>
      {props.extras.length > 0 ? (
        <ul>
          {props.extras.map((extra) => (
            <li>
              <a href={extra.href} safe>
                {extra.label}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        ""
      )}
      <ErrorSummary ctx={ctx} form={props.form} />
      <Form ctx={ctx} action={base} form={props.form} label={t("participation.admin.description")}>
        <ProcessFormFields ctx={ctx} form={props.form} />
        <button type="submit" safe>
          {t("participation.admin.save")}
        </button>
      </Form>
      <section id="phases">
        <h2 safe>{t("participation.process.phases")}</h2>
        <Table
          caption={t("participation.process.phases")}
          headers={[t("participation.admin.phase.title"), t("participation.admin.phase.dates"), t("participation.admin.phase.allows"), t("participation.admin.actions")]}
          rows={props.phases.map((phase) => [
            <span safe>{phase.title}</span>,
            <span safe>{t("participation.process.phase_dates", { start: day(phase.starts_on), end: day(phase.ends_on) })}</span>,
            <span safe>{[phase.proposals_open ? t("participation.admin.phase.proposals_open") : "", phase.supports_open ? t("participation.admin.phase.supports_open") : ""].filter(Boolean).join(", ") || "—"}</span>,
            <ActionButton ctx={ctx} action={`${base}/phases/${phase.id}/delete`} label={t("participation.admin.phase.remove")} secondary />,
          ])}
        />
        <h3 safe>{t("participation.admin.phase.add")}</h3>
        <ErrorSummary ctx={ctx} form={props.phaseForm} />
        <Form ctx={ctx} action={`${base}/phases`} form={props.phaseForm} label={t("participation.admin.phase.add")}>
          <Field ctx={ctx} form={props.phaseForm} name="phase_title" label={t("participation.admin.phase.title")} required maxlength={200} />
          <Field ctx={ctx} form={props.phaseForm} name="phase_description" label={t("participation.admin.phase.description")} multiline rows={2} maxlength={5000} />
          <Field ctx={ctx} form={props.phaseForm} name="starts_on" type="date" label={t("participation.admin.phase.starts_on")} required />
          <Field ctx={ctx} form={props.phaseForm} name="ends_on" type="date" label={t("participation.admin.phase.ends_on")} required />
          <label>
            <input type="checkbox" name="proposals_open" checked={props.phaseForm.values.proposals_open === "on"} /> <span safe>{t("participation.admin.phase.proposals_open")}</span>
          </label>
          <label>
            <input type="checkbox" name="supports_open" checked={props.phaseForm.values.supports_open === "on"} /> <span safe>{t("participation.admin.phase.supports_open")}</span>
          </label>
          <button type="submit" safe>
            {t("participation.admin.phase.add")}
          </button>
        </Form>
      </section>
      {answers}
    </Layout>
  );
}

export function ResidentsPage(props: { ctx: ViewContext; municipality: Municipality; form: FormState }): JSX.Element {
  const { ctx, municipality, form } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("participation.residents.title")}>
      {adminCrumbs(ctx, municipality, [{ label: t("participation.residents.title") }])}
      <h1 safe>{t("participation.residents.title")}</h1>
      <p safe>{t("participation.residents.intro")}</p>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action={`/${municipality.slug}/admin/residents`} form={form} label={t("participation.residents.verify")}>
        <Field ctx={ctx} form={form} name="phone" type="tel" label={t("participation.residents.phone")} hint={t("participation.residents.phone_hint")} required maxlength={30} />
        <label>
          <input type="checkbox" name="document_seen" /> <span safe>{t("participation.residents.document_seen")}</span>
        </label>
        <button type="submit" safe>
          {t("participation.residents.verify")}
        </button>
      </Form>
    </Layout>
  );
}
