import { hasMunicipalRole, type Actor } from "../../core/auth/roles.js";
import type { Municipality } from "../../core/tenancy/index.js";
import type { ActorKind } from "./service.js";
import type { DossierRow, ProcedureRow } from "./store.js";

/** Who may do what with procedures and dossiers: one function per action, each with the tenant check. */
export const eservicesPolicy = {
  /** Define procedures, their forms and certificates; rotate keys; revoke certificates. */
  manageProcedures: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "administrator"),
  /** Instruct a procedure's dossiers: the roles the procedure names, and administrators. */
  instruct: (actor: Actor | null, municipality: Municipality, procedure: Pick<ProcedureRow, "instructor_roles">) =>
    hasMunicipalRole(actor, municipality.id, "administrator") ||
    procedure.instructor_roles.some((role) => (role === "agent" || role === "administrator") && hasMunicipalRole(actor, municipality.id, role)),
  /**
   * Hand a dossier to a colleague: whoever instructs the procedure (its agents, and the
   * municipality's administrators, who manage e-services); the colleague must be an agent.
   */
  reassign: (actor: Actor | null, municipality: Municipality, procedure: Pick<ProcedureRow, "instructor_roles">) =>
    eservicesPolicy.instruct(actor, municipality, procedure) || eservicesPolicy.manageProcedures(actor, municipality),
  /** Open the instruction back office at all (some procedure may be theirs). */
  seeQueue: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "agent", "administrator"),
  /** File a dossier at the counter for a person who came in. */
  fileAtCounter: (actor: Actor | null, municipality: Municipality) => hasMunicipalRole(actor, municipality.id, "agent", "administrator"),
  /** The applicant's own dossier: only theirs, and only in the municipality it was filed in. */
  ownDossier: (actor: Actor | null, dossier: Pick<DossierRow, "applicant_id">) => !!actor && dossier.applicant_id === actor.id,
  /** What the actor is for a dossier, for the table of transitions. */
  roles(actor: Actor | null, municipality: Municipality, procedure: Pick<ProcedureRow, "instructor_roles">, dossier: Pick<DossierRow, "applicant_id" | "filed_by">): ActorKind[] {
    const kinds: ActorKind[] = [];
    if (actor && (dossier.applicant_id === actor.id || dossier.filed_by === actor.id)) kinds.push("applicant");
    if (this.instruct(actor, municipality, procedure)) kinds.push("instructor");
    if (hasMunicipalRole(actor, municipality.id, "administrator")) kinds.push("administrator");
    return kinds;
  },
};
