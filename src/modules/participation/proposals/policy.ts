import type { Actor } from "../../../core/auth/roles.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { participationPolicy } from "../policy.js";

/**
 * Who may do what with proposals and their comments. Proposing and supporting need a verified
 * resident and an open phase, and withdrawing needs the author: those depend on the proposal and
 * the day, so the service checks them. What depends only on the person's role is here.
 */
export const proposalPolicy = {
  /** Give the municipality's official answer to a proposal. */
  answer: (actor: Actor | null, municipality: Municipality) => participationPolicy.answerProposals(actor, municipality),
  /** Hide a flagged proposal or comment with a reason, or dismiss its flags. */
  moderate: (actor: Actor | null, municipality: Municipality) => participationPolicy.moderate(actor, municipality),
  /** Still open a hidden proposal, to review the decision to hide it. */
  seeHidden: (actor: Actor | null, municipality: Municipality) => participationPolicy.moderate(actor, municipality),
};
