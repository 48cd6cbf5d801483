import type { DemoSeedContext } from "../../../core/modules.js";
import { seedBudgets } from "./budgets.js";
import { seedMeetings } from "./meetings.js";
import { seedBudgetProcess, seedParticipation } from "./processes.js";
import { seedSurveys } from "./surveys.js";

/** The municipalities whose demo shows participation at work: a live process, meetings. */
const PARTICIPATION_DEMO = new Set(["rufisque", "labe"]);

/**
 * The participation demo step: the Local Action Plan's process with residents, proposals and
 * comments; where participation is shown at work, its meetings, a survey and a participatory budget.
 */
export async function seedParticipationDemo({ db, passwordHash, municipalities, progress }: DemoSeedContext): Promise<void> {
  for (const m of municipalities) {
    const { editor, agent, citizen } = m.staff;
    if (!editor || !agent) continue;
    await seedParticipation(db, m.id, m.slug, passwordHash, { editorId: editor.id, agentId: agent.id });
    if (!PARTICIPATION_DEMO.has(m.slug)) continue;
    await seedMeetings(db, m.id, { editorId: editor.id, agentId: agent.id, ...(citizen ? { citizenId: citizen.id } : {}) });
    const [plan] = await db.query<{ id: string }>("SELECT id FROM processes WHERE municipality_id = $1 AND slug = 'plan-action-local-2027'", [m.id]);
    const respondents = (await db.query<{ user_id: string }>("SELECT user_id FROM resident_verifications WHERE municipality_id = $1 ORDER BY verified_at, user_id", [m.id])).map((row) => row.user_id);
    await seedSurveys(db, m.id, plan!.id, editor.id, respondents);
    await seedBudgets(db, m.id, await seedBudgetProcess(db, m.id, editor.id), editor.id);
    if (progress) {
      const [counts] = await db.query<{ processes: number; proposals: number }>(
        "SELECT (SELECT count(*)::int FROM processes WHERE municipality_id = $1) AS processes, (SELECT count(*)::int FROM proposals WHERE municipality_id = $1) AS proposals",
        [m.id],
      );
      progress(`demo: ${m.name} — ${counts?.processes ?? 0} processes, ${counts?.proposals ?? 0} proposals, a survey, a budget vote, meetings`);
    }
  }
}
