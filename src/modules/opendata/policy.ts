import { hasMunicipalRole, type Actor } from "../../core/auth/roles.js";
import type { Municipality } from "../../core/tenancy/index.js";

/** Who may do what with open data: one function per action, each with the tenant check. */
export const opendataPolicy = {
  /** Create, edit, publish and withdraw datasets and their resources, and see drafts. */
  manageDatasets: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "editor", "administrator"),
};
