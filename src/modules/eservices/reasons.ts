import { defineReasons } from "../../core/http/errors.js";

/** Why e-services refuse a change to a procedure or a dossier; the codes are stable (docs/errors.md). */
export const ESERVICES_REASONS = defineReasons({
  PROCEDURE_SLUG_TAKEN: {
    key: "eservices.admin.error.slug_taken",
    remedy: "Another procedure of the municipality has this address: choose another slug.",
  },
  PROCEDURE_FORM_EMPTY: {
    key: "eservices.procedure.error.empty_form",
    remedy: "A procedure opens with at least one question: add one to its form, then publish.",
  },
  PROCEDURE_NOT_OPEN: {
    key: "eservices.procedure.error.not_open",
    remedy: "The procedure is not published (or was closed): no dossier can be started; wait until it opens.",
  },
  SECTION_NOT_EMPTY: {
    key: "eservices.builder.error.section_not_empty",
    remedy: "Only an empty section is removed: delete or move its questions first.",
  },
  DOSSIER_NOT_EDITABLE: {
    key: "eservices.dossier.error.not_editable",
    remedy: "The dossier was submitted: its answers change only when an instructor asks for corrections. Reload it to see its state.",
  },
  DOSSIER_WRONG_STATE: {
    key: "eservices.dossier.error.wrong_state",
    remedy: "The action does not apply to the dossier's current state (someone may have acted first): reload it and choose among the actions offered.",
  },
  DOSSIER_MESSAGE_REQUIRED: {
    key: "eservices.dossier.error.message_required",
    remedy: "Asking for corrections, refusing or closing tells the citizen why: write the message.",
  },
  FOLLOW_UP_NO_MATCH: {
    key: "eservices.follow.not_found",
    remedy: "No dossier has this reference with this phone number (the two cases answer alike on purpose): check both.",
  },
});
