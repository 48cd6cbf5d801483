import { DEMO_BUDGET_YEAR } from "./processes.js";
import type { Tx } from "../../../core/db/index.js";
import { addProject, createBudget, publishBudget, type ProjectInput } from "../budgets/service.js";

/*
 * A participatory budget open to a vote, so that a visitor sees one at work: an envelope a
 * commune of this size could set aside, and six projects of the kind residents ask for, costed
 * as a municipal technical service would. Amounts are written in CFA francs; in Guinean francs
 * (about fifteen to one) they are scaled so that the projects stay plausible.
 */

const DAY_MS = 86_400_000;

/** Envelope and costs in CFA francs (XOF). */
const ENVELOPE_XOF = 50_000_000;
const PROJECTS_XOF: ProjectInput[] = [
  {
    title: "Deux forages équipés de pompes solaires",
    cost: 18_000_000,
    location: "Quartiers périphériques",
    description: "Deux forages avec château d'eau et pompe solaire, pour les quartiers où les bornes-fontaines manquent en saison sèche. Gestion confiée à un comité d'usagers.",
  },
  {
    title: "Latrines séparées filles et garçons dans trois écoles",
    cost: 9_500_000,
    location: "Écoles élémentaires publiques",
    description: "Blocs de latrines avec point de lavage des mains, séparés pour les filles et les garçons, dans les trois écoles qui n'en ont pas.",
  },
  {
    title: "Éclairage solaire du marché central",
    cost: 7_200_000,
    location: "Marché central",
    description: "Trente lampadaires solaires dans les allées et aux entrées du marché, pour que les commerçantes travaillent en sécurité après la tombée de la nuit.",
  },
  {
    title: "Équipement du poste de santé",
    cost: 12_000_000,
    location: "Poste de santé principal",
    description: "Table d'accouchement, réfrigérateur solaire pour les vaccins, lits d'observation et petit matériel de soins.",
  },
  {
    title: "Rénovation du centre des jeunes",
    cost: 15_000_000,
    location: "Centre socio-culturel",
    description: "Toiture, salle informatique de dix postes, terrain de basket remis en état, pour les activités des associations de jeunes.",
  },
  {
    title: "Curage et réhabilitation des caniveaux",
    cost: 11_000_000,
    location: "Axe principal et quartiers inondables",
    description: "Curage avant l'hivernage, reprise des caniveaux effondrés et pose de dalles, pour limiter les inondations.",
  },
];

/** How many local francs make one CFA franc, for the demo's orders of magnitude only. */
const SCALE: Record<string, number> = { XOF: 1, GNF: 15 };

/**
 * Creates a published knapsack budget for a process, open to a vote from now for thirty days,
 * and returns its id. Amounts follow the municipality's currency.
 */
export async function seedBudgets(tx: Tx, municipalityId: string, processId: string, editorId: string): Promise<string> {
  const [municipality] = await tx.query<{ currency: string; name: string }>("SELECT currency, name FROM municipalities WHERE id = $1", [municipalityId]);
  if (!municipality) throw new Error(`no municipality ${municipalityId}`);
  const scale = SCALE[municipality.currency] ?? 1;
  // Whole minutes, as an editor would type them in the back office.
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const budgetId = await createBudget(tx, municipalityId, editorId, processId, {
    // The year of the process it belongs to, not the current one: the vote funds next year's projects.
    title: `Budget participatif ${DEMO_BUDGET_YEAR} de ${municipality.name}`,
    description:
      "La commune consacre une part de son budget d'investissement aux projets que choisissent ses habitants.\n\n" +
      "Chaque habitant vérifié choisit les projets qu'il veut voir financer, sans dépasser l'enveloppe. Les projets les plus choisis sont réalisés dans l'ordre, tant que l'enveloppe le permet.",
    kind: "knapsack",
    totalAmount: ENVELOPE_XOF * scale,
    maxProjects: null,
    minProjects: 1,
    opensAt: new Date(now - 60_000),
    closesAt: new Date(now + 30 * DAY_MS),
  });
  for (const project of PROJECTS_XOF) {
    await addProject(tx, municipalityId, editorId, budgetId, { ...project, cost: project.cost * scale });
  }
  await publishBudget(tx, municipalityId, editorId, budgetId);
  return budgetId;
}
