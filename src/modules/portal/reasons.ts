import { defineReasons } from "../../core/http/errors.js";

/** Why the portal refuses a change; the codes are stable (docs/errors.md). */
export const PORTAL_REASONS = defineReasons({
  PAGE_SLUG_TAKEN: {
    key: "portal.error.slug_taken",
    remedy: "Another page of the municipality has this address: choose another slug.",
  },
  MUNICIPALITY_SLUG_TAKEN: {
    key: "portal.error.municipality_slug_taken",
    remedy: "Another municipality (or a reserved path) has this address: choose another slug.",
  },
  MUNICIPALITY_REFERENCE_CODE_TAKEN: {
    key: "portal.error.reference_code_taken",
    remedy: "Another municipality's dossier references start with this code: choose another.",
  },
  NO_SUCH_ACCOUNT: {
    key: "portal.error.no_such_account",
    remedy: "Nobody has an account with this number or address: the person signs up first, then the role is granted.",
  },
  OWN_ADMINISTRATOR_ROLE: {
    key: "portal.staff.error.own_administrator_role",
    remedy: "Administrators cannot revoke their own administrator role (the municipality would be left without one): another administrator does it.",
  },
});
