import type { Actor } from "../auth/roles.js";
import type { FieldError } from "../http/errors.js";
import type { Formatters, Locale, Translate } from "../i18n/index.js";
import type { Municipality, Network } from "../tenancy/index.js";

export interface Flash {
  kind: "success" | "error";
  key: string;
  /** The code of the rule that refused, when an error flash reports a refusal. */
  reason?: string;
}

/** Everything a page needs to know about the request it answers. */
export interface ViewContext {
  t: Translate;
  locale: Locale;
  fmt: Formatters;
  actor: Actor | null;
  municipality: Municipality | null;
  network: Network | null;
  /** This browser's CSRF token; reading it (a form does) issues the cookie when there is none. */
  readonly csrfToken: string;
  /** The site's address, for the absolute URLs crawlers and link previews need (canonical, og:url). */
  publicUrl: string;
  path: string;
  flash: Flash | null;
  /** Navigation entries offered by the modules for the current municipality. */
  nav: { href: string; labelKey: string }[];
  /** Back-office entries of the modules that the signed-in person may use here. */
  adminNav: { href: string; labelKey: string }[];
  /** Whether the signed-in person may open the municipality's back office. */
  canAdminister: boolean;
  /** Whether the signed-in person administers the whole network. */
  canAdministerNetwork: boolean;
  /** Largest upload accepted, to tell people before they try. */
  uploadLimitBytes: number;
}

export interface FormState {
  values: Record<string, string>;
  errors: Record<string, FieldError>;
}

export const emptyForm = (values: Record<string, string> = {}): FormState => ({ values, errors: {} });
