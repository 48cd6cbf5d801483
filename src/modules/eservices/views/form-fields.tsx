import type { FieldError } from "../../../core/http/errors.js";
import { FormFields } from "../../../core/forms/render.js";
import type { ViewContext } from "../../../core/views/context.js";
import type { Answers, FormDefinition, FormValues } from "../form-definition.js";

/*
 * A procedure's form, drawn by the core form engine (see core/forms/render.tsx for how a
 * repeated block's "add an entry" button is handled by the caller).
 */

// A long list of radios is harder to scan than a drop-down on a small screen.
const MAX_RADIOS = 8;

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
  return <FormFields {...props} prefix="f." selectAbove={MAX_RADIOS} />;
}
