import { publicTexts as publicTextsOf, sitemapEntries } from "./store.js";
import type { AppModule } from "../../core/modules.js";
import { listBudgets } from "./budgets/store.js";
import { seedParticipationDemo } from "./demo/index.js";
import { participationPolicy } from "./policy.js";
import { PARTICIPATION_REASONS } from "./reasons.js";
import { participationRoutes } from "./routes.js";
import { announceOpenedPhases } from "./service.js";
import { budgetsVotingAt, countMeetingsHeld, countPublicProposals, listProcesses, listProcessesTakenPartIn, meetingsBetween, processesOpenOn } from "./store.js";
import { localToday, zonedInstant } from "../../core/tenancy/clock.js";
import { listSurveys } from "./surveys/store.js";

export { announceOpenedPhases, addPhase, createProcess, setProcessStatus, verifyInPerson } from "./service.js";
export { createProposal } from "./proposals/service.js";

/** "Meetings this week" on a municipality's home page: the next seven days. */
const WEEK_MS = 7 * 86_400_000;

/** The parts of the module that keep their own texts, each in `messages/<part>/`. */
const MESSAGE_PARTS = ["proposals", "survey", "surveys-admin", "budgets", "meetings"];

/** Citizen participation: processes and their phases, proposals, supports, comments, moderation. */
export const participationModule: AppModule = {
  name: "participation",
  plugin: participationRoutes,
  reasons: PARTICIPATION_REASONS,
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
  messages: MESSAGE_PARTS.map((part) => new URL(`./messages/${part}/`, import.meta.url)),
  jobs: [
    {
      // Followers hear of a phase the day it opens, within ten minutes of it.
      kind: "participation.announce_phases",
      schedule: { everyMinutes: 10 },
      handler: async ({ db, notifier, publicUrl }) => void (await announceOpenedPhases(db, notifier, publicUrl)),
    },
  ],
  seed: seedParticipationDemo,
  figures: async (db, ids, now) => [
    { key: "proposals", labelKey: "participation.figures.proposals", value: await countPublicProposals(db, ids) },
    { key: "meetings_held", labelKey: "participation.figures.meetings_held", value: await countMeetingsHeld(db, ids, now) },
  ],
  openNow: async (db, m, now) => {
    const [processes, budgets, meetings] = await Promise.all([
      processesOpenOn(db, m.id, localToday(m.time_zone, now)),
      budgetsVotingAt(db, m.id, now),
      meetingsBetween(db, m.id, now, new Date(now.getTime() + WEEK_MS)),
    ]);
    return [
      ...processes.map((p) => ({
        kindKey: "participation.open_now.process",
        title: p.title,
        href: `/${m.slug}/participation/${p.slug}`,
        when: { key: "participation.open_now.until", at: zonedInstant(p.ends_on, "12:00", m.time_zone) ?? now, dateOnly: true },
      })),
      ...budgets.map((b) => ({
        kindKey: "participation.open_now.budget",
        title: b.title,
        href: `/${m.slug}/participation/${b.process_slug}/budgets/${b.id}`,
        when: { key: "participation.open_now.until", at: b.voting_closes_at },
      })),
      ...meetings.map((meeting) => ({
        kindKey: "participation.open_now.meeting",
        title: meeting.title,
        href: `/${m.slug}/meetings/${meeting.id}`,
        when: { key: "participation.open_now.on", at: meeting.starts_at },
      })),
    ];
  },
  // What the person took part in: each process, or else the participation of the municipalities they live in.
  accountLinks: async ({ db, actor, municipalities, t }) => {
    const taken = await listProcessesTakenPartIn(db, municipalities.map((m) => m.id), actor.id);
    const byId = new Map(municipalities.map((m) => [m.id, m]));
    const links = taken.flatMap((process) => {
      const m = byId.get(process.municipality_id);
      return m ? [{ href: `/${m.slug}/participation/${process.slug}`, label: t("participation.account.process", { title: process.title, name: m.name }) }] : [];
    });
    const withProcesses = new Set(taken.map((process) => process.municipality_id));
    for (const grant of actor.municipalRoles) {
      const m = byId.get(grant.municipalityId);
      if (grant.role === "citizen" && m && !withProcesses.has(m.id)) links.push({ href: `/${m.slug}/participation`, label: t("participation.account.municipality", { name: m.name }) });
    }
    return [{ id: "participation.taken_part", titleKey: "participation.account.title", links }];
  },
  audit: {
    actions: {
      "participation.process.create": "participation.audit.process_create",
      "participation.process.update": "participation.audit.process_update",
      "participation.process.published": "participation.audit.process_published",
      "participation.process.draft": "participation.audit.process_draft",
      "participation.phase.add": "participation.audit.phase_add",
      "participation.phase.remove": "participation.audit.phase_remove",
      "participation.proposal.create": "participation.audit.proposal_create",
      "participation.proposal.withdraw": "participation.audit.proposal_withdraw",
      "participation.proposal.answer": "participation.audit.proposal_answer",
      "participation.proposal.hide": "participation.audit.proposal_hide",
      "participation.comment.create": "participation.audit.comment_create",
      "participation.comment.hide": "participation.audit.comment_hide",
      "participation.flag": "participation.audit.flag",
      "participation.flag.dismiss": "participation.audit.flag_dismiss",
      "participation.resident.verify": "participation.audit.resident_verify",
      "participation.survey.create": "participation.audit.survey_create",
      "participation.survey.update": "participation.audit.survey_update",
      "participation.survey.open": "participation.audit.survey_open",
      "participation.survey.close": "participation.audit.survey_close",
      "participation.survey.response.submit": "participation.audit.survey_response",
      "participation.budget.create": "participation.audit.budget_create",
      "participation.budget.update": "participation.audit.budget_update",
      "participation.budget.project.add": "participation.audit.budget_project_add",
      "participation.budget.project.remove": "participation.audit.budget_project_remove",
      "participation.budget.publish": "participation.audit.budget_publish",
      "participation.budget.results.publish": "participation.audit.budget_results",
      "participation.meeting.create": "participation.audit.meeting_create",
      "participation.meeting.update": "participation.audit.meeting_update",
      "participation.meeting.publish": "participation.audit.meeting_publish",
      "participation.meeting.cancel": "participation.audit.meeting_cancel",
      "participation.meeting.minutes": "participation.audit.meeting_minutes",
      "participation.meeting.attendance": "participation.audit.meeting_attendance",
      "participation.meeting.register": "participation.audit.meeting_register",
      "participation.meeting.unregister": "participation.audit.meeting_unregister",
    },
    subjects: {
      process: ({ municipality, subjectId }) => (municipality ? `/${municipality.slug}/admin/participation/${subjectId}` : undefined),
      survey: ({ municipality, subjectId }) => (municipality ? `/${municipality.slug}/admin/surveys/${subjectId}` : undefined),
      budget: ({ municipality, subjectId }) => (municipality ? `/${municipality.slug}/admin/budgets/${subjectId}` : undefined),
      meeting: ({ municipality, subjectId }) => (municipality ? `/${municipality.slug}/admin/meetings/${subjectId}` : undefined),
    },
  },
  publicTexts: (db, municipalityId) => publicTextsOf(db, municipalityId),
  sitemap: (db, m) => sitemapEntries(db, m.id, m.slug),
  exports: [
    { key: "meetings_ics", titleKey: "participation.exports.meetings_calendar", format: "iCalendar", mediaType: "text/calendar", per: "municipality", path: (m) => `/${m.slug}/meetings.ics` },
    { key: "meetings_attendance", titleKey: "participation.exports.meetings_attendance", format: "CSV", mediaType: "text/csv", per: "municipality", path: (m) => `/${m.slug}/meetings/attendance.csv` },
    {
      key: "proposals",
      titleKey: "participation.exports.proposals",
      format: "CSV",
      mediaType: "text/csv",
      per: "process",
      items: async (db, m) => (await listProcesses(db, m.id, { publishedOnly: true })).map((process) => ({ title: process.title, path: `/${m.slug}/participation/${process.slug}/proposals.csv` })),
    },
    {
      key: "survey_results",
      titleKey: "participation.exports.survey_results",
      format: "CSV",
      mediaType: "text/csv",
      per: "survey",
      // Only surveys whose results the municipality made public; a draft is nobody's yet.
      items: async (db, m) => {
        const items = [];
        for (const process of await listProcesses(db, m.id, { publishedOnly: true })) {
          for (const survey of await listSurveys(db, m.id, process.id, { visibleOnly: true })) {
            if (survey.results_public) items.push({ title: survey.title, path: `/${m.slug}/participation/${process.slug}/surveys/${survey.id}/results.csv` });
          }
        }
        return items;
      },
    },
    {
      key: "budget_results",
      titleKey: "participation.exports.budget_results",
      format: "CSV",
      mediaType: "text/csv",
      per: "budget",
      // Only once the results are published: before, the count is not the municipality's word.
      items: async (db, m) => {
        const items = [];
        for (const process of await listProcesses(db, m.id, { publishedOnly: true })) {
          for (const budget of await listBudgets(db, m.id, process.id, { publishedOnly: true })) {
            if (budget.results) items.push({ title: budget.title, path: `/${m.slug}/participation/${process.slug}/budgets/${budget.id}/results.csv` });
          }
        }
        return items;
      },
    },
  ],
};
