import type { Actor } from "../../../core/auth/roles.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { participationPolicy } from "../policy.js";

/**
 * Who may do what with participatory budgets. Budgets are part of running a process, so their
 * editors are the process managers; who may vote is a rule of the ballot (a verified resident,
 * while voting is open), checked by the service where the database's clock is read.
 */
export const budgetPolicy = {
  /** Create a budget, list its projects, publish it and its results. */
  manage: (actor: Actor | null, municipality: Municipality) => participationPolicy.manageProcesses(actor, municipality),
  /** See a draft budget (or one of a draft process) before residents can. */
  seeDrafts: (actor: Actor | null, municipality: Municipality) => participationPolicy.manageProcesses(actor, municipality),
};
