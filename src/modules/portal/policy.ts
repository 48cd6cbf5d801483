import { hasMunicipalRole, hasNetworkRole, type Actor } from "../../core/auth/roles.js";
import type { Municipality } from "../../core/tenancy/index.js";

/** Who may do what in the portal: one function per action, each with the tenant check. */
export const portalPolicy = {
  /** Open the back office: any staff role of this municipality. */
  viewBackOffice: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "agent", "editor", "administrator"),
  /** Write, edit, publish and withdraw news and static pages, and preview drafts. */
  manageContent: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "editor", "administrator"),
  /** Grant and revoke staff roles. */
  manageMembers: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "administrator"),
  /** Choose the municipality's identity colour. */
  manageIdentity: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "administrator"),
  /** Keep the list of elected officials up to date. */
  manageOfficials: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "administrator"),

  /** Add a municipality to the network: the network's superadmins only. */
  manageMunicipalities: (actor: Actor | null) => hasNetworkRole(actor, "superadmin"),
};
