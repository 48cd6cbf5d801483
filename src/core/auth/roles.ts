import { AppError } from "../http/errors.js";

export const MUNICIPAL_ROLES = ["citizen", "agent", "editor", "administrator"] as const;
export type MunicipalRole = (typeof MUNICIPAL_ROLES)[number];
export const NETWORK_ROLES = ["coordinator", "volunteer", "superadmin"] as const;
export type NetworkRole = (typeof NETWORK_ROLES)[number];

/** Message keys naming each role, listed literally so the catalogue test sees them used. */
export const ROLE_LABEL_KEYS: Record<MunicipalRole | NetworkRole, string> = {
  citizen: "role.citizen",
  agent: "role.agent",
  editor: "role.editor",
  administrator: "role.administrator",
  coordinator: "role.coordinator",
  volunteer: "role.volunteer",
  superadmin: "role.superadmin",
};

/** The person behind a request, with every role they hold. */
export interface Actor {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  locale: string | null;
  municipalRoles: { municipalityId: string; role: MunicipalRole }[];
  networkRoles: NetworkRole[];
}

export function hasNetworkRole(actor: Actor | null, ...roles: NetworkRole[]): boolean {
  return !!actor && actor.networkRoles.some((role) => roles.includes(role));
}

/**
 * The one tenant check every policy goes through: a municipal role counts only in the
 * municipality it was granted in. A superadmin acts everywhere.
 */
export function hasMunicipalRole(actor: Actor | null, municipalityId: string, ...roles: MunicipalRole[]): boolean {
  if (!actor) return false;
  if (actor.networkRoles.includes("superadmin")) return true;
  return actor.municipalRoles.some((grant) => grant.municipalityId === municipalityId && roles.includes(grant.role));
}

export function requireSignedIn(actor: Actor | null): Actor {
  if (!actor) throw new AppError("UNAUTHENTICATED");
  return actor;
}

/** Throws the refusal a person should see: sign in first, or not allowed. */
export function requireAllowed(actor: Actor | null, allowed: boolean): void {
  if (!actor) throw new AppError("UNAUTHENTICATED");
  if (!allowed) throw new AppError("FORBIDDEN");
}
