import type { PropsWithChildren } from "@kitajs/html";
import { getCountryCallingCode, type CountryCode } from "libphonenumber-js/max";
import type { FieldError } from "../http/errors.js";
import { ChoiceInputs, describedBy, Field, FieldHead, FileField as FileInputField, HintAndError, Paragraphs, SelectField } from "../views/components.js";
import type { FormState, ViewContext } from "../views/context.js";
import { FILE_KINDS, fileKindsLabel, type ChoiceOption, type FileField, type FormDefinition, type FormField, type NumberField, type RepeatField, type ScaleField, type SimpleField } from "./definition.js";
import { nationalIdFormat } from "./national-id.js";
import { answersToValues, DEFAULT_PREFIX, entryFieldName, fieldName, type FormValues } from "./read.js";

/*
 * A form's fields rendered without script: conditional fields are always shown with a hint
 * saying when to answer them (the reader ignores them otherwise), and a repeated block gets one
 * more entry through a submit button.
 *
 * How the caller handles that button: a POST whose body has `_add` (the repeat's id) is not a
 * submission. Read it with readForm(..., { draft: true }) and render the form again with the
 * returned `values` and `errors` and `add={body._add}`, storing nothing (or saving the draft,
 * which also keeps any file chosen meanwhile). Answer it with a fresh `_idem` (do not pass the old
 * one back to <Form>), or the idempotency layer would replay this page for the real submission.
 * A repeat's buttons come before the caller's own submit button: Enter in a text box presses the
 * first submit button of a form, so the caller may put a visually hidden copy of its main button
 * at the top of the form.
 *
 * Each field's first input has the id `f-<form name>` that core's <ErrorSummary> links to.
 */

interface RenderState {
  ctx: ViewContext;
  form: FormState;
  values: FormValues;
  country: string;
  prefix: string;
  options: RenderOptions;
  /** Fields above the one being drawn, to word conditions: in an entry, siblings first. */
  labelOf: (id: string) => { field: FormField; name: string } | undefined;
}

export interface RenderOptions {
  /** A single choice with more options than this is a drop-down; always radios when absent. */
  selectAbove?: number;
  /** Say a number's bounds (or that it is whole) in its hint. */
  numberHints?: boolean;
  /** Wrap every field in a block of this class; otherwise only conditional fields are wrapped. */
  blockClass?: string;
}

function errorText(state: RenderState, name: string): string | undefined {
  const error: FieldError | undefined = state.form.errors[name];
  return error ? state.ctx.t(error.key, error.params) : undefined;
}

/** The message key of a field's error, carried machine-readably (`data-error`) next to its text. */
function errorKeyOf(state: RenderState, name: string): string | undefined {
  return state.form.errors[name]?.key;
}

function stringValue(state: RenderState, name: string): string {
  const value = state.values[name];
  return typeof value === "string" ? value : "";
}

function labelText(state: RenderState, field: FormField): string {
  return field.required ? field.label : state.ctx.t("form.optional", { label: field.label });
}

/** The value a condition waits for, in words: an option's label rather than its code. */
function conditionValue(state: RenderState, target: FormField, equals: string): string {
  if (target.type === "yesno") return state.ctx.t(equals === "yes" ? "form.yes" : "form.no");
  if (target.type === "choice") return target.options.find((option) => option.value === equals)?.label ?? equals;
  return equals;
}

/** The condition in words, then the field's own hint, then what the answer should look like. */
function hintFor(state: RenderState, field: FormField, extra?: string): string | undefined {
  const parts = [field.hint, extra];
  if (field.showIf) {
    const target = state.labelOf(field.showIf.field);
    if (target) {
      parts.unshift(state.ctx.t("form.answer_only_if", { label: target.field.label, value: conditionValue(state, target.field, field.showIf.equals) }));
    }
  }
  const text = parts.filter(Boolean).join(" ");
  return text || undefined;
}

/** For a future script: which input decides whether this field applies. */
function Block(props: PropsWithChildren<{ state: RenderState; field: FormField }>): JSX.Element {
  const { field, state } = props;
  const blockClass = state.options.blockClass;
  if (!field.showIf && !blockClass) return <>{props.children}</>;
  const target = field.showIf ? (state.labelOf(field.showIf.field)?.name ?? fieldName(field.showIf.field, state.prefix)) : undefined;
  return (
    <div class={blockClass} data-show-if={target} data-show-if-value={field.showIf?.equals}>
      {props.children}
    </div>
  );
}

function numberHint(state: RenderState, field: NumberField): string | undefined {
  if (!state.options.numberHints) return undefined;
  const { t, fmt } = state.ctx;
  const { min, max } = field;
  if (min !== undefined && max !== undefined) return t("form.number.range_hint", { min: fmt.number(min), max: fmt.number(max) });
  if (min !== undefined) return t("form.number.min_hint", { min: fmt.number(min) });
  if (max !== undefined) return t("form.number.max_hint", { max: fmt.number(max) });
  return field.integer ? t("form.number.integer_hint") : undefined;
}

/** A text box rather than type=number: browsers empty a number input holding "1,5". */
function NumberInput(props: { state: RenderState; field: NumberField; name: string }): JSX.Element {
  const { state, field, name } = props;
  const id = `f-${name}`;
  const hint = hintFor(state, field, numberHint(state, field));
  const error = errorText(state, name);
  return (
    <div>
      <FieldHead id={id} label={labelText(state, field)} hint={hint} error={error} errorKey={errorKeyOf(state, name)} />
      <input
        type="text"
        id={id}
        name={name}
        value={stringValue(state, name)}
        // A numeric keypad has no minus sign.
        inputmode={field.integer && (field.min ?? 0) >= 0 ? "numeric" : "decimal"}
        autocomplete="off"
        maxlength={40}
        required={field.required}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
    </div>
  );
}

/** Radios or checkboxes in a fieldset; the first input carries the id the error summary links to. */
function ChoiceGroup(props: { state: RenderState; field: SimpleField; name: string; options: ChoiceOption[]; multiple: boolean; extraHint?: string }): JSX.Element {
  const { state, field, name } = props;
  const id = `f-${name}`;
  const hint = hintFor(state, field, props.extraHint);
  const error = errorText(state, name);
  const current = state.values[name];
  const selected = Array.isArray(current) ? current : current ? [current] : [];
  return (
    <fieldset aria-describedby={describedBy(id, hint, error)}>
      <legend safe>{labelText(state, field)}</legend>
      <HintAndError id={id} hint={hint} error={error} errorKey={errorKeyOf(state, name)} />
      <ChoiceInputs id={id} name={name} options={props.options} selected={selected} multiple={props.multiple} invalid={Boolean(error)} />
    </fieldset>
  );
}

function ChoiceInput(props: { state: RenderState; field: Extract<SimpleField, { type: "choice" }>; name: string }): JSX.Element {
  const { state, field, name } = props;
  const { t } = state.ctx;
  if (field.multiple) {
    const limit = field.maxChoices !== undefined && field.maxChoices < field.options.length ? field.maxChoices : undefined;
    const extra = limit === undefined ? undefined : t("form.choice.max_hint", { count: limit });
    return <ChoiceGroup state={state} field={field} name={name} options={field.options} multiple extraHint={extra} />;
  }
  // A long list of radios is harder to scan than a drop-down on a small screen.
  const selectAbove = state.options.selectAbove;
  if (selectAbove === undefined || field.options.length <= selectAbove) {
    return <ChoiceGroup state={state} field={field} name={name} options={field.options} multiple={false} />;
  }
  return (
    <SelectField
      ctx={state.ctx}
      form={state.form}
      name={name}
      label={labelText(state, field)}
      hint={hintFor(state, field)}
      options={[{ value: "", label: t("form.choice.choose") }, ...field.options]}
    />
  );
}

/** Each point of a scale as an option; the two ends carry their words when the form gives them. */
export function scaleOptions(ctx: ViewContext, field: Pick<ScaleField, "min" | "max" | "minLabel" | "maxLabel">): ChoiceOption[] {
  return Array.from({ length: Math.max(0, field.max - field.min + 1) }, (_, index) => {
    const value = field.min + index;
    const words = value === field.min ? field.minLabel : value === field.max ? field.maxLabel : undefined;
    const number = ctx.fmt.number(value);
    return { value: String(value), label: words ? ctx.t("form.scale.end", { value: number, label: words }) : number };
  });
}

function AddressInput(props: { state: RenderState; field: SimpleField; name: string }): JSX.Element {
  const { state, field, name } = props;
  const { t } = state.ctx;
  const id = `f-${name}`;
  const hint = hintFor(state, field);
  return (
    <fieldset id={id} aria-describedby={describedBy(id, hint, undefined)}>
      <legend safe>{labelText(state, field)}</legend>
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
        label={t("form.optional", { label: t("form.address.line") })}
        autocomplete="address-line1"
        maxlength={200}
      />
      <Field ctx={state.ctx} form={state.form} name={`${name}.quarter`} label={t("form.address.quarter")} required={field.required} maxlength={200} />
      <Field
        ctx={state.ctx}
        form={state.form}
        name={`${name}.town`}
        label={t("form.address.town")}
        autocomplete="address-level2"
        required={field.required}
        maxlength={200}
      />
    </fieldset>
  );
}

function FileInput(props: { state: RenderState; field: FileField; name: string }): JSX.Element {
  const { state, field, name } = props;
  const { t, fmt } = state.ctx;
  const types = fileKindsLabel(field.accept);
  // Megabytes with one decimal, in the reader's number format.
  const size = fmt.number(Math.max(0.1, Math.floor(field.maxBytes / 100_000) / 10));
  const hint = hintFor(state, field, t("form.file.hint", { types, size }));
  const keep = state.values[`${name}.keep`];
  const kept = typeof keep === "string" && keep ? keep : undefined;
  const filename = state.values[`${name}.filename`];
  const keepId = `f-${name}.keep`;
  return (
    <div>
      <FileInputField ctx={state.ctx} form={state.form} name={name} label={labelText(state, field)} hint={hint} accept={field.accept.map((kind) => FILE_KINDS[kind]).join(",")} />
      {kept ? (
        <label for={keepId}>
          <input type="checkbox" id={keepId} name={`${name}.keep`} value={kept} checked />{" "}
          <span safe>{t("form.file.keep", { name: typeof filename === "string" ? filename : "" })}</span>
        </label>
      ) : (
        ""
      )}
    </div>
  );
}

function SimpleInput(props: { state: RenderState; field: SimpleField; name: string }): JSX.Element {
  const { state, field, name } = props;
  const { t } = state.ctx;
  const common = { ctx: state.ctx, form: state.form, name, label: labelText(state, field), required: field.required };
  switch (field.type) {
    case "text":
      return <Field {...common} hint={hintFor(state, field)} multiline={field.multiline} rows={field.multiline ? 5 : undefined} maxlength={field.maxLength} />;
    case "number":
      return <NumberInput state={state} field={field} name={name} />;
    case "date":
      // Where a browser has no date picker, people type the date as they write it.
      return <Field {...common} type="date" hint={hintFor(state, field, t("form.date.hint"))} />;
    case "choice":
      return <ChoiceInput state={state} field={field} name={name} />;
    case "scale":
      return <ChoiceGroup state={state} field={field} name={name} options={scaleOptions(state.ctx, field)} multiple={false} />;
    case "yesno":
      return (
        <ChoiceGroup
          state={state}
          field={field}
          name={name}
          multiple={false}
          options={[
            { value: "yes", label: t("form.yes") },
            { value: "no", label: t("form.no") },
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
      const extra = code ? t("form.phone.hint", { code }) : undefined;
      return <Field {...common} type="tel" autocomplete="tel" hint={hintFor(state, field, extra)} />;
    }
    case "national_id": {
      const format = nationalIdFormat(field.country ?? state.country);
      return <Field {...common} autocomplete="off" maxlength={60} hint={hintFor(state, field, t("form.national_id.hint", { example: format.example }))} />;
    }
    case "address":
      return <AddressInput state={state} field={field} name={name} />;
    case "file":
      return <FileInput state={state} field={field} name={name} />;
  }
}

/** Entries on screen: those sent (blank ones too), one empty to fill, one more when asked, within bounds. */
function entryCount(field: RepeatField, prefix: string, values: FormValues, add: string | undefined): number {
  const start = `${fieldName(field.id, prefix)}.`;
  const rows = new Map<number, boolean>();
  for (const [key, value] of Object.entries(values)) {
    if (!key.startsWith(start)) continue;
    const match = /^(\d{1,3})\./.exec(key.slice(start.length));
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

function RepeatBlock(props: { state: RenderState; field: RepeatField; add: string | undefined }): JSX.Element {
  const { state, field } = props;
  const { t } = state.ctx;
  const name = fieldName(field.id, state.prefix);
  const id = `f-${name}`;
  const hint = hintFor(state, field, t("form.repeat.hint", { max: field.max }));
  const error = errorText(state, name);
  const count = entryCount(field, state.prefix, state.values, props.add);
  const outer = state.labelOf;
  return (
    <fieldset id={id} aria-describedby={describedBy(id, hint, error)}>
      <legend safe>{labelText(state, field)}</legend>
      <HintAndError id={id} hint={hint} error={error} errorKey={errorKeyOf(state, name)} />
      {Array.from({ length: count }, (_, index) => {
        // Inside an entry, a condition names a sibling of the same entry before any outer field.
        const entryState: RenderState = {
          ...state,
          labelOf: (target) => {
            const sibling = field.fields.find((sub) => sub.id === target);
            return sibling ? { field: sibling, name: entryFieldName(field.id, index, sibling.id, state.prefix) } : outer(target);
          },
        };
        return (
          <fieldset>
            <legend safe>{t("form.repeat.entry", { label: field.label, n: index + 1 })}</legend>
            {field.fields.map((sub) => (
              <Block state={entryState} field={sub}>
                <SimpleInput state={entryState} field={sub} name={entryFieldName(field.id, index, sub.id, state.prefix)} />
              </Block>
            ))}
          </fieldset>
        );
      })}
      {count < field.max ? (
        <button type="submit" name="_add" value={field.id} class="secondary" formnovalidate safe>
          {t("form.repeat.add", { label: field.label })}
        </button>
      ) : (
        ""
      )}
    </fieldset>
  );
}

export interface FormFieldsProps extends RenderOptions {
  ctx: ViewContext;
  def: FormDefinition;
  /** Saved answers (a draft reopened); ignored when `values` is given. */
  answers?: Record<string, unknown>;
  /** What readForm returned as `values`: the submission as typed, to correct it. */
  values?: FormValues;
  errors?: Record<string, FieldError>;
  /** The `_add` value of the request: that repeated block gets one more empty entry. */
  add?: string;
  /** Country for phone numbers and national ids a field does not pin; the municipality's by default. */
  country?: string;
  /** Form names' prefix, as given to readForm. */
  prefix?: string;
  /** Each section as a fieldset with its title (true by default); false draws the fields alone. */
  sectionFieldsets?: boolean;
}

/** Every field in order, section by section. Put it inside a core <Form>. */
export function FormFields(props: FormFieldsProps): JSX.Element {
  const prefix = props.prefix ?? DEFAULT_PREFIX;
  const values = props.values ?? (props.answers ? answersToValues(props.def, props.answers, prefix) : {});
  const strings = Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  const fields = new Map<string, FormField>();
  const state: RenderState = {
    ctx: props.ctx,
    form: { values: strings, errors: props.errors ?? {} },
    values,
    country: props.country ?? props.ctx.municipality?.country_code ?? "",
    prefix,
    options: { selectAbove: props.selectAbove, numberHints: props.numberHints, blockClass: props.blockClass },
    labelOf: (id) => {
      const field = fields.get(id);
      return field ? { field, name: fieldName(field.id, prefix) } : undefined;
    },
  };
  const drawFields = (list: FormField[]) =>
    list.map((field) => {
      const html = (
        <Block state={state} field={field}>
          {field.type === "repeat" ? <RepeatBlock state={state} field={field} add={props.add} /> : <SimpleInput state={state} field={field} name={fieldName(field.id, prefix)} />}
        </Block>
      );
      // Registered after rendering: a condition may only name a field above it.
      if (!fields.has(field.id)) fields.set(field.id, field);
      return html;
    });
  if (props.sectionFieldsets === false) return <>{props.def.sections.map((section) => drawFields(section.fields))}</>;
  return (
    <>
      {props.def.sections.map((section) => (
        <fieldset id={`s-${section.id}`}>
          <legend safe>{section.title}</legend>
          {section.description ? <Paragraphs text={section.description} /> : ""}
          {drawFields(section.fields)}
        </fieldset>
      ))}
    </>
  );
}
