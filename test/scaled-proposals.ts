import type { Queryable } from "../src/core/db/index.js";

/**
 * Many proposals in one process, written by the database itself (generate_series) so that a
 * test or a benchmark reaches a town's worth of them in seconds. The titles mix the words a
 * West African town's proposals use: one in ten is about the water network ("réseau d'eau"),
 * none spells "fontaine" wrong, one in fifty is answered, a few are hidden; supports and dates
 * spread so that every sort has work to do. Returns the categories it used.
 */
export const SCALED_CATEGORIES = ["Eau et assainissement", "Voirie", "Éducation", "Santé", "Environnement"];

export async function insertScaledProposals(db: Queryable, target: { municipalityId: string; processId: string; authorId: string }, count: number): Promise<void> {
  await db.query(
    `INSERT INTO proposals (municipality_id, process_id, author_id, title, body, category, status, answer, hidden_at, hidden_reason, supports_count, created_at)
     SELECT $1, $2, $3,
       (ARRAY['Réparer', 'Installer', 'Créer', 'Rénover', 'Nettoyer', 'Éclairer', 'Planter', 'Agrandir'])[1 + i % 8] || ' ' ||
       (ARRAY['la fontaine', 'le marché', 'l''école', 'le réseau d''eau', 'la route', 'le jardin', 'le dispensaire', 'les caniveaux', 'le puits', 'la place'])[1 + (i / 8) % 10] ||
       ' de ' || (ARRAY['Keury Kao', 'Diokoul', 'Thiawlène', 'Mérina', 'Colobane', 'Dangou', 'Santhiaba'])[1 + (i / 80) % 7] || ' n° ' || i,
       'Les habitants du quartier demandent ce projet depuis ' || (2000 + i % 25) || '. ' ||
       (ARRAY['Les enfants y passent chaque jour.', 'Les commerçants participeront aux travaux.', 'Un comité de quartier suivra le chantier.', 'Les femmes du groupement proposent leur aide.'])[1 + i % 4],
       ($5::text[])[1 + i % array_length($5::text[], 1)],
       CASE WHEN i % 50 = 0 THEN 'accepted' WHEN i % 50 = 1 THEN 'evaluating' ELSE 'published' END,
       CASE WHEN i % 50 = 0 THEN 'Retenue au budget.' ELSE '' END,
       CASE WHEN i % 500 = 7 THEN now() END,
       CASE WHEN i % 500 = 7 THEN 'Hors sujet' ELSE '' END,
       (i * 7919) % 613,
       now() - make_interval(mins => i)
     FROM generate_series(1, $4::int) AS i`,
    [target.municipalityId, target.processId, target.authorId, count, SCALED_CATEGORIES],
  );
}
