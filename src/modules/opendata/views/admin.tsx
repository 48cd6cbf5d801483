import { LOCALE_NAMES, LOCALES } from "../../../core/i18n/index.js";
import { ActionButton, Breadcrumbs, ErrorSummary, Field, FileField, Form, SelectField, Table } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import type { DatasetRow, DatasetStatus, ResourceRow } from "../store.js";
import { FREQUENCIES, FREQUENCY_IDS, LICENCE_IDS, THEME_CODES } from "../vocabulary.js";
import { licenceTitle, themeLabel } from "./public.js";

const STATUS_LABEL_KEYS: Record<DatasetStatus, string> = { draft: "portal.status.draft", published: "portal.status.published" };

function crumbs(ctx: ViewContext, municipality: Municipality, label?: string) {
  const items: { href?: string; label: string }[] = [
    { href: `/${municipality.slug}/`, label: municipality.name },
    { href: `/${municipality.slug}/admin`, label: ctx.t("portal.admin.title") },
    { href: `/${municipality.slug}/admin/data`, label: ctx.t("opendata.admin.title") },
  ];
  if (label) items.push({ label });
  return <Breadcrumbs ctx={ctx} items={items} />;
}

export function AdminDatasetsPage(props: { ctx: ViewContext; municipality: Municipality; datasets: DatasetRow[] }): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/data`;
  return (
    <Layout ctx={ctx} title={t("opendata.admin.title")}>
      {crumbs(ctx, municipality)}
      <h1 safe>{t("opendata.admin.title")}</h1>
      <p>
        <a class="button" href={`${base}/new`} safe>
          {t("opendata.admin.new")}
        </a>
      </p>
      <Table
        caption={t("opendata.admin.title")}
        headers={[t("portal.field.title"), t("portal.field.status"), t("portal.field.updated"), t("portal.field.actions")]}
        rows={props.datasets.map((dataset) => [
          <a href={`/${municipality.slug}/data/${dataset.slug}`} safe>
            {dataset.title}
          </a>,
          <span class="tag" safe>
            {t(STATUS_LABEL_KEYS[dataset.status])}
          </span>,
          <span safe>{ctx.fmt.dateTime(dataset.updated_at, municipality.time_zone)}</span>,
          <a href={`${base}/${dataset.id}/edit`} safe>
            {t("portal.action.edit")}
          </a>,
        ])}
      />
    </Layout>
  );
}

function Checkboxes(props: { ctx: ViewContext; form: FormState; name: string; legend: string; options: { value: string; label: string }[] }): JSX.Element {
  const selected = (props.form.values[props.name] ?? "").split(",");
  const error = props.form.errors[props.name];
  return (
    <fieldset id={`f-${props.name}`}>
      <legend safe>{props.legend}</legend>
      {error ? (
        <span class="field-error" data-error={error.key} safe>
          {props.ctx.t(error.key, error.params)}
        </span>
      ) : (
        ""
      )}
      {props.options.map((option) => (
        <label>
          <input type="checkbox" name={props.name} value={option.value} checked={selected.includes(option.value)} /> <span safe>{option.label}</span>
        </label>
      ))}
    </fieldset>
  );
}

export function DatasetFormPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  form: FormState;
  dataset?: DatasetRow | undefined;
  resources?: ResourceRow[];
  resourceForm?: FormState;
}): JSX.Element {
  const { ctx, municipality, form, dataset } = props;
  const { t } = ctx;
  const title = dataset ? t("opendata.admin.edit") : t("opendata.admin.new");
  const base = `/${municipality.slug}/admin/data`;
  return (
    <Layout ctx={ctx} title={title}>
      {crumbs(ctx, municipality, title)}
      <h1 safe>{title}</h1>
      {dataset ? (
        <p>
          <span class="tag" safe>
            {t(STATUS_LABEL_KEYS[dataset.status])}
          </span>{" "}
          <a href={`/${municipality.slug}/data/${dataset.slug}`} safe>
            {t("opendata.admin.view_public")}
          </a>
        </p>
      ) : (
        ""
      )}
      {dataset ? (
        <div>
          {dataset.status === "draft" ? (
            <ActionButton ctx={ctx} action={`${base}/${dataset.id}/publish`} label={t("portal.action.publish")} />
          ) : (
            <ActionButton ctx={ctx} action={`${base}/${dataset.id}/unpublish`} label={t("portal.action.unpublish")} secondary />
          )}
        </div>
      ) : (
        ""
      )}
      {dataset ? (
        <section aria-labelledby="resources">
          <h2 id="resources" safe>
            {t("opendata.dataset.resources")}
          </h2>
          <ErrorSummary ctx={ctx} form={props.resourceForm} />
          <Table
            caption={t("opendata.dataset.resources")}
            headers={[t("portal.field.name"), t("opendata.field.format"), t("portal.field.actions")]}
            rows={(props.resources ?? []).map((resource) => [
              <span safe>{resource.name}</span>,
              <span safe>{resource.format}</span>,
              <ActionButton ctx={ctx} action={`${base}/${dataset.id}/resources/${resource.id}/delete`} label={t("portal.action.remove")} secondary />,
            ])}
          />
          <h3 safe>{t("opendata.admin.add_resource")}</h3>
          <Form ctx={ctx} action={`${base}/${dataset.id}/resources`} form={props.resourceForm} multipart>
            <Field ctx={ctx} form={props.resourceForm} name="name" label={t("portal.field.name")} hint={t("opendata.field.name_hint")} maxlength={200} />
            <Field ctx={ctx} form={props.resourceForm} name="description" label={t("opendata.field.description")} multiline rows={3} maxlength={5000} />
            <FileField
              ctx={ctx}
              form={props.resourceForm}
              name="file"
              label={t("opendata.field.file")}
              hint={t("opendata.field.file_hint", { size: Math.round(ctx.uploadLimitBytes / (1024 * 1024)) })}
              accept=".csv,.xlsx,.json,.geojson,.pdf,.zip,text/csv,application/json"
            />
            {props.resourceForm?.values["file.keep"] ? (
              // The file sent with the form that came back: kept, so that it need not be chosen again.
              <label for="f-file.keep">
                <input type="checkbox" id="f-file.keep" name="file.keep" value={props.resourceForm.values["file.keep"]} checked />{" "}
                <span safe>{t("form.file.keep", { name: props.resourceForm.values["file.filename"] ?? "" })}</span>
              </label>
            ) : (
              ""
            )}
            <Field ctx={ctx} form={props.resourceForm} name="url" type="url" label={t("opendata.field.url")} hint={t("opendata.field.url_hint")} />
            <Field ctx={ctx} form={props.resourceForm} name="format" label={t("opendata.field.format")} hint={t("opendata.field.format_hint")} maxlength={20} />
            <div>
              <button type="submit" safe>
                {t("portal.action.add")}
              </button>
            </div>
          </Form>
        </section>
      ) : (
        ""
      )}
      <h2 safe>{t("opendata.dataset.information")}</h2>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action={dataset ? `${base}/${dataset.id}` : base} form={form}>
        <Field ctx={ctx} form={form} name="title" label={t("portal.field.title")} required maxlength={200} />
        <Field ctx={ctx} form={form} name="slug" label={t("portal.field.slug")} hint={t("portal.field.slug_hint")} required maxlength={100} />
        <Field ctx={ctx} form={form} name="description" label={t("opendata.field.description")} hint={t("portal.field.body_hint")} multiline rows={8} />
        <Checkboxes ctx={ctx} form={form} name="themes" legend={t("opendata.field.themes")} options={THEME_CODES.map((code) => ({ value: code, label: themeLabel(ctx, code) }))} />
        <Field ctx={ctx} form={form} name="tags" label={t("opendata.field.tags")} hint={t("opendata.field.tags_hint")} />
        <SelectField ctx={ctx} form={form} name="licence" label={t("opendata.field.licence")} options={LICENCE_IDS.map((id) => ({ value: id, label: licenceTitle(id) }))} />
        <SelectField ctx={ctx} form={form} name="frequency" label={t("opendata.field.frequency")} options={FREQUENCY_IDS.map((id) => ({ value: id, label: t(FREQUENCIES[id].labelKey) }))} />
        <Field ctx={ctx} form={form} name="spatial" label={t("opendata.field.spatial")} hint={t("opendata.field.spatial_hint")} maxlength={200} />
        <Field ctx={ctx} form={form} name="temporal_start" type="date" label={t("opendata.field.temporal_start")} />
        <Field ctx={ctx} form={form} name="temporal_end" type="date" label={t("opendata.field.temporal_end")} />
        <Field ctx={ctx} form={form} name="contact_name" label={t("opendata.field.contact_name")} maxlength={120} />
        <Field ctx={ctx} form={form} name="contact_email" type="email" label={t("opendata.field.contact_email")} maxlength={200} />
        <SelectField ctx={ctx} form={form} name="language" label={t("portal.field.language")} options={LOCALES.map((locale) => ({ value: locale, label: LOCALE_NAMES[locale] }))} />
        <div>
          <button type="submit" safe>
            {t("portal.action.save")}
          </button>
        </div>
      </Form>
    </Layout>
  );
}
