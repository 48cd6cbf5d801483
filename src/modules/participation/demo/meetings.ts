import type { Tx } from "../../../core/db/index.js";
import { wallClock, zonedInstant } from "../../../core/tenancy/clock.js";
import { insertMeetingAsIs, type AttendanceCell, type MeetingInput } from "../meetings/service.js";

/*
 * Three public meetings of the Local Action Plan's co-creation, as a municipality has them a
 * few weeks in: the diagnosis workshop is over, with its minutes and a headcount that shows
 * what the programme wants to change (more men than women, few young people); a forum at the
 * town hall comes next, with registrations; an online follow-up meeting closes the list.
 */

const DAY_MS = 86_400_000;

/** A local date and time, `days` from today in the municipality's time zone. */
function localAt(timeZone: string, days: number, time: string): Date {
  const { date } = wallClock(new Date(Date.now() + days * DAY_MS), timeZone);
  return zonedInstant(date, time, timeZone)!;
}

/** Who came to the diagnosis workshop: 64 people, 22 of them women, 11 under 25. */
const WORKSHOP_HEADCOUNT: AttendanceCell[] = [
  { gender: "woman", age_band: "under_18", count: 1 },
  { gender: "woman", age_band: "18_24", count: 3 },
  { gender: "woman", age_band: "25_34", count: 6 },
  { gender: "woman", age_band: "35_59", count: 9 },
  { gender: "woman", age_band: "60_plus", count: 3 },
  { gender: "woman", age_band: "undisclosed", count: 0 },
  { gender: "man", age_band: "under_18", count: 0 },
  { gender: "man", age_band: "18_24", count: 5 },
  { gender: "man", age_band: "25_34", count: 8 },
  { gender: "man", age_band: "35_59", count: 17 },
  { gender: "man", age_band: "60_plus", count: 8 },
  { gender: "man", age_band: "undisclosed", count: 1 },
  { gender: "other_or_undisclosed", age_band: "under_18", count: 0 },
  { gender: "other_or_undisclosed", age_band: "18_24", count: 2 },
  { gender: "other_or_undisclosed", age_band: "25_34", count: 0 },
  { gender: "other_or_undisclosed", age_band: "35_59", count: 0 },
  { gender: "other_or_undisclosed", age_band: "60_plus", count: 0 },
  { gender: "other_or_undisclosed", age_band: "undisclosed", count: 1 },
];

const WORKSHOP_MINUTES = [
  "Soixante-quatre personnes ont participé à l'atelier : délégués de quartier, associations de femmes et de jeunes, commerçants du marché, agents de la mairie. Le maire a ouvert la séance en rappelant l'engagement de la commune dans le réseau Local Open GovLab.",
  "Trois attentes reviennent dans tous les groupes : savoir comment le budget communal est dépensé, connaître les tarifs et délais des actes d'état civil, être consulté avant les grands travaux dans les quartiers.",
  "Les femmes et les jeunes étaient moins nombreux que prévu (un tiers de femmes, un sixième de moins de 25 ans). Pour la suite, la mairie tiendra des réunions en fin d'après-midi, annoncées à la radio communautaire et par les associations, et proposera une réunion en ligne.",
  "Prochaine étape : le forum public de présentation des propositions à l'hôtel de ville. Les propositions restent ouvertes en ligne et au guichet de la mairie.",
].join("\n\n");

export async function seedMeetings(tx: Tx, municipalityId: string, staff: { editorId: string; agentId: string; citizenId?: string }): Promise<void> {
  const [municipality] = await tx.query<{ time_zone: string }>("SELECT time_zone FROM municipalities WHERE id = $1", [municipalityId]);
  if (!municipality) return;
  const zone = municipality.time_zone;
  const [process] = await tx.query<{ id: string }>("SELECT id FROM processes WHERE municipality_id = $1 AND slug = 'plan-action-local-2027'", [municipalityId]);
  const processId = process?.id ?? null;

  const workshop: MeetingInput = {
    processId,
    title: "Atelier de diagnostic du Plan d'action local de gouvernement ouvert",
    description:
      "Premier atelier public du Plan d'action local : recenser, quartier par quartier, ce que les habitants attendent de la mairie en matière de transparence, d'accès à l'information et de participation.",
    agenda: ["Ouverture par le maire", "Présentation du Local Open GovLab et du gouvernement ouvert", "Travaux en groupes par quartier", "Restitution des groupes", "Prochaines étapes"].join("\n"),
    startsAt: localAt(zone, -40, "09:00"),
    endsAt: localAt(zone, -40, "12:30"),
    place: "Hôtel de ville, salle des délibérations",
    onlineUrl: null,
    capacity: 100,
  };
  await insertMeetingAsIs(tx, municipalityId, staff.editorId, workshop, { counts: WORKSHOP_HEADCOUNT, countedBy: staff.agentId, minutes: WORKSHOP_MINUTES });

  // A couple of residents already registered for the forum: the demo citizen and verified residents.
  const residents = await tx.query<{ user_id: string }>("SELECT user_id FROM resident_verifications WHERE municipality_id = $1 ORDER BY verified_at, user_id LIMIT 2", [municipalityId]);
  const registrants = [...new Set([...(staff.citizenId ? [staff.citizenId] : []), ...residents.map((row) => row.user_id)])].slice(0, 3);
  await insertMeetingAsIs(
    tx,
    municipalityId,
    staff.editorId,
    {
      processId,
      title: "Forum public : les propositions pour le Plan d'action local",
      description:
        "Les propositions reçues en ligne et au guichet sont présentées et discutées en public avant l'arbitrage du conseil municipal. Les associations de femmes et de jeunes sont particulièrement invitées à prendre la parole.",
      agenda: ["Bilan de l'atelier de diagnostic", "Présentation des propositions les plus soutenues", "Débat ouvert avec les habitants", "Calendrier de l'arbitrage et de l'adoption du plan"].join("\n"),
      startsAt: localAt(zone, 10, "16:00"),
      endsAt: localAt(zone, 10, "18:30"),
      place: "Hôtel de ville, salle des fêtes",
      onlineUrl: null,
      capacity: 80,
    },
    { registrants },
  );

  await insertMeetingAsIs(tx, municipalityId, staff.editorId, {
    processId,
    title: "Réunion en ligne : suivre les engagements du gouvernement ouvert",
    description:
      "Pour celles et ceux qui ne peuvent pas se déplacer : une heure et demie en ligne pour poser vos questions sur le Plan d'action local et sur la façon dont ses engagements seront suivis et publiés.",
    agenda: ["Rappel des étapes du Plan d'action local", "Questions des participants", "Comment suivre les engagements sur le portail"].join("\n"),
    startsAt: localAt(zone, 24, "18:30"),
    endsAt: localAt(zone, 24, "20:00"),
    place: "",
    onlineUrl: "https://meet.jit.si/plan-action-local-gouvernement-ouvert",
    capacity: null,
  }, {});
}
