import { ROLE_LABEL_KEYS } from "../../../core/auth/roles.js";
import { ActionButton, Breadcrumbs, ErrorSummary, Field, Form, SelectField, Table } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { FIELD_TYPES, type BuilderFieldType } from "../builder.js";
import { MAX_DOCUMENT_LABEL_LENGTH, NATIONAL_ID_COUNTRIES, type FieldDef } from "../form-definition.js";
import { PROCEDURE_CATEGORIES } from "../schema.js";
import type { ProcedureRow, ProcedureStats, ProcedureStatus, SigningKeyRow } from "../store.js";
import { categoryKey, fee, StatsTable } from "./public.js";

const STATUS_KEYS: Record<ProcedureStatus, string> = { draft: "eservices.procedure.status.draft", published: "eservices.procedure.status.published", closed: "eservices.procedure.status.closed" };

const TYPE_KEYS: Record<BuilderFieldType, string> = {
  text: "eservices.builder.type.text",
  number: "eservices.builder.type.number",
  date: "eservices.builder.type.date",
  choice: "eservices.builder.type.choice",
  yesno: "eservices.builder.type.yesno",
  phone: "eservices.builder.type.phone",
  national_id: "eservices.builder.type.national_id",
  address: "eservices.builder.type.address",
  file: "eservices.builder.type.file",
  repeat: "eservices.builder.type.repeat",
};

export function adminCrumbs(ctx: ViewContext, municipality: Municipality, trail: { href?: string; label: string }[] = []) {
  return (
    <Breadcrumbs
      ctx={ctx}
      items={[
        { href: `/${municipality.slug}/`, label: municipality.name },
        { href: `/${municipality.slug}/admin`, label: ctx.t("portal.admin.title") },
        { href: `/${municipality.slug}/admin/services`, label: ctx.t("eservices.admin.title") },
        ...trail,
      ]}
    />
  );
}

export function AdminProceduresPage(props: { ctx: ViewContext; municipality: Municipality; procedures: ProcedureRow[]; stats: ProcedureStats[]; canManage: boolean }): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/services`;
  return (
    <Layout ctx={ctx} title={t("eservices.admin.title")}>
      {adminCrumbs(ctx, municipality)}
      <h1 safe>{t("eservices.admin.title")}</h1>
      <p>
        <a class="button" href={`/${municipality.slug}/admin/dossiers`} safe>
          {t("eservices.queue.title")}
        </a>{" "}
        <a class="button secondary" href={`/${municipality.slug}/admin/counter`} safe>
          {t("eservices.counter.title")}
        </a>{" "}
        {props.canManage ? (
          <>
            <a class="button secondary" href={`${base}/new`} safe>
              {t("eservices.admin.new")}
            </a>{" "}
            <a href={`/${municipality.slug}/admin/keys`} safe>
              {t("eservices.keys.title")}
            </a>
          </>
        ) : (
          ""
        )}
      </p>
      <Table
        caption={t("eservices.admin.title")}
        headers={[t("eservices.stats.procedure"), t("eservices.admin.category"), t("eservices.admin.status"), t("eservices.procedure.fee")]}
        rows={props.procedures.map((procedure) => [
          props.canManage ? (
            <a href={`${base}/${procedure.id}`} safe>
              {procedure.title}
            </a>
          ) : (
            <a href={`/${municipality.slug}/services/${procedure.slug}`} safe>
              {procedure.title}
            </a>
          ),
          <span safe>{t(categoryKey(procedure.category))}</span>,
          <span safe>{t(STATUS_KEYS[procedure.status])}</span>,
          <span safe>{fee(ctx, municipality, procedure.fee_amount)}</span>,
        ])}
      />
      <StatsTable ctx={ctx} stats={props.stats} />
    </Layout>
  );
}

function FieldSummary(props: { ctx: ViewContext; field: FieldDef }): JSX.Element {
  const { t } = props.ctx;
  const field = props.field;
  return (
    <span>
      <strong safe>{field.label}</strong>{" "}
      <span class="meta" safe>
        {`(${[t(TYPE_KEYS[field.type]), field.id, field.required ? t("eservices.builder.required") : "", field.showIf ? t("eservices.builder.shown_if", { field: field.showIf.field, value: field.showIf.equals }) : "", field.documentLabel ? t("eservices.builder.on_documents", { label: field.documentLabel }) : ""].filter(Boolean).join(", ")})`}
      </span>
    </span>
  );
}

/** A field being edited (its typed values and errors), or one whose removal awaits confirmation. */
export interface BuilderFocus {
  editing?: { fieldId: string; form: FormState };
  confirmRemoval?: string;
}

const tickedIn = (form: FormState, name: string) => form.values[name] === "on";

/** The settings of an existing field, its type's own included; its id and type cannot change. */
function FieldEditForm(props: { ctx: ViewContext; base: string; field: FieldDef; form: FormState }): JSX.Element {
  const { ctx, base, field, form } = props;
  const { t } = ctx;
  const checkbox = (name: string, label: string) => (
    <label>
      <input type="checkbox" name={name} checked={tickedIn(form, name)} /> <span safe>{label}</span>
    </label>
  );
  const accepted = (form.values.accept ?? "").split(",");
  return (
    <div id={`edit-${field.id}`} class="editing">
      <h4 safe>{t("eservices.builder.edit_title", { label: field.label })}</h4>
      <p class="meta" safe>
        {t("eservices.builder.edit_intro", { type: t(TYPE_KEYS[field.type]), id: field.id })}
      </p>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action={`${base}/fields/${field.id}/edit`} form={form} label={t("eservices.builder.edit_title", { label: field.label })}>
        <Field ctx={ctx} form={form} name="label" label={t("eservices.builder.label")} required maxlength={300} />
        <Field ctx={ctx} form={form} name="document_label" label={t("eservices.builder.document_label")} hint={t("eservices.builder.document_label_hint", { max: MAX_DOCUMENT_LABEL_LENGTH })} maxlength={MAX_DOCUMENT_LABEL_LENGTH} />
        <Field ctx={ctx} form={form} name="hint" label={t("eservices.builder.hint")} maxlength={1000} />
        {checkbox("required", t("eservices.builder.required"))}
        {field.type === "text" ? (
          <>
            {checkbox("multiline", t("eservices.builder.multiline"))}
            <Field ctx={ctx} form={form} name="max_length" type="number" label={t("eservices.builder.max_length")} />
          </>
        ) : (
          ""
        )}
        {field.type === "number" || field.type === "repeat" ? (
          <>
            <Field ctx={ctx} form={form} name="min" type="number" label={t("eservices.builder.min")} />
            <Field ctx={ctx} form={form} name="max" type="number" label={t("eservices.builder.max")} />
          </>
        ) : (
          ""
        )}
        {field.type === "number" ? checkbox("integer", t("eservices.builder.integer")) : ""}
        {field.type === "date" ? (
          <SelectField
            ctx={ctx}
            form={form}
            name="when"
            label={t("eservices.builder.when")}
            options={[
              { value: "", label: t("eservices.builder.when_any") },
              { value: "past", label: t("eservices.builder.when_past") },
              { value: "future", label: t("eservices.builder.when_future") },
            ]}
          />
        ) : (
          ""
        )}
        {field.type === "choice" ? (
          <>
            <Field ctx={ctx} form={form} name="options" label={t("eservices.builder.choices")} hint={t("eservices.builder.choices_edit_hint")} multiline rows={4} required />
            {checkbox("multiple", t("eservices.builder.multiple"))}
          </>
        ) : (
          ""
        )}
        {field.type === "national_id" ? (
          <SelectField ctx={ctx} form={form} name="country" label={t("eservices.builder.country")} options={[{ value: "", label: t("eservices.builder.country_default") }, ...NATIONAL_ID_COUNTRIES.map((code) => ({ value: code, label: code }))]} />
        ) : (
          ""
        )}
        {field.type === "file" ? (
          <>
            <fieldset>
              <legend safe>{t("eservices.builder.accept")}</legend>
              {(["pdf", "jpeg", "png", "webp"] as const).map((kind) => (
                <label>
                  <input type="checkbox" name="accept" value={kind} checked={accepted.includes(kind)} /> <span safe>{kind.toUpperCase()}</span>
                </label>
              ))}
            </fieldset>
            <Field ctx={ctx} form={form} name="max_bytes_mb" type="number" label={t("eservices.builder.max_mb")} required />
          </>
        ) : (
          ""
        )}
        <Field ctx={ctx} form={form} name="show_if_field" label={t("eservices.builder.show_if_field")} hint={t("eservices.builder.show_if_hint")} maxlength={40} />
        <Field ctx={ctx} form={form} name="show_if_value" label={t("eservices.builder.show_if_value")} maxlength={200} />
        <div class="row-actions">
          <button type="submit" safe>
            {t("eservices.builder.save_field")}
          </button>
          <a href={`${base}#b-${field.id}`} safe>
            {t("eservices.builder.cancel_edit")}
          </a>
        </div>
      </Form>
    </div>
  );
}

/**
 * Move, edit and remove side by side, wrapping on a phone. Removing asks first, without script:
 * the first button only opens the question, and only its "Confirm" button posts the removal.
 */
function RowActions(props: { ctx: ViewContext; base: string; id: string; name: string; first: boolean; last: boolean; editable: boolean; confirmOpen: boolean }): JSX.Element {
  const { ctx, base, id } = props;
  const { t } = ctx;
  return (
    <div class="row-actions">
      {!props.first ? <ActionButton ctx={ctx} action={`${base}/fields/${id}/move`} fields={{ direction: "up" }} label={t("eservices.builder.up")} secondary /> : ""}
      {!props.last ? <ActionButton ctx={ctx} action={`${base}/fields/${id}/move`} fields={{ direction: "down" }} label={t("eservices.builder.down")} secondary /> : ""}
      {props.editable ? (
        <a class="button secondary" href={`${base}/fields/${id}/edit#edit-${id}`} safe>
          {t("eservices.builder.edit")}
        </a>
      ) : (
        ""
      )}
      <details class="confirm" open={props.confirmOpen}>
        <summary class="button secondary" safe>
          {t("eservices.builder.remove")}
        </summary>
        <p safe>{t("eservices.builder.remove_question", { label: props.name })}</p>
        <ActionButton ctx={ctx} action={`${base}/fields/${id}/delete`} fields={{ confirm: "yes" }} label={t("eservices.builder.confirm_removal")} />
      </details>
    </div>
  );
}

function FieldRow(props: { ctx: ViewContext; base: string; field: FieldDef; first: boolean; last: boolean; focus: BuilderFocus }): JSX.Element {
  const { ctx, base, field, focus } = props;
  const editing = focus.editing?.fieldId === field.id ? focus.editing.form : undefined;
  return (
    <li id={`b-${field.id}`}>
      <FieldSummary ctx={ctx} field={field} />
      {editing ? (
        <FieldEditForm ctx={ctx} base={base} field={field} form={editing} />
      ) : (
        <RowActions ctx={ctx} base={base} id={field.id} name={field.label} first={props.first} last={props.last} editable confirmOpen={focus.confirmRemoval === field.id} />
      )}
      {field.type === "repeat" ? (
        <ul>
          {field.fields.map((sub, index) => (
            <FieldRow ctx={ctx} base={base} field={sub} first={index === 0} last={index === field.fields.length - 1} focus={focus} />
          ))}
        </ul>
      ) : (
        ""
      )}
    </li>
  );
}

export function ProcedureEditPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  procedure?: ProcedureRow;
  form: FormState;
  fieldForm?: FormState;
  sectionForm?: FormState;
  focus?: BuilderFocus;
}): JSX.Element {
  const { ctx, municipality, procedure, form } = props;
  const { t } = ctx;
  const base = procedure ? `/${municipality.slug}/admin/services/${procedure.id}` : `/${municipality.slug}/admin/services`;
  const title = procedure ? procedure.title : t("eservices.admin.new");
  const places = procedure
    ? procedure.form.sections.flatMap((section) => [
        { value: `s:${section.id}`, label: t("eservices.builder.in_section", { title: section.title }) },
        ...section.fields.filter((field) => field.type === "repeat").map((field) => ({ value: `r:${field.id}`, label: t("eservices.builder.in_block", { title: field.label }) })),
      ])
    : [];
  const fieldForm = props.fieldForm;
  const focus = props.focus ?? {};
  return (
    <Layout ctx={ctx} title={title}>
      {adminCrumbs(ctx, municipality, [{ label: title }])}
      <h1 safe>{title}</h1>
      {procedure ? (
        <p>
          <span safe>{t("eservices.admin.status")}: </span>
          <strong safe>{t(STATUS_KEYS[procedure.status])}</strong>{" "}
          {procedure.status !== "published" ? <ActionButton ctx={ctx} action={`${base}/publish`} label={t("eservices.admin.publish")} /> : ""}
          {procedure.status === "published" ? <ActionButton ctx={ctx} action={`${base}/close`} label={t("eservices.admin.close")} secondary /> : ""}
          {procedure.status === "published" ? (
            <>
              {" "}
              <a href={`/${municipality.slug}/services/${procedure.slug}`} safe>
                {t("eservices.admin.view_public")}
              </a>
            </>
          ) : (
            ""
          )}
        </p>
      ) : (
        ""
      )}
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action={base} form={form} label={t("eservices.admin.description")}>
        <Field ctx={ctx} form={form} name="title" label={t("eservices.admin.field.title")} required maxlength={200} />
        <Field ctx={ctx} form={form} name="slug" label={t("eservices.admin.field.slug")} hint={t("eservices.admin.field.slug_hint")} required maxlength={80} />
        <Field ctx={ctx} form={form} name="description" label={t("eservices.admin.field.description")} multiline rows={5} maxlength={10000} />
        <SelectField ctx={ctx} form={form} name="category" label={t("eservices.admin.category")} options={PROCEDURE_CATEGORIES.map((category) => ({ value: category, label: t(categoryKey(category)) }))} />
        <Field ctx={ctx} form={form} name="documents" label={t("eservices.procedure.documents")} hint={t("eservices.admin.field.one_per_line")} multiline rows={4} />
        <Field ctx={ctx} form={form} name="fee_amount" type="number" label={t("eservices.admin.field.fee", { currency: municipality.currency })} required />
        <Field ctx={ctx} form={form} name="fee_payment" label={t("eservices.procedure.payment")} multiline rows={2} maxlength={1000} />
        <Field ctx={ctx} form={form} name="processing_days" type="number" label={t("eservices.admin.field.processing_days")} required />
        <Field ctx={ctx} form={form} name="retention_days" type="number" label={t("eservices.admin.field.retention_days")} hint={t("eservices.admin.field.retention_hint")} required />
        <fieldset>
          <legend safe>{t("eservices.admin.field.instructors")}</legend>
          {(["agent", "administrator"] as const).map((role) => (
            <label>
              <input type="checkbox" name="instructor_roles" value={role} checked={(form.values.instructor_roles ?? "").split(",").includes(role)} />{" "}
              <span safe>{t(ROLE_LABEL_KEYS[role])}</span>
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend safe>{t("eservices.admin.certificate")}</legend>
          <p class="meta" safe>
            {t("eservices.admin.certificate_hint")}
          </p>
          <Field ctx={ctx} form={form} name="certificate_title" label={t("eservices.admin.field.certificate_title")} maxlength={200} />
          <Field ctx={ctx} form={form} name="certificate_body" label={t("eservices.admin.field.certificate_body")} hint={t("eservices.admin.field.certificate_body_hint", { field: "{nom}", reference: "{reference}", applicant: "{applicant}" })} multiline rows={6} maxlength={5000} />
          <Field ctx={ctx} form={form} name="certificate_key_fields" label={t("eservices.admin.field.key_fields")} hint={t("eservices.admin.field.key_fields_hint")} maxlength={400} />
          <Field ctx={ctx} form={form} name="certificate_signatory" label={t("eservices.admin.field.signatory")} maxlength={200} />
          <Field ctx={ctx} form={form} name="certificate_signatory_name" label={t("eservices.admin.field.signatory_name")} hint={t("eservices.admin.field.signatory_name_hint")} maxlength={120} />
        </fieldset>
        <button type="submit" safe>
          {procedure ? t("eservices.admin.save") : t("eservices.admin.create")}
        </button>
      </Form>
      {procedure ? (
        <section id="builder">
          <h2 safe>{t("eservices.builder.title")}</h2>
          <p class="meta" safe>
            {t("eservices.builder.intro")}
          </p>
          {procedure.form.sections.map((section) => (
            <section id={`s-${section.id}`}>
              <h3 safe>{section.title}</h3>
              {section.fields.length === 0 ? (
                <details class="confirm" open={focus.confirmRemoval === section.id}>
                  <summary class="button secondary" safe>
                    {t("eservices.builder.remove_section")}
                  </summary>
                  <p safe>{t("eservices.builder.remove_question", { label: section.title })}</p>
                  <ActionButton ctx={ctx} action={`${base}/fields/${section.id}/delete`} fields={{ confirm: "yes" }} label={t("eservices.builder.confirm_removal")} />
                </details>
              ) : (
                ""
              )}
              <ol>
                {section.fields.map((field, index) => (
                  <FieldRow ctx={ctx} base={base} field={field} first={index === 0} last={index === section.fields.length - 1} focus={focus} />
                ))}
              </ol>
            </section>
          ))}
          {focus.editing ? (
            ""
          ) : (
            <>
              <h3 safe>{t("eservices.builder.add_field")}</h3>
              <ErrorSummary ctx={ctx} form={fieldForm} />
              <Form ctx={ctx} action={`${base}/fields`} form={fieldForm} label={t("eservices.builder.add_field")}>
                <SelectField ctx={ctx} form={fieldForm} name="place" label={t("eservices.builder.place")} options={places} />
                <SelectField ctx={ctx} form={fieldForm} name="type" label={t("eservices.builder.type")} options={FIELD_TYPES.map((type) => ({ value: type, label: t(TYPE_KEYS[type]) }))} />
                <Field ctx={ctx} form={fieldForm} name="label" label={t("eservices.builder.label")} required maxlength={300} />
                <Field ctx={ctx} form={fieldForm} name="document_label" label={t("eservices.builder.document_label")} hint={t("eservices.builder.document_label_hint", { max: MAX_DOCUMENT_LABEL_LENGTH })} maxlength={MAX_DOCUMENT_LABEL_LENGTH} />
                <Field ctx={ctx} form={fieldForm} name="hint" label={t("eservices.builder.hint")} maxlength={1000} />
                <label>
                  <input type="checkbox" name="required" checked={fieldForm?.values.required === "on" || fieldForm?.values.required === "true"} /> <span safe>{t("eservices.builder.required")}</span>
                </label>
                <details>
                  <summary safe>{t("eservices.builder.options")}</summary>
                  <Field ctx={ctx} form={fieldForm} name="options" label={t("eservices.builder.choices")} hint={t("eservices.admin.field.one_per_line")} multiline rows={4} />
                  <label>
                    <input type="checkbox" name="multiple" /> <span safe>{t("eservices.builder.multiple")}</span>
                  </label>
                  <label>
                    <input type="checkbox" name="multiline" /> <span safe>{t("eservices.builder.multiline")}</span>
                  </label>
                  <Field ctx={ctx} form={fieldForm} name="max_length" type="number" label={t("eservices.builder.max_length")} />
                  <Field ctx={ctx} form={fieldForm} name="min" type="number" label={t("eservices.builder.min")} />
                  <Field ctx={ctx} form={fieldForm} name="max" type="number" label={t("eservices.builder.max")} />
                  <label>
                    <input type="checkbox" name="integer" /> <span safe>{t("eservices.builder.integer")}</span>
                  </label>
                  <SelectField
                    ctx={ctx}
                    form={fieldForm}
                    name="when"
                    label={t("eservices.builder.when")}
                    options={[
                      { value: "", label: t("eservices.builder.when_any") },
                      { value: "past", label: t("eservices.builder.when_past") },
                      { value: "future", label: t("eservices.builder.when_future") },
                    ]}
                  />
                  <SelectField ctx={ctx} form={fieldForm} name="country" label={t("eservices.builder.country")} options={[{ value: "", label: t("eservices.builder.country_default") }, ...NATIONAL_ID_COUNTRIES.map((code) => ({ value: code, label: code }))]} />
                  <fieldset>
                    <legend safe>{t("eservices.builder.accept")}</legend>
                    {(["pdf", "jpeg", "png", "webp"] as const).map((kind) => (
                      <label>
                        <input type="checkbox" name="accept" value={kind} /> <span safe>{kind.toUpperCase()}</span>
                      </label>
                    ))}
                  </fieldset>
                  <Field ctx={ctx} form={fieldForm} name="max_bytes_mb" type="number" label={t("eservices.builder.max_mb")} />
                  <Field ctx={ctx} form={fieldForm} name="show_if_field" label={t("eservices.builder.show_if_field")} hint={t("eservices.builder.show_if_hint")} maxlength={40} />
                  <Field ctx={ctx} form={fieldForm} name="show_if_value" label={t("eservices.builder.show_if_value")} maxlength={200} />
                </details>
                <button type="submit" safe>
                  {t("eservices.builder.add_field")}
                </button>
              </Form>
            </>
          )}
          <h3 safe>{t("eservices.builder.add_section")}</h3>
          <ErrorSummary ctx={ctx} form={props.sectionForm} />
          <Form ctx={ctx} action={`${base}/sections`} form={props.sectionForm} label={t("eservices.builder.add_section")}>
            <Field ctx={ctx} form={props.sectionForm} name="section_title" label={t("eservices.builder.section_title")} required maxlength={300} />
            <Field ctx={ctx} form={props.sectionForm} name="section_description" label={t("eservices.builder.section_description")} multiline rows={2} maxlength={5000} />
            <button type="submit" safe>
              {t("eservices.builder.add_section")}
            </button>
          </Form>
        </section>
      ) : (
        ""
      )}
    </Layout>
  );
}

export function KeysPage(props: { ctx: ViewContext; municipality: Municipality; keys: Omit<SigningKeyRow, "private_key">[] }): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("eservices.keys.title")}>
      {adminCrumbs(ctx, municipality, [{ label: t("eservices.keys.title") }])}
      <h1 safe>{t("eservices.keys.title")}</h1>
      <p safe>{t("eservices.keys.intro")}</p>
      {props.keys.length === 0 ? (
        <p safe>{t("eservices.keys.none")}</p>
      ) : (
        <Table
          caption={t("eservices.keys.title")}
          headers={[t("eservices.keys.kid"), t("eservices.keys.public_key"), t("eservices.keys.created"), t("eservices.keys.state")]}
          rows={props.keys.map((key) => [
            <code safe>{key.kid}</code>,
            <code safe>{key.public_key}</code>,
            <span safe>{ctx.fmt.date(key.created_at, municipality.time_zone)}</span>,
            <span safe>{key.retired_at ? t("eservices.keys.retired", { date: ctx.fmt.date(key.retired_at, municipality.time_zone) }) : t("eservices.keys.active")}</span>,
          ])}
        />
      )}
      <ActionButton ctx={ctx} action={`/${municipality.slug}/admin/keys/rotate`} label={t("eservices.keys.rotate")} />
    </Layout>
  );
}
