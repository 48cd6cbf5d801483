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
  /**
   * Whether the account's phone number (or e-mail address) is proven to be the person's, by a
   * code sent there or by an agent at the counter. Until then the account acts in no one's name.
   */
  confirmed: boolean;
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

/**
 * The person behind the request, who may act in their own name: signed in, with a confirmed
 * number (or address). Every action of a resident — filing, supporting, commenting, voting,
 * answering, registering, requesting, reading what is held about them — goes through here, so an
 * account opened on someone else's number does nothing until the number is proven.
 */
export function requireSignedIn(actor: Actor | null): Actor {
  if (!actor) throw new AppError("UNAUTHENTICATED");
  if (!actor.confirmed) throw new AppError("UNCONFIRMED");
  return actor;
}

/** Signed in, confirmed or not: only for the account's own pages (confirming it, its settings). */
export function requireAccount(actor: Actor | null): Actor {
  if (!actor) throw new AppError("UNAUTHENTICATED");
  return actor;
}

/** Throws the refusal a person should see: sign in first, not allowed, or confirm the number first. */
export function requireAllowed(actor: Actor | null, allowed: boolean): void {
  if (!actor) throw new AppError("UNAUTHENTICATED");
  if (!allowed) throw new AppError("FORBIDDEN");
  if (!actor.confirmed) throw new AppError("UNCONFIRMED");
}
