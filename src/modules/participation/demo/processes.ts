import type { Tx } from "../../../core/db/index.js";
import { insertRows } from "../../../core/db/insert.js";
import * as proposals from "../proposals/store.js";
import * as store from "../store.js";

/*
 * A live process in each demo municipality that shows participation: the co-creation of the
 * Local Action Plan of open government the programme asks every town hall for. The diagnosis is
 * over, proposals are open and supported now, the arbitration comes next. Residents are demo
 * accounts (same password as the others), verified; their proposals, supports and comments
 * make the page look like the one a municipality sees after a few weeks.
 */

interface DemoResident {
  name: string;
  phone: string;
}

const RESIDENTS: Record<string, DemoResident[]> = {
  rufisque: [
    { name: "Aminata Diouf", phone: "+221770000111" },
    { name: "Babacar Ndoye", phone: "+221770000112" },
    { name: "Khady Sène", phone: "+221770000113" },
  ],
  labe: [
    { name: "Hadja Kadiatou Bah", phone: "+224620000711" },
    { name: "Alpha Oumar Diallo", phone: "+224620000712" },
    { name: "Mariama Sow", phone: "+224620000713" },
  ],
};

const PROPOSALS: { title: string; body: string; category: string; location: string; supporters: number; answer?: { status: proposals.ProposalStatus; text: string } }[] = [
  {
    title: "Publier chaque trimestre l'exécution du budget communal",
    body: "Afficher à la mairie et publier en ligne, chaque trimestre, ce qui a été dépensé et encaissé, ligne par ligne, avec une explication simple lue à la radio communautaire.",
    category: "Transparence budgétaire",
    location: "",
    supporters: 3,
    answer: { status: "accepted", text: "Acceptée. Le premier état trimestriel sera publié en janvier sur le portail de données ouvertes et affiché à la mairie ; la radio communautaire le présentera dans son émission du samedi." },
  },
  {
    title: "Un cadre de concertation par quartier, deux fois par an",
    body: "Réunir le délégué de quartier, les associations de femmes et de jeunes et un élu pour faire le point sur les projets du quartier et recueillir les demandes.",
    category: "Participation",
    location: "Tous les quartiers",
    supporters: 2,
    answer: { status: "evaluating", text: "À l'étude : la commission des affaires sociales en discute le mois prochain avec les délégués de quartier." },
  },
  {
    title: "Afficher les tarifs et délais des actes d'état civil",
    body: "Que chacun sache combien coûte un extrait de naissance et en combien de jours il est délivré, affiché au guichet et en ligne, pour mettre fin aux frais non officiels.",
    category: "Services publics",
    location: "Mairie centrale",
    supporters: 1,
  },
];

export async function seedParticipation(tx: Tx, municipalityId: string, slug: string, passwordHash: string, staff: { editorId: string; agentId: string }): Promise<void> {
  const residents = RESIDENTS[slug];
  if (!residents) return;
  // The residents' accounts and roles in one statement each; they share the demo's one password hash.
  const created = await insertRows<{ id: string; phone: string }>(tx, "users", ["name", "phone", "password_hash", "locale"], residents.map((resident) => [resident.name, resident.phone, passwordHash, "fr"]), {
    constants: { confirmed_at: "now()" },
    returning: "id, phone",
  });
  const idByPhone = new Map(created.map((row) => [row.phone, row.id]));
  const ids = residents.map((resident) => idByPhone.get(resident.phone)!);
  await insertRows(tx, "municipal_roles", ["municipality_id", "user_id", "role"], ids.map((id) => [municipalityId, id, "citizen"]));
  for (const id of ids) await store.verify(tx, municipalityId, id, "document", staff.agentId);
  const processId = await store.insertProcess(tx, municipalityId, staff.editorId, {
    slug: "plan-action-local-2027",
    title: "Plan d'action local de gouvernement ouvert 2027",
    description:
      "La commune s'engage, avec le réseau Local Open GovLab, à co-construire avec ses habitants un plan d'action de gouvernement ouvert : transparence du budget, accès à l'information, participation et services publics.\n\nProposez des engagements, soutenez ceux qui vous semblent prioritaires : chaque proposition recevra une réponse publique de la mairie, et les engagements retenus seront suivis ici même.",
    scope: "Toute la commune",
    categories: ["Transparence budgétaire", "Participation", "Services publics", "Accès à l'information"],
  });
  await store.setProcessStatus(tx, municipalityId, processId, "published");
  await tx.query(
    `INSERT INTO process_phases (municipality_id, process_id, title, description, starts_on, ends_on, proposals_open, supports_open, opening_notified_at) VALUES
       ($1, $2, 'Diagnostic', 'Ateliers dans les quartiers pour recenser les attentes.', current_date - 60, current_date - 31, false, false, now()),
       ($1, $2, 'Propositions et soutiens', 'Chacun propose des engagements et soutient ceux qu''il juge prioritaires.', current_date - 30, current_date + 30, true, true, now()),
       ($1, $2, 'Arbitrage et adoption', 'Le conseil municipal retient les engagements et adopte le plan.', current_date + 31, current_date + 60, false, false, NULL)`,
    [municipalityId, processId],
  );
  for (const [index, proposal] of PROPOSALS.entries()) {
    const id = await proposals.insertProposal(tx, municipalityId, { processId, authorId: ids[index % ids.length]!, title: proposal.title, body: proposal.body, category: proposal.category, location: proposal.location, photoId: null });
    for (const supporter of ids.slice(0, proposal.supporters)) await proposals.addSupport(tx, municipalityId, id, supporter);
    if (proposal.answer) await proposals.answerProposal(tx, municipalityId, id, proposal.answer.status, proposal.answer.text, staff.editorId);
    if (index === 0) {
      const first = await proposals.insertComment(tx, municipalityId, { proposalId: id, parentId: null, authorId: ids[1]!, body: "Très bonne idée : et en langue locale aussi, pour que les anciens suivent." });
      await proposals.insertComment(tx, municipalityId, { proposalId: id, parentId: first, authorId: ids[2]!, body: "D'accord, la radio peut le faire en wolof et en pulaar." });
    }
  }
  for (const follower of ids) await store.follow(tx, municipalityId, processId, follower, true);
}

/** The year the demo's participatory budget funds: the process and its vote carry the same one. */
export const DEMO_BUDGET_YEAR = 2027;

/** A second live process, the participatory budget, whose vote runs for the next thirty days. */
export async function seedBudgetProcess(tx: Tx, municipalityId: string, editorId: string): Promise<string> {
  const processId = await store.insertProcess(tx, municipalityId, editorId, {
    slug: `budget-participatif-${DEMO_BUDGET_YEAR}`,
    title: `Budget participatif ${DEMO_BUDGET_YEAR}`,
    description: "Une part du budget d'investissement de la commune est décidée par ses habitants : les projets ont été proposés et chiffrés avec les services techniques, chaque habitant vérifié vote maintenant pour ceux qu'il veut voir réalisés.",
    scope: "Toute la commune",
    categories: [],
  });
  await store.setProcessStatus(tx, municipalityId, processId, "published");
  await tx.query(
    `INSERT INTO process_phases (municipality_id, process_id, title, description, starts_on, ends_on, proposals_open, supports_open, opening_notified_at)
     VALUES ($1, $2, 'Vote', 'Chaque habitant vérifié choisit les projets à financer, dans la limite de l''enveloppe.', current_date, current_date + 30, false, false, now())`,
    [municipalityId, processId],
  );
  return processId;
}
