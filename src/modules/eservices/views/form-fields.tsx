import type { PropsWithChildren } from "@kitajs/html";
import { ChoiceInputs, describedBy, Field, FieldHead, FileField, HintAndError, Paragraphs, SelectField } from "../../../core/views/components.js";
import type { FieldError } from "../../../core/http/errors.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { getCountryCallingCode, type CountryCode } from "libphonenumber-js/max";
import {
  answersToValues,
  entryFieldName,
  FILE_KINDS,
  fieldName,
  fileKindsLabel,
  nationalIdFormat,
  type Answers,
  type ChoiceFieldDef,
  type FieldDef,
  type FileFieldDef,
  type FormDefinition,
  type FormValues,
  type NumberFieldDef,
  type RepeatFieldDef,
  type SimpleFieldDef,
} from "../form-definition.js";

/*
 * Renders a procedure's form. Works without script: conditional fields are always shown with a
 * hint saying when to answer them (the server ignores them otherwise), and a repeated block gets
 * one more entry through a submit button.
 *
 * How the caller handles that button: a POST whose body has `_add` (the repeat's id) is not a
 * submission. Read it with readAnswers(..., { draft: true }) and render the form again with the
 * returned `values` and `errors` and `add={body._add}`, storing nothing (or saving the draft,
 * which also keeps any file chosen meanwhile). Answer it with a fresh `_idem` (do not pass the old
 * one back to <Form>), or the idempotency layer would replay this page for the real submission.
 * A repeat's buttons come before the caller's own submit button: Enter in a text box presses the
 * first submit button of a form, so the caller may put a visually hidden copy of its main button
 * at the top of the form.
 */

interface RenderState {
  ctx: ViewContext;
  form: FormState;
  values: FormValues;
  country: string;
  /** Labels of every field so far, to word conditional hints: in an entry, siblings first. */
  labelOf: (id: string) => { field: FieldDef; name: string } | undefined;
}

function errorText(state: RenderState, name: string): string | undefined {
  const error: FieldError | undefined = state.form.errors[name];
  return error ? state.ctx.t(error.key, error.params) : undefined;
}

function fieldLabel(state: RenderState, field: FieldDef): string {
  return field.required ? field.label : state.ctx.t("eservices.form.optional", { label: field.label });
}

/** The value a condition waits for, in words: an option's label rather than its code. */
function conditionValue(state: RenderState, target: FieldDef, equals: string): string {
  if (target.type === "yesno") return state.ctx.t(equals === "yes" ? "eservices.form.yes" : "eservices.form.no");
  if (target.type === "choice") return target.options.find((option) => option.value === equals)?.label ?? equals;
  return equals;
}

function hintFor(state: RenderState, field: FieldDef, extra?: string): string | undefined {
  const parts = [field.hint, extra];
  if (field.showIf) {
    const target = state.labelOf(field.showIf.field);
    if (target) {
      parts.unshift(state.ctx.t("eservices.form.answer_only_if", { label: target.field.label, value: conditionValue(state, target.field, field.showIf.equals) }));
    }
  }
  const text = parts.filter(Boolean).join(" ");
  return text || undefined;
}

/** For a future script: which input decides whether this field applies. */
function Conditional(props: PropsWithChildren<{ state: RenderState; field: FieldDef }>): JSX.Element {
  const { field, state } = props;
  if (!field.showIf) return <>{props.children}</>;
  const target = state.labelOf(field.showIf.field);
  return (
    <div data-show-if={target?.name} data-show-if-value={field.showIf.equals}>
      {props.children}
    </div>
  );
}

/** A text box rather than type=number: browsers empty a number input holding "1,5". */
function NumberInput(props: { state: RenderState; field: NumberFieldDef; name: string }): JSX.Element {
  const { state, field, name } = props;
  const id = `f-${name}`;
  const hint = hintFor(state, field);
  const error = errorText(state, name);
  const value = state.values[name];
  return (
    <div>
      <FieldHead id={id} label={fieldLabel(state, field)} hint={hint} error={error} />
      <input
        type="text"
        id={id}
        name={name}
        value={typeof value === "string" ? value : ""}
        inputmode={field.integer ? "numeric" : "decimal"}
        autocomplete="off"
        required={field.required}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
    </div>
  );
}

/** Radios or checkboxes in a fieldset; the first input carries the id the error summary links to. */
function ChoiceGroup(props: { state: RenderState; field: SimpleFieldDef; name: string; options: { value: string; label: string }[]; multiple: boolean }): JSX.Element {
  const { state, field, name } = props;
  const id = `f-${name}`;
  const hint = hintFor(state, field);
  const error = errorText(state, name);
  const current = state.values[name];
  const selected = Array.isArray(current) ? current : current ? [current] : [];
  return (
    <fieldset aria-describedby={describedBy(id, hint, error)}>
      <legend safe>{fieldLabel(state, field)}</legend>
      <HintAndError id={id} hint={hint} error={error} />
      <ChoiceInputs id={id} name={name} options={props.options} selected={selected} multiple={props.multiple} invalid={Boolean(error)} />
    </fieldset>
  );
}

// A long list of radios is harder to scan than a drop-down on a small screen.
const MAX_RADIOS = 8;

function ChoiceInput(props: { state: RenderState; field: ChoiceFieldDef; name: string }): JSX.Element {
  const { state, field, name } = props;
  if (field.multiple || field.options.length <= MAX_RADIOS) {
    return <ChoiceGroup state={state} field={field} name={name} options={field.options} multiple={field.multiple === true} />;
  }
  const hint = hintFor(state, field);
  return (
    <SelectField
      ctx={state.ctx}
      form={state.form}
      name={name}
      label={fieldLabel(state, field)}
      hint={hint}
      options={[{ value: "", label: state.ctx.t("eservices.form.choose") }, ...field.options]}
    />
  );
}

function AddressInput(props: { state: RenderState; field: SimpleFieldDef; name: string }): JSX.Element {
  const { state, field, name } = props;
  const { t } = state.ctx;
  const id = `f-${name}`;
  const hint = hintFor(state, field);
  return (
    <fieldset id={id} aria-describedby={describedBy(id, hint, undefined)}>
      <legend safe>{fieldLabel(state, field)}</legend>
      {hint ? (
        <span class="hint" id={`${id}-hint`} safe>
          {hint}
        </span>
      ) : (
        ""
      )}
      <Field
        ctx={state.ctx}
        form={state.form}
        name={`${name}.line`}
        label={t("eservices.form.optional", { label: t("eservices.form.address_line") })}
        autocomplete="address-line1"
        maxlength={200}
      />
      <Field ctx={state.ctx} form={state.form} name={`${name}.quarter`} label={t("eservices.form.address_quarter")} required={field.required} maxlength={200} />
      <Field
        ctx={state.ctx}
        form={state.form}
        name={`${name}.town`}
        label={t("eservices.form.address_town")}
        autocomplete="address-level2"
        required={field.required}
        maxlength={200}
      />
    </fieldset>
  );
}

function FileInput(props: { state: RenderState; field: FileFieldDef; name: string }): JSX.Element {
  const { state, field, name } = props;
  const { t, fmt } = state.ctx;
  const types = fileKindsLabel(field.accept);
  // Megabytes with one decimal, in the reader's number format.
  const size = fmt.number(Math.max(0.1, Math.floor(field.maxBytes / 100_000) / 10));
  const hint = hintFor(state, field, t("eservices.form.file_hint", { types, size }));
  const keep = state.values[`${name}.keep`];
  const kept = typeof keep === "string" && keep ? keep : undefined;
  const filename = state.values[`${name}.filename`];
  const keepId = `f-${name}.keep`;
  return (
    <div>
      <FileField ctx={state.ctx} form={state.form} name={name} label={fieldLabel(state, field)} hint={hint} accept={field.accept.map((kind) => FILE_KINDS[kind]).join(",")} />
      {kept ? (
        <label for={keepId}>
          <input type="checkbox" id={keepId} name={`${name}.keep`} value={kept} checked />{" "}
          <span safe>{t("eservices.form.keep_file", { name: typeof filename === "string" ? filename : "" })}</span>
        </label>
      ) : (
        ""
      )}
    </div>
  );
}

function SimpleInput(props: { state: RenderState; field: SimpleFieldDef; name: string }): JSX.Element {
  const { state, field, name } = props;
  const { t } = state.ctx;
  const common = { ctx: state.ctx, form: state.form, name, label: fieldLabel(state, field), required: field.required };
  switch (field.type) {
    case "text":
      return <Field {...common} hint={hintFor(state, field)} multiline={field.multiline} rows={field.multiline ? 5 : undefined} maxlength={field.maxLength} />;
    case "number":
      return <NumberInput state={state} field={field} name={name} />;
    case "date":
      // Where a browser has no date picker, people type the date as they write it.
      return <Field {...common} type="date" hint={hintFor(state, field, t("eservices.form.date_hint"))} />;
    case "choice":
      return <ChoiceInput state={state} field={field} name={name} />;
    case "yesno":
      return (
        <ChoiceGroup
          state={state}
          field={field}
          name={name}
          multiple={false}
          options={[
            { value: "yes", label: t("eservices.form.yes") },
            { value: "no", label: t("eservices.form.no") },
          ]}
        />
      );
    case "phone": {
      const country = field.country ?? state.country;
      let code: string | undefined;
      try {
        code = getCountryCallingCode(country as CountryCode);
      } catch {
        code = undefined;
      }
      const extra = code ? t("eservices.form.phone_hint", { code }) : undefined;
      return <Field {...common} type="tel" autocomplete="tel" hint={hintFor(state, field, extra)} />;
    }
    case "national_id": {
      const format = nationalIdFormat(field.country ?? state.country);
      return <Field {...common} autocomplete="off" maxlength={60} hint={hintFor(state, field, t("eservices.form.national_id_hint", { example: format.example }))} />;
    }
    case "address":
      return <AddressInput state={state} field={field} name={name} />;
    case "file":
      return <FileInput state={state} field={field} name={name} />;
  }
}

/** Entries on screen: those sent (blank ones too), one empty to fill, one more when asked, within bounds. */
function entryCount(field: RepeatFieldDef, values: FormValues, add: string | undefined): number {
  const prefix = `${fieldName(field.id)}.`;
  const rows = new Map<number, boolean>();
  for (const [key, value] of Object.entries(values)) {
    if (!key.startsWith(prefix)) continue;
    const match = /^(\d{1,3})\./.exec(key.slice(prefix.length));
    if (!match) continue;
    const index = Number(match[1]);
    const filled = Array.isArray(value) ? value.length > 0 : value !== "";
    rows.set(index, (rows.get(index) ?? false) || filled);
  }
  const sent = rows.size === 0 ? 0 : Math.max(...rows.keys()) + 1;
  const hasBlank = sent > [...rows.values()].filter(Boolean).length;
  const wanted = sent + (hasBlank ? 0 : 1) + (add === field.id ? 1 : 0);
  return Math.min(field.max, Math.max(wanted, field.min, 1));
}

function RepeatBlock(props: { state: RenderState; field: RepeatFieldDef; add: string | undefined }): JSX.Element {
  const { state, field } = props;
  const { t } = state.ctx;
  const name = fieldName(field.id);
  const id = `f-${name}`;
  const hint = hintFor(state, field, t("eservices.form.repeat_hint", { max: field.max }));
  const error = errorText(state, name);
  const count = entryCount(field, state.values, props.add);
  const outer = state.labelOf;
  return (
    <fieldset id={id} aria-describedby={describedBy(id, hint, error)}>
      <legend safe>{fieldLabel(state, field)}</legend>
      <HintAndError id={id} hint={hint} error={error} />
      {Array.from({ length: count }, (_, index) => {
        // Inside an entry, a condition names a sibling of the same entry before any outer field.
        const entryState: RenderState = {
          ...state,
          labelOf: (target) => {
            const sibling = field.fields.find((sub) => sub.id === target);
            return sibling ? { field: sibling, name: entryFieldName(field.id, index, sibling.id) } : outer(target);
          },
        };
        return (
          <fieldset>
            <legend safe>{t("eservices.form.entry", { label: field.label, n: index + 1 })}</legend>
            {field.fields.map((sub) => (
              <Conditional state={entryState} field={sub}>
                <SimpleInput state={entryState} field={sub} name={entryFieldName(field.id, index, sub.id)} />
              </Conditional>
            ))}
          </fieldset>
        );
      })}
      {count < field.max ? (
        <button type="submit" name="_add" value={field.id} class="secondary" formnovalidate safe>
          {t("eservices.form.add_entry", { label: field.label })}
        </button>
      ) : (
        ""
      )}
    </fieldset>
  );
}

export interface DossierFieldsProps {
  ctx: ViewContext;
  def: FormDefinition;
  /** Saved answers (a draft reopened); ignored when `values` is given. */
  answers?: Answers;
  /** What readAnswers returned as `values`: the submission as typed, to correct it. */
  values?: FormValues;
  errors?: Record<string, FieldError>;
  /** The `_add` value of the request: that repeated block gets one more empty entry. */
  add?: string;
  /** Country for phone numbers and national ids a field does not pin; the municipality's by default. */
  country?: string;
}

/** Every section of a procedure's form as a fieldset, fields in order. Put it inside a <Form>. */
export function DossierFields(props: DossierFieldsProps): JSX.Element {
  const values = props.values ?? (props.answers ? answersToValues(props.def, props.answers) : {});
  const strings = Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  const fields = new Map<string, FieldDef>();
  const state: RenderState = {
    ctx: props.ctx,
    form: { values: strings, errors: props.errors ?? {} },
    values,
    country: props.country ?? props.ctx.municipality?.country_code ?? "",
    labelOf: (id) => {
      const field = fields.get(id);
      return field ? { field, name: fieldName(field.id) } : undefined;
    },
  };
  return (
    <>
      {props.def.sections.map((section) => (
        <fieldset id={`s-${section.id}`}>
          <legend safe>{section.title}</legend>
          {section.description ? <Paragraphs text={section.description} /> : ""}
          {section.fields.map((field) => {
            const html =
              field.type === "repeat" ? (
                <Conditional state={state} field={field}>
                  <RepeatBlock state={state} field={field} add={props.add} />
                </Conditional>
              ) : (
                <Conditional state={state} field={field}>
                  <SimpleInput state={state} field={field} name={fieldName(field.id)} />
                </Conditional>
              );
            // Registered after rendering: a condition may only name a field above it.
            fields.set(field.id, field);
            return html;
          })}
        </fieldset>
      ))}
    </>
  );
}
