import { Type } from "@sinclair/typebox";
import { MunicipalityParams, PUBLIC_READ_ERRORS } from "../../core/http/api-schemas.js";

/** The JSON API's answers about participatory processes and their proposals (/api/v1/{slug}/processes…). */

const Phase = Type.Object({
  title: Type.String(),
  starts_on: Type.String({ format: "date" }),
  ends_on: Type.String({ format: "date" }),
  proposals_open: Type.Boolean({ description: "Residents may propose during this phase." }),
  supports_open: Type.Boolean({ description: "Residents may support proposals during this phase." }),
});

const Process = Type.Object({
  slug: Type.String(),
  title: Type.String(),
  description: Type.String(),
  scope: Type.String({ description: "Who or where it concerns." }),
  status: Type.Union([Type.Literal("upcoming"), Type.Literal("open"), Type.Literal("closed")]),
  phases: Type.Array(Phase),
  url: Type.String({ format: "uri" }),
  proposals: Type.String({ format: "uri", description: "Its proposals in this API." }),
});

export const ProcessesSchema = {
  tags: ["participation"],
  operationId: "listProcesses",
  summary: "Published participatory processes of a municipality, with their phases",
  params: MunicipalityParams,
  response: { 200: Type.Object({ municipality: Type.String(), processes: Type.Array(Process) }), ...PUBLIC_READ_ERRORS },
};

const Proposal = Type.Object({
  id: Type.String({ format: "uuid" }),
  title: Type.String(),
  body: Type.String(),
  category: Type.String(),
  location: Type.String(),
  status: Type.Union(["published", "evaluating", "accepted", "rejected", "withdrawn"].map((status) => Type.Literal(status))),
  answer: Type.Union([Type.String(), Type.Null()], { description: "The municipality's answer, once given." }),
  supports: Type.Integer({ minimum: 0 }),
  comments: Type.Integer({ minimum: 0 }),
  created_at: Type.String({ format: "date-time" }),
  url: Type.String({ format: "uri" }),
});

export const ProposalsSchema = {
  tags: ["participation"],
  operationId: "listProposals",
  summary: "Proposals of a published participatory process, with the municipality's answers",
  description: "Hidden proposals are left out; authors are not named.",
  params: Type.Object({ ...MunicipalityParams.properties, process: Type.String({ description: "The process's slug." }) }),
  response: { 200: Type.Object({ process: Type.String(), proposals: Type.Array(Proposal) }), ...PUBLIC_READ_ERRORS },
};
