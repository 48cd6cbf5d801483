import type { Actor } from "../../../core/auth/roles.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { participationPolicy } from "../policy.js";

/**
 * Who may do what with public meetings. Announcing and running them is the process managers'
 * work; counting who came is done at the door, by the agents who serve the counter too.
 */
export const meetingPolicy = {
  /** Announce, change, publish or cancel a meeting, publish its minutes. */
  manage: (actor: Actor | null, municipality: Municipality) => participationPolicy.manageProcesses(actor, municipality),
  /** See a meeting still in draft. */
  seeDrafts: (actor: Actor | null, municipality: Municipality) => participationPolicy.manageProcesses(actor, municipality),
  /** Record the headcount and tick the registered people present. */
  recordAttendance: (actor: Actor | null, municipality: Municipality) => participationPolicy.actAtTheCounter(actor, municipality),
};
