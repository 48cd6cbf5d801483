import type { Tx } from "../../../core/db/index.js";
import { wallClock } from "../../../core/tenancy/clock.js";
import { zonedToUtc } from "../service.js";
import type { Question } from "../surveys/definition.js";
import { changeQuestions, createSurvey, openSurvey, submitResponse, withQuestionAdded } from "../surveys/service.js";

/*
 * A survey open in the Local Action Plan's process, so that a visitor sees one at work: what the
 * town hall should take on first, and how residents want to hear about it. The channels are those
 * people in these communes actually use (community radio, SMS, the notice board, the town crier,
 * WhatsApp). A few residents have answered; the results are public, free text is not, as a
 * municipality would decide before reading it.
 */

const DAY_MS = 86_400_000;

const QUESTIONS: Question[] = [
  {
    id: "priorite",
    type: "single_choice",
    title: "Quelle doit être la priorité du plan d'action local ?",
    required: true,
    options: [
      { value: "budget", label: "La transparence du budget communal" },
      { value: "information", label: "L'accès à l'information publique" },
      { value: "participation", label: "La participation des habitants aux décisions" },
      { value: "services", label: "La qualité des services (état civil, guichet)" },
    ],
  },
  {
    id: "canaux",
    type: "multiple_choice",
    title: "Par quels moyens voulez-vous être informé des décisions de la mairie ?",
    description: "Cochez tous ceux qui vous conviennent.",
    required: true,
    options: [
      { value: "radio", label: "La radio communautaire" },
      { value: "sms", label: "Les SMS" },
      { value: "affichage", label: "L'affichage à la mairie et dans les quartiers" },
      { value: "crieur", label: "Le crieur public" },
      { value: "whatsapp", label: "WhatsApp" },
    ],
  },
  {
    id: "radio",
    type: "short_text",
    title: "Quelle radio écoutez-vous le plus ?",
    required: true,
    maxLength: 100,
    showIf: { question: "canaux", equals: "radio" },
  },
  {
    id: "confiance",
    type: "scale",
    title: "Quelle confiance accordez-vous aux informations que donne la mairie ?",
    required: true,
    min: 1,
    max: 5,
    minLabel: "Aucune confiance",
    maxLabel: "Pleine confiance",
  },
  {
    id: "age",
    type: "single_choice",
    title: "Votre tranche d'âge",
    description: "Pour vérifier que toutes les générations sont entendues.",
    required: false,
    options: [
      { value: "moins_18", label: "Moins de 18 ans" },
      { value: "18_24", label: "18 à 24 ans" },
      { value: "25_34", label: "25 à 34 ans" },
      { value: "35_59", label: "35 à 59 ans" },
      { value: "60_plus", label: "60 ans et plus" },
    ],
  },
  {
    id: "suggestion",
    type: "short_text",
    title: "Une suggestion pour la mairie ?",
    required: false,
    maxLength: 300,
  },
];

/** Answers as a browser would post them, one set per respondent, used in turn. */
const ANSWERS: Record<string, string | string[]>[] = [
  { "q.priorite": "budget", "q.canaux": ["radio", "sms"], "q.radio": "Radio communautaire", "q.confiance": "3", "q.age": "25_34", "q.suggestion": "Lire le budget à la radio chaque trimestre." },
  { "q.priorite": "services", "q.canaux": ["whatsapp", "affichage"], "q.confiance": "2", "q.age": "35_59" },
  { "q.priorite": "budget", "q.canaux": ["radio", "crieur"], "q.radio": "La radio rurale", "q.confiance": "4", "q.age": "60_plus", "q.suggestion": "Afficher les décisions du conseil au marché." },
];

/**
 * Creates the survey through the module's own use cases (so the demo obeys the same rules as the
 * back office) and records an answer from each respondent, who must be verified residents.
 */
export async function seedSurveys(tx: Tx, municipalityId: string, processId: string, editorId: string, respondentIds: string[]): Promise<void> {
  const [municipality] = await tx.query<{ time_zone: string }>("SELECT time_zone FROM municipalities WHERE id = $1", [municipalityId]);
  if (!municipality) throw new Error(`no municipality ${municipalityId}`);
  // In a month, at the end of the working day on the town hall's clock, as a municipality would set it.
  const closesAt = zonedToUtc(wallClock(new Date(Date.now() + 30 * DAY_MS), municipality.time_zone).date, "18:00", municipality.time_zone)!;
  const surveyId = await createSurvey(tx, municipalityId, editorId, processId, {
    title: "Vos priorités pour le plan d'action local",
    description:
      "Avant d'arrêter le plan d'action local de gouvernement ouvert, la mairie veut savoir ce qui compte le plus pour vous et comment vous souhaitez être informé.\n\n" +
      "Cinq minutes suffisent. Chaque habitant vérifié répond une fois ; les résultats sont publiés au fur et à mesure, sans aucun nom.",
    opensAt: null,
    closesAt,
    publishTexts: false,
    resultsPublic: true,
  });
  for (const question of QUESTIONS) {
    const problems = await changeQuestions(tx, municipalityId, editorId, surveyId, { action: "add", question: question.id, apply: (def) => withQuestionAdded(def, question) });
    if (problems.length > 0) throw new Error(`demo survey question ${question.id}: ${problems.map((problem) => problem.key).join(", ")}`);
  }
  await openSurvey(tx, municipalityId, editorId, surveyId);
  for (const [index, userId] of respondentIds.entries()) {
    const outcome = await submitResponse(tx, municipalityId, userId, surveyId, ANSWERS[index % ANSWERS.length]!);
    if (!outcome.ok) throw new Error(`demo survey answer ${index}: ${JSON.stringify(outcome.errors)}`);
  }
}
