import { Html } from "@kitajs/html";
import type { PropsWithChildren } from "@kitajs/html";
import { randomUUID } from "node:crypto";
import type { FieldError } from "../http/errors.js";
import type { Translate } from "../i18n/index.js";
import type { FormState, ViewContext } from "./context.js";

function errorText(t: Translate, error: FieldError | undefined): string | undefined {
  return error ? t(error.key, error.params) : undefined;
}

/**
 * A form that posts and works without script. It carries the CSRF token and an idempotency key:
 * the key survives a re-render with errors, so a double submit or an offline retry applies once.
 */
export function Form(
  props: PropsWithChildren<{ ctx: ViewContext; action: string; form?: FormState; class?: string; label?: string; multipart?: boolean }>,
): JSX.Element {
  const idem = props.form?.values._idem || randomUUID();
  return (
    <form
      method="post"
      action={props.action}
      class={props.class ?? "stack"}
      aria-label={props.label}
      enctype={props.multipart ? "multipart/form-data" : undefined}
      novalidate
    >
      <input type="hidden" name="_csrf" value={props.ctx.csrfToken} />
      <input type="hidden" name="_idem" value={idem} />
      {props.children}
    </form>
  );
}

/** A one-button form for actions such as publish or sign out. */
export function ActionButton(props: { ctx: ViewContext; action: string; label: string; secondary?: boolean; fields?: Record<string, string> }): JSX.Element {
  return (
    <form method="post" action={props.action} class="inline">
      <input type="hidden" name="_csrf" value={props.ctx.csrfToken} />
      <input type="hidden" name="_idem" value={randomUUID()} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={props.secondary ? "secondary" : undefined} safe>
        {props.label}
      </button>
    </form>
  );
}

/**
 * Lists every error at the top of a form, each linking to its field, as screen readers expect.
 * Each item carries its message key (and the refusing rule's code) so that scripts and tests read
 * what went wrong without depending on the wording.
 */
export function ErrorSummary(props: { ctx: ViewContext; form: FormState | undefined }): JSX.Element {
  const entries = Object.entries(props.form?.errors ?? {});
  if (entries.length === 0) return "";
  const { t } = props.ctx;
  return (
    <div class="errors" role="alert" tabindex="-1" id="error-summary">
      <p>
        <strong safe>{t("form.error_summary", { count: entries.length })}</strong>
      </p>
      <ul>
        {entries.map(([name, error]) => (
          <li data-error={error.key} data-reason={error.reason}>
            <a href={`#f-${name}`} safe>
              {errorText(t, error)}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A field's label with its hint, then its error: ids match what the input's aria-describedby names. */
export function FieldHead(props: { id: string; label: string; hint?: string | undefined; error?: string | undefined; errorKey?: string | undefined }): JSX.Element {
  return (
    <>
      <label for={props.id}>
        {Html.escapeHtml(props.label)}
        {props.hint ? (
          <span class="hint" id={`${props.id}-hint`} safe>
            {props.hint}
          </span>
        ) : (
          ""
        )}
      </label>
      {props.error ? (
        <span class="field-error" id={`${props.id}-error`} data-error={props.errorKey} safe>
          {props.error}
        </span>
      ) : (
        ""
      )}
    </>
  );
}

export function describedBy(id: string, hint: string | undefined, error: string | undefined): string | undefined {
  return [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
}

/** A fieldset's hint, then its error, under its legend; ids as `describedBy` names them. */
export function HintAndError(props: { id: string; hint: string | undefined; error: string | undefined; errorKey?: string | undefined }): JSX.Element {
  return (
    <>
      {props.hint ? (
        <span class="hint" id={`${props.id}-hint`} safe>
          {props.hint}
        </span>
      ) : (
        ""
      )}
      {props.error ? (
        <span class="field-error" id={`${props.id}-error`} data-error={props.errorKey} safe>
          {props.error}
        </span>
      ) : (
        ""
      )}
    </>
  );
}

/** Radios or checkboxes, one label each; the first input carries `id`, which the error summary links to. */
export function ChoiceInputs(props: { id: string; name: string; options: { value: string; label: string }[]; selected: string[]; multiple: boolean; invalid: boolean }): JSX.Element {
  return (
    <>
      {props.options.map((option, index) => {
        const optionId = index === 0 ? props.id : `${props.id}-${index}`;
        return (
          <label for={optionId}>
            <input
              type={props.multiple ? "checkbox" : "radio"}
              id={optionId}
              name={props.name}
              value={option.value}
              checked={props.selected.includes(option.value)}
              aria-invalid={props.invalid ? "true" : undefined}
            />{" "}
            <span safe>{option.label}</span>
          </label>
        );
      })}
    </>
  );
}

interface FieldProps {
  ctx: ViewContext;
  form: FormState | undefined;
  name: string;
  label: string;
  hint?: string;
  type?: "text" | "email" | "tel" | "password" | "number" | "date" | "url" | "color";
  required?: boolean;
  autocomplete?: string;
  multiline?: boolean;
  rows?: number;
  maxlength?: number;
}

export function Field(props: FieldProps): JSX.Element {
  const id = `f-${props.name}`;
  const error = errorText(props.ctx.t, props.form?.errors[props.name]);
  const value = props.type === "password" ? "" : (props.form?.values[props.name] ?? "");
  const common = {
    id,
    name: props.name,
    required: props.required,
    "aria-invalid": error ? "true" : undefined,
    "aria-describedby": describedBy(id, props.hint, error),
    maxlength: props.maxlength,
  };
  return (
    <div>
      <FieldHead id={id} label={props.label} hint={props.hint} error={error} errorKey={props.form?.errors[props.name]?.key} />
      {props.multiline ? (
        <textarea {...common} rows={String(props.rows ?? 8)} safe>
          {value}
        </textarea>
      ) : (
        <input {...common} type={props.type ?? "text"} value={value} autocomplete={props.autocomplete} />
      )}
    </div>
  );
}

export function SelectField(props: {
  ctx: ViewContext;
  form: FormState | undefined;
  name: string;
  label: string;
  options: { value: string; label: string }[];
  hint?: string;
}): JSX.Element {
  const id = `f-${props.name}`;
  const error = errorText(props.ctx.t, props.form?.errors[props.name]);
  const current = props.form?.values[props.name] ?? "";
  return (
    <div>
      <FieldHead id={id} label={props.label} hint={props.hint} error={error} errorKey={props.form?.errors[props.name]?.key} />
      <select id={id} name={props.name} aria-invalid={error ? "true" : undefined} aria-describedby={describedBy(id, props.hint, error)}>
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === current} safe>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Breadcrumbs(props: { ctx: ViewContext; items: { href?: string; label: string }[] }): JSX.Element {
  return (
    <nav class="crumbs" aria-label={props.ctx.t("nav.breadcrumbs")}>
      <ol>
        {props.items.map((item, index) =>
          item.href && index < props.items.length - 1 ? (
            <li>
              <a href={item.href} safe>
                {item.label}
              </a>
            </li>
          ) : (
            <li aria-current="page" safe>
              {item.label}
            </li>
          ),
        )}
      </ol>
    </nav>
  );
}

/** Previous/next links; `href` builds each page's address, keeping the other query parameters. */
export function Pagination(props: { ctx: ViewContext; page: number; hasNext: boolean; href: (page: number) => string }): JSX.Element {
  const { t } = props.ctx;
  if (props.page <= 1 && !props.hasNext) return "";
  return (
    <nav class="pager" aria-label={t("nav.pagination")}>
      {props.page > 1 ? (
        <a href={props.href(props.page - 1)} rel="prev" safe>
          {t("nav.previous")}
        </a>
      ) : (
        ""
      )}
      <span safe>{t("nav.page", { page: props.page })}</span>
      {props.hasNext ? (
        <a href={props.href(props.page + 1)} rel="next" safe>
          {t("nav.next")}
        </a>
      ) : (
        ""
      )}
    </nav>
  );
}

/**
 * The box every table sits in: a table wider than a phone's screen scrolls inside it instead of
 * making the whole page scroll sideways. It is a named region that takes focus, so that someone
 * on a keyboard can scroll it too (axe's scrollable-region-focusable).
 */
export function TableScroll(props: PropsWithChildren<{ label: string }>): JSX.Element {
  return (
    <div class="scroll" role="region" aria-label={props.label} tabindex="0">
      {props.children}
    </div>
  );
}

export function Table(props: { caption: string; headers: string[]; rows: JSX.Element[][] }): JSX.Element {
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
          {props.rows.map((cells) => (
            <tr>
              {cells.map((cell) => (
                <td>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

/** Plain text typed by an editor, shown as paragraphs; every character escaped. */
export function Paragraphs(props: { text: string }): JSX.Element {
  return (
    <>
      {props.text
        .split(/\n{2,}/)
        .filter((paragraph) => paragraph.trim() !== "")
        .map((paragraph) => (
          <p safe>{paragraph}</p>
        ))}
    </>
  );
}

/** A file input; what was chosen cannot be kept across a re-render, so the hint says so. */
export function FileField(props: { ctx: ViewContext; form: FormState | undefined; name: string; label: string; hint?: string; accept: string }): JSX.Element {
  const id = `f-${props.name}`;
  const error = errorText(props.ctx.t, props.form?.errors[props.name]);
  return (
    <div>
      <FieldHead id={id} label={props.label} hint={props.hint} error={error} errorKey={props.form?.errors[props.name]?.key} />
      <input type="file" id={id} name={props.name} accept={props.accept} aria-invalid={error ? "true" : undefined} aria-describedby={describedBy(id, props.hint, error)} />
    </div>
  );
}
