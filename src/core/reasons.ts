import { defineReasons, type ReasonCatalogue } from "./http/errors.js";

/** The rule refusals of core itself (accounts, the HTTP edge); each module declares its own. */
export const CORE_REASONS = defineReasons({
  IDEMPOTENCY_BODY_MISMATCH: {
    key: "error.idempotency_body_mismatch",
    remedy: "The idempotency key was used for a request with other content (422): send the new request with a new key.",
  },
  BAD_CREDENTIALS: {
    key: "auth.error.bad_credentials",
    remedy: "Sign-in refused without saying whether the account exists: check the identifier and password, or reset the password.",
  },
  BAD_CODE: {
    key: "auth.error.bad_code",
    remedy: "The reset code is wrong, used or expired (five wrong tries kill it): ask for a new code.",
  },
  BAD_CONFIRMATION: {
    key: "auth.error.bad_confirmation",
    remedy: "The confirmation code or the account's password is wrong, or the code expired: check both, or ask for a new code.",
  },
  BAD_CURRENT_PASSWORD: {
    key: "auth.error.bad_current_password",
    remedy: "The current password given to change it is wrong: type it again, or reset the password with a code if it is forgotten.",
  },
  PASSWORD_MISMATCH: {
    key: "auth.error.password_mismatch",
    remedy: "The new password and its confirmation differ: type the same new password twice.",
  },
});

/** Every declared catalogue: core's, then each module's from its manifest, in the modules' order. */
export function reasonCatalogues(modules: readonly { name: string; reasons?: ReasonCatalogue }[]): { owner: string; reasons: ReasonCatalogue }[] {
  return [{ owner: "core", reasons: CORE_REASONS }, ...modules.flatMap((module) => (module.reasons ? [{ owner: module.name, reasons: module.reasons }] : []))];
}
