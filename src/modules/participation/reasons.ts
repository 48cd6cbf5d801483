import { defineReasons } from "../../core/http/errors.js";

/*
 * Why participation refuses a change, for every part (processes, proposals, surveys, budgets,
 * meetings): one catalogue, since a module's manifest carries one. The codes are stable
 * (docs/errors.md); the parts are grouped by their prefix.
 */
export const PARTICIPATION_REASONS = defineReasons({
  // Processes and residents
  PROCESS_SLUG_TAKEN: {
    key: "participation.process.error.slug_taken",
    remedy: "Another process of the municipality (or a reserved path) has this address: choose another slug.",
  },
  PROCESS_WITHOUT_PHASE: {
    key: "participation.process.error.no_phase",
    remedy: "A process is published with at least one phase: add a phase, then publish.",
  },
  VERIFICATION_NO_PHONE: {
    key: "participation.verify.error.no_phone",
    remedy: "The code is sent by SMS: add a phone number to the account, or be verified at the counter.",
  },
  RESIDENT_NOT_VERIFIED: {
    key: "participation.verify.error.required",
    remedy: "Only verified residents of the municipality take part: verify the account (code by SMS, or at the counter), then retry.",
  },

  // Proposals, supports and moderation
  PROPOSALS_CLOSED: {
    key: "participation.proposal.error.closed",
    remedy: "The current phase of the process does not take proposals: wait for a phase that does.",
  },
  SUPPORTS_CLOSED: {
    key: "participation.support.error.closed",
    remedy: "The current phase of the process does not take supports: wait for a phase that does.",
  },
  PROPOSAL_NOT_SUPPORTABLE: {
    key: "participation.support.error.not_supportable",
    remedy: "A withdrawn or rejected proposal takes no more supports.",
  },
  PROPOSAL_ALREADY_SUPPORTED: {
    key: "participation.support.error.already",
    remedy: "A person supports a proposal once; nothing more to do.",
  },
  PROPOSAL_ALREADY_ANSWERED: {
    key: "participation.proposal.error.answered",
    remedy: "The municipality has decided on the proposal: its author can no longer withdraw it.",
  },
  PROPOSAL_WITHDRAWN_BY_AUTHOR: {
    key: "participation.proposal.error.withdrawn_by_author",
    remedy: "The author withdrew the proposal: it takes no answer any more.",
  },
  PROPOSAL_ANSWER_NOT_ALLOWED: {
    key: "participation.proposal.error.answer_not_allowed",
    remedy: "A decision is not turned into the opposite one at once: put the proposal back under evaluation first.",
  },
  CONTENT_ALREADY_FLAGGED: {
    key: "participation.flag.error.already",
    remedy: "This person already reported this content; moderators will look at it.",
  },
  CONTENT_ALREADY_HIDDEN: {
    key: "participation.moderation.error.already_hidden",
    remedy: "The content is already hidden; nothing more to do.",
  },

  // Surveys
  SURVEY_CLOSES_BEFORE_OPENS: {
    key: "participation.surveys.error.closes_before_opens",
    remedy: "The closing moment comes after the opening one: correct either date.",
  },
  SURVEY_QUESTIONS_LOCKED: {
    key: "participation.surveys.error.questions_locked",
    remedy: "Questions change only while the survey is a draft: once opened they stay as residents answered them.",
  },
  SURVEY_EMPTY: {
    key: "participation.survey.def.empty",
    remedy: "A survey opens with at least one question: add one, then open it.",
  },
  SURVEY_DEFINITION_INVALID: {
    key: "participation.survey.def.malformed",
    remedy: "The stored questions do not form a usable survey: correct them in the builder, then open it.",
  },
  SURVEY_CLOSES_IN_PAST: {
    key: "participation.surveys.error.closes_in_past",
    remedy: "The survey's closing date has passed: move it later in the settings, then open the survey.",
  },
  SURVEY_NOT_OPENED: {
    key: "participation.surveys.error.not_opened",
    remedy: "Only an open survey is closed: a draft has nothing to close.",
  },
  SURVEY_NOT_OPEN_YET: {
    key: "participation.surveys.error.not_open",
    remedy: "The survey takes answers from its opening date: come back then.",
  },
  SURVEY_CLOSED: {
    key: "participation.surveys.error.closed",
    remedy: "The survey is closed: no response is recorded any more.",
  },
  SURVEY_RESPONDENT_NOT_VERIFIED: {
    key: "participation.surveys.error.not_verified",
    remedy: "Only verified residents of the municipality answer: verify the account, then answer.",
  },
  SURVEY_ALREADY_ANSWERED: {
    key: "participation.surveys.error.already_answered",
    remedy: "One response per person: the first one is kept, and the message says when it was recorded.",
  },

  // Participatory budgets
  BUDGET_CLOSES_BEFORE_OPENS: {
    key: "participation.budgets.error.closes_before_opens",
    remedy: "Voting closes after it opens: correct either moment.",
  },
  BUDGET_MIN_OVER_MAX: {
    key: "participation.budgets.error.min_over_max",
    remedy: "The least number of projects a ballot chooses is at most the greatest: correct either number.",
  },
  BUDGET_LOCKED_AFTER_OPENING: {
    key: "participation.budgets.error.locked_after_opening",
    remedy: "Once voting has opened only the title and description change: residents vote against the rules and dates as they were.",
  },
  BUDGET_PROJECTS_LOCKED: {
    key: "participation.budgets.error.projects_locked",
    remedy: "Projects change only before voting opens: once someone may have voted, the list stays.",
  },
  BUDGET_NO_PROJECTS: {
    key: "participation.budgets.error.no_projects",
    remedy: "A budget opens with at least one project: add projects, then publish.",
  },
  BUDGET_NOTHING_FITS: {
    key: "participation.budgets.error.nothing_fits",
    remedy: "Every project costs more than the envelope, so no ballot can be cast: raise the envelope or add cheaper projects.",
  },
  BUDGET_TOO_FEW_PROJECTS: {
    key: "participation.budgets.error.too_few_projects",
    remedy: "A ballot must choose more projects than the budget lists: add projects or lower the least number.",
  },
  BUDGET_RESULTS_ALREADY_PUBLISHED: {
    key: "participation.budgets.error.results_already_published",
    remedy: "The count is published once and kept as published; nothing more to do.",
  },
  BUDGET_NOT_CLOSED_YET: {
    key: "participation.budgets.error.not_closed_yet",
    remedy: "The count is published after voting closes: wait for the closing moment.",
  },
  BALLOT_NOT_VERIFIED: {
    key: "participation.budgets.error.not_verified",
    remedy: "Only verified residents of the municipality vote: verify the account, then vote.",
  },
  BALLOT_NOT_OPEN: {
    key: "participation.budgets.error.not_open",
    remedy: "Voting has not opened yet: the message says when it does.",
  },
  BALLOT_CLOSED: {
    key: "participation.budgets.error.closed",
    remedy: "Voting has closed: ballots stay as cast.",
  },
  BALLOT_EMPTY: {
    key: "participation.budgets.error.empty",
    remedy: "A ballot chooses at least one project: tick some, then vote (400).",
  },
  BALLOT_UNKNOWN_PROJECT: {
    key: "participation.budgets.error.unknown_project",
    remedy: "A chosen project is not one of this budget's: reload the page and choose again (400).",
  },
  BALLOT_DUPLICATE_PROJECT: {
    key: "participation.budgets.error.unknown_project",
    remedy: "A project was chosen twice: choose each project once (400).",
  },
  BALLOT_OVER_BUDGET: {
    key: "participation.budgets.error.over_budget",
    remedy: "The chosen projects cost more than the envelope: remove some (400).",
  },
  BALLOT_TOO_MANY: {
    key: "participation.budgets.error.too_many",
    remedy: "More projects were chosen than the budget allows: remove some (400).",
  },
  BALLOT_TOO_FEW: {
    key: "participation.budgets.error.too_few",
    remedy: "Fewer projects were chosen than the budget asks: add some (400).",
  },

  // Public meetings
  MEETING_CANCELLED: {
    key: "participation.meetings.error.cancelled",
    remedy: "The meeting was cancelled: it changes no more and takes no registration.",
  },
  MEETING_NOT_PUBLISHED: {
    key: "participation.meetings.error.not_published",
    remedy: "The meeting is still a draft: publish it first.",
  },
  MEETING_REGISTRATION_CLOSED: {
    key: "participation.meetings.error.registration_closed",
    remedy: "Registrations open and close before the meeting starts; after that, come without registering.",
  },
  MEETING_FULL: {
    key: "participation.meetings.error.full",
    remedy: "Every seat is taken (the message gives the capacity): a seat frees up when someone unregisters.",
  },
  MEETING_ALREADY_REGISTERED: {
    key: "participation.meetings.error.already_registered",
    remedy: "This person is already registered; nothing more to do.",
  },
  MEETING_NOT_REGISTERED: {
    key: "participation.meetings.error.not_registered",
    remedy: "This person is not registered for the meeting; nothing to cancel.",
  },
  MEETING_ALREADY_ENDED: {
    key: "participation.meetings.error.already_ended",
    remedy: "A meeting that has ended is not cancelled: publish its minutes instead.",
  },
  MEETING_NOT_STARTED: {
    key: "participation.meetings.error.not_started",
    remedy: "Attendance is counted from the meeting's start: wait until it starts.",
  },
  MEETING_NOT_ENDED: {
    key: "participation.meetings.error.not_ended",
    remedy: "Minutes and photos are published once the meeting is over: wait for its end.",
  },
  MEETING_CAPACITY_BELOW_REGISTRATIONS: {
    key: "participation.meetings.error.capacity_below_registrations",
    remedy: "Seats already given are not taken back: the capacity is at least the number of registrations.",
  },
  MEETING_MINUTES_BEFORE_END: {
    key: "participation.meetings.error.minutes_before_end",
    remedy: "Minutes were published: the meeting cannot end after that moment.",
  },
  MEETING_COUNTED_BEFORE_START: {
    key: "participation.meetings.error.counted_before_start",
    remedy: "People were counted at the meeting: it cannot be moved to a time still to come.",
  },
  MEETING_COUNT_BELOW_PRESENT: {
    key: "participation.meetings.error.count_below_present",
    remedy: "The headcount includes everyone in the room: it is at least the number of registered people ticked present.",
  },
});
