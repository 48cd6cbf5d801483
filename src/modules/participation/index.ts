import type { AppModule } from "../../core/http/server.js";
import { participationPolicy } from "./policy.js";
import { participationRoutes } from "./routes.js";

export { announceOpenedPhases, addPhase, createProcess, setProcessStatus, verifyInPerson } from "./service.js";
export { createProposal } from "./proposals/service.js";

/** Citizen participation: processes and their phases, proposals, supports, comments, moderation. */
export const participationModule: AppModule = {
  name: "participation",
  plugin: participationRoutes,
  nav: [
    { href: (m) => `/${m.slug}/participation`, labelKey: "participation.nav" },
    { href: (m) => `/${m.slug}/meetings`, labelKey: "participation.meetings.title" },
  ],
  adminNav: [
    { href: (m) => `/${m.slug}/admin/participation`, labelKey: "participation.admin.title", allowed: participationPolicy.manageProcesses },
    { href: (m) => `/${m.slug}/admin/meetings`, labelKey: "participation.meetings.admin.title", allowed: participationPolicy.manageProcesses },
    { href: (m) => `/${m.slug}/admin/moderation`, labelKey: "participation.moderation.title", allowed: participationPolicy.moderate },
    { href: (m) => `/${m.slug}/admin/residents`, labelKey: "participation.residents.title", allowed: participationPolicy.actAtTheCounter },
  ],
};
