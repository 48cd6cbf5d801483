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
  DOSSIER_NOT_DRAFT: {
    key: "eservices.dossier.error.not_draft",
    remedy: "Only a draft is deleted; a submitted dossier stays with the municipality. Reload your dossiers to see its state.",
  },
  REASSIGN_NOT_AGENT: {
    key: "eservices.reassign.error.not_agent",
    remedy: "A dossier is handed only to a colleague who is an agent of the municipality: choose one from the list.",
  },
  REASSIGN_CLOSED: {
    key: "eservices.reassign.error.closed",
    remedy: "A decided dossier is no longer handed over; an administrator reopens it first if it must be instructed again.",
  },
  MESSAGE_BEFORE_SUBMISSION: {
    key: "eservices.messages.error.draft",
    remedy: "Messages start once the dossier is submitted: the municipality does not see drafts. Submit it first.",
  },
  FOLLOW_UP_NO_MATCH: {
    key: "eservices.follow.not_found",
    remedy: "No dossier has this reference with this phone number (the two cases answer alike on purpose): check both.",
  },
});
