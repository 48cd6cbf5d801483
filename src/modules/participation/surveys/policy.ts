import type { Actor } from "../../../core/auth/roles.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { participationPolicy } from "../policy.js";

/**
 * Who may do what with surveys. Building and running them is part of running a process; who may
 * answer is a rule of the response (a verified resident, once, while it is open), checked by the
 * service where the database's clock is read.
 */
export const surveyPolicy = {
  /** Create a survey, build its questions, open and close it, read every response. */
  manage: (actor: Actor | null, municipality: Municipality) => participationPolicy.manageProcesses(actor, municipality),
  /** See a draft survey (or one of a draft process) before residents can. */
  seeDrafts: (actor: Actor | null, municipality: Municipality) => participationPolicy.manageProcesses(actor, municipality),
};
