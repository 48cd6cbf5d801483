import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answerRefusal, ANSWER_STATUSES, PROPOSAL_TRANSITIONS } from "./service.js";
import type { ProposalStatus } from "./store.js";

const STATUSES: ProposalStatus[] = ["published", "evaluating", "accepted", "rejected", "withdrawn"];

/** Written out by hand: the service's table must say exactly this. */
const ALLOWED_ANSWERS = new Set([
  "published → evaluating",
  "published → accepted",
  "published → rejected",
  "published → withdrawn",
  "evaluating → evaluating",
  "evaluating → accepted",
  "evaluating → rejected",
  "evaluating → withdrawn",
  "accepted → accepted",
  "accepted → evaluating",
  "rejected → rejected",
  "rejected → evaluating",
]);

describe("participation: a proposal's transitions", () => {
  it("allows exactly the listed answers, for every status × answer", () => {
    for (const from of STATUSES) {
      for (const to of ANSWER_STATUSES) {
        const refusal = answerRefusal(from, to);
        assert.equal(refusal === null, ALLOWED_ANSWERS.has(`${from} → ${to}`), `${from} → ${to}: ${refusal?.code}`);
        if (refusal) assert.equal(refusal.code, from === "withdrawn" ? "PROPOSAL_WITHDRAWN_BY_AUTHOR" : "PROPOSAL_ANSWER_NOT_ALLOWED");
      }
    }
  });

  it("lets the author withdraw only what the municipality has not decided", () => {
    assert.deepEqual(
      STATUSES.filter((status) => PROPOSAL_TRANSITIONS[status].authorMayWithdraw),
      ["published", "evaluating"],
    );
  });
});
