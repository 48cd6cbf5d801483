import { hasMunicipalRole, type Actor } from "../../core/auth/roles.js";
import type { Municipality } from "../../core/tenancy/index.js";

/** Who may do what in participation: one function per action, each with the tenant check. */
export const participationPolicy = {
  /** Open and run processes, their phases, surveys, budgets and meetings. */
  manageProcesses: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "editor", "administrator"),
  /** Answer proposals officially on the municipality's behalf. */
  answerProposals: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "editor", "administrator"),
  /** Hide flagged content with a reason, or dismiss the flags. */
  moderate: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "editor", "administrator"),
  /** Verify a resident who showed an identity document; record attendance at a meeting. */
  actAtTheCounter: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "agent", "editor", "administrator"),
};
