import { LOCALE_NAMES, LOCALES } from "../../../core/i18n/index.js";
import { Breadcrumbs, ErrorSummary, Field, Form, SelectField, Table } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import { COUNTRY_LABEL_KEYS, type Country, type Municipality } from "../../../core/tenancy/index.js";

export function NetworkAdminPage(props: { ctx: ViewContext; municipalities: Municipality[]; countries: Country[]; timeZones: string[]; form: FormState }): JSX.Element {
  const { ctx, form } = props;
  const { t } = ctx;
  const country = (code: string) => t(COUNTRY_LABEL_KEYS[code] ?? "country.other");
  const languageError = form.errors.lang_fr;
  return (
    <Layout ctx={ctx} title={t("portal.network_admin.title")}>
      <Breadcrumbs ctx={ctx} items={[{ href: "/", label: ctx.network?.name ?? t("site.name") }, { label: t("portal.network_admin.title") }]} />
      <h1 safe>{t("portal.network_admin.title")}</h1>
      <p>
        <a href="/admin/audit" safe>
          {t("portal.network_admin.audit")}
        </a>
      </p>
      <Table
        caption={t("portal.network_admin.title")}
        headers={[t("portal.field.name"), t("portal.home.country"), t("portal.field.actions")]}
        rows={props.municipalities.map((municipality) => [
          <a href={`/${municipality.slug}/`} safe>
            {municipality.name}
          </a>,
          <span safe>{country(municipality.country_code)}</span>,
          <ul class="inline">
            <li>
              <a href={`/${municipality.slug}/admin`} safe>
                {t("nav.admin")}
              </a>
            </li>
            <li>
              <a href={`/${municipality.slug}/admin/members`} safe>
                {t("portal.admin.members")}
              </a>
            </li>
          </ul>,
        ])}
      />
      <h2 safe>{t("portal.network_admin.add")}</h2>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action="/admin/municipalities" form={form}>
        <Field ctx={ctx} form={form} name="name" label={t("portal.field.name")} required maxlength={200} />
        <Field ctx={ctx} form={form} name="slug" label={t("portal.field.municipality_slug")} hint={t("portal.field.municipality_slug_hint")} required maxlength={60} />
        <Field ctx={ctx} form={form} name="reference_code" label={t("portal.field.reference_code")} hint={t("portal.field.reference_code_hint")} required maxlength={8} autocomplete="off" />
        <SelectField ctx={ctx} form={form} name="country" label={t("portal.home.country")} options={props.countries.map((c) => ({ value: c.code, label: country(c.code) }))} />
        <Field ctx={ctx} form={form} name="region" label={t("portal.home.region")} required maxlength={120} />
        <SelectField ctx={ctx} form={form} name="time_zone" label={t("portal.field.time_zone")} options={props.timeZones.map((zone) => ({ value: zone, label: zone }))} />
        <fieldset>
          <legend safe>{t("portal.field.languages")}</legend>
          {languageError ? (
            <span class="field-error" id="f-lang_fr-error" data-error={languageError.key} safe>
              {t(languageError.key)}
            </span>
          ) : (
            ""
          )}
          {LOCALES.map((locale) => (
            <label>
              <input type="checkbox" name={`lang_${locale}`} id={`f-lang_${locale}`} checked={form.values[`lang_${locale}`] === "on"} />{" "}
              <span safe>{LOCALE_NAMES[locale]}</span>
            </label>
          ))}
        </fieldset>
        <Field ctx={ctx} form={form} name="description" label={t("portal.field.description")} multiline rows={4} maxlength={1000} />
        <div>
          <button type="submit" safe>
            {t("portal.action.add")}
          </button>
        </div>
      </Form>
    </Layout>
  );
}
