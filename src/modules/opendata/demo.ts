import { toCsv } from "../../core/export/csv.js";
import { storeFile } from "../../core/files/index.js";
import type { Tx } from "../../core/db/index.js";
import type { DemoSeedContext } from "../../core/modules.js";
import { loadResourceTable } from "./service.js";

/**
 * Five datasets per demo municipality, each with a CSV a visitor can download: the kinds of data
 * the programme asks municipalities to open first. Figures are generated, deterministic and
 * plausible; they are demo data, not the municipalities' real accounts.
 */

/** A small deterministic generator, so two demo installs show the same figures. */
function generator(seed: string): () => number {
  let state = [...seed].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7);
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function csv(rows: (string | number)[][]): Buffer {
  const [header, ...body] = rows;
  return Buffer.from(toCsv((header ?? []).map(String), body), "utf8");
}

interface DemoDataset {
  slug: string;
  title: string;
  description: string;
  themes: string[];
  tags: string[];
  frequency: string;
  file: string;
  content: Buffer;
}

function datasetsFor(name: string, currency: string, year: number, random: () => number): DemoDataset[] {
  const amount = (base: number) => Math.round(base * (0.6 + random() * 0.8)) * (currency === "GNF" ? 1000 : 10);
  const budgetLines = [
    ["70", "Produits des services du domaine", "recette", amount(2_500_000)],
    ["71", "Impôts et taxes locales", "recette", amount(9_000_000)],
    ["74", "Dotations et subventions de l'État", "recette", amount(12_000_000)],
    ["60", "Achats et fournitures", "dépense", amount(3_000_000)],
    ["61", "Services extérieurs (entretien, eau, électricité)", "dépense", amount(4_000_000)],
    ["64", "Charges de personnel", "dépense", amount(10_000_000)],
    ["21", "Investissements : écoles et centres de santé", "dépense", amount(6_000_000)],
  ];
  const months = Array.from({ length: 12 }, (_, index) => `${year}-${String(index + 1).padStart(2, "0")}`);
  const markets = ["Marché central", "Marché du quartier Nord", "Marché aux poissons", "Marché hebdomadaire"];
  const quartiers = ["Centre", "Nord", "Sud", "Est", "Ouest", "Extension"];
  return [
    {
      slug: `budget-primitif-${year}`,
      title: `Budget primitif ${year} de ${name}`,
      description: `Les lignes du budget primitif ${year} adopté par le conseil municipal de ${name}, recettes et dépenses par chapitre, en ${currency}.`,
      themes: ["ECON", "GOVE"],
      tags: ["budget", "finances locales", "transparence"],
      frequency: "annual",
      file: `budget-${year}.csv`,
      content: csv([["chapitre", "libelle", "nature", `montant_${currency.toLowerCase()}`], ...budgetLines]),
    },
    {
      slug: `etat-civil-naissances-${year}`,
      title: `Naissances enregistrées à l'état civil en ${year}`,
      description: `Nombre de déclarations de naissance enregistrées chaque mois par le centre d'état civil de ${name}, par sexe.`,
      themes: ["SOCI", "GOVE"],
      tags: ["état civil", "naissances", "population"],
      frequency: "monthly",
      file: `naissances-${year}.csv`,
      content: csv([["mois", "filles", "garcons", "total"], ...months.map((month) => {
        const girls = Math.round(40 + random() * 60);
        const boys = Math.round(40 + random() * 60);
        return [month, girls, boys, girls + boys];
      })]),
    },
    {
      slug: "marches-et-droits-de-place",
      title: `Marchés de ${name} et droits de place`,
      description: "Les marchés de la commune, leur nombre d'étals et le droit de place journalier perçu par étal.",
      themes: ["ECON"],
      tags: ["marchés", "fiscalité locale", "commerce"],
      frequency: "annual",
      file: "marches.csv",
      content: csv([["marche", "etals", `droit_journalier_${currency.toLowerCase()}`, "jour_principal"], ...markets.map((market, index) => [market, Math.round(50 + random() * 400), amount(15) / 10, ["lundi", "mercredi", "vendredi", "samedi"][index]!])]),
    },
    {
      slug: "points-d-eau",
      title: `Points d'eau de ${name}`,
      description: "Bornes-fontaines, forages et puits publics, avec leur quartier, leur état et le nombre de ménages desservis.",
      themes: ["ENVI", "HEAL"],
      tags: ["eau", "assainissement", "infrastructures"],
      frequency: "quarterly",
      file: "points-eau.csv",
      content: csv([["identifiant", "type", "quartier", "etat", "menages_desservis"], ...Array.from({ length: 12 }, (_, index) => [
        `PE-${String(index + 1).padStart(3, "0")}`,
        ["borne-fontaine", "forage", "puits"][index % 3]!,
        quartiers[index % quartiers.length]!,
        random() < 0.75 ? "fonctionnel" : "en panne",
        Math.round(20 + random() * 180),
      ])]),
    },
    {
      slug: "ecoles",
      title: `Écoles publiques de ${name}`,
      description: "Les écoles publiques de la commune : niveau, quartier, nombre de classes et d'élèves inscrits (filles et garçons).",
      themes: ["EDUC"],
      tags: ["écoles", "éducation", "infrastructures"],
      frequency: "annual",
      file: "ecoles.csv",
      content: csv([["ecole", "niveau", "quartier", "classes", "eleves_filles", "eleves_garcons"], ...Array.from({ length: 8 }, (_, index) => [
        `École ${index < 6 ? "élémentaire" : "moyenne"} ${quartiers[index % quartiers.length]} ${index + 1}`,
        index < 6 ? "élémentaire" : "moyen",
        quartiers[index % quartiers.length]!,
        Math.round(4 + random() * 10),
        Math.round(100 + random() * 250),
        Math.round(100 + random() * 250),
      ])]),
    },
  ];
}

export async function seedOpenData(tx: Tx, filesDir: string, municipality: { id: string; name: string; currency: string }, editorId: string | null): Promise<void> {
  const year = new Date().getUTCFullYear();
  const random = generator(municipality.name);
  for (const dataset of datasetsFor(municipality.name, municipality.currency, year, random)) {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO datasets (municipality_id, slug, title, description, themes, tags, licence, frequency, spatial, temporal_start, temporal_end,
         contact_name, language, status, published_at, version, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'odbl-1.0', $7, $8, $9, $10, $11, 'fr', 'published', now(), 1, $12, $12) RETURNING id`,
      [municipality.id, dataset.slug, dataset.title, dataset.description, dataset.themes, dataset.tags, dataset.frequency, municipality.name, `${year}-01-01`, `${year}-12-31`, `Mairie de ${municipality.name}`, editorId],
    );
    const file = await storeFile(tx, filesDir, { municipalityId: municipality.id, data: dataset.content, mediaType: "text/csv", originalName: dataset.file, createdBy: editorId });
    const [resource] = await tx.query<{ id: string }>(
      "INSERT INTO dataset_resources (municipality_id, dataset_id, name, file_id, format) VALUES ($1, $2, $3, $4, 'CSV') RETURNING id",
      [municipality.id, row!.id, dataset.file, file.id],
    );
    await loadResourceTable(tx, municipality.id, resource!.id, dataset.content, "CSV");
    await tx.query(
      `INSERT INTO dataset_versions (municipality_id, dataset_id, version, snapshot, changed, published_by)
       SELECT municipality_id, id, 1, to_jsonb(d) - 'search_vector', '{status}', $3 FROM datasets d WHERE municipality_id = $1 AND id = $2`,
      [municipality.id, row!.id, editorId],
    );
  }
}

/** The open-data demo step: the five datasets in every demo municipality, published by its editor. */
export async function seedOpenDataDemo({ db, filesDir, municipalities }: DemoSeedContext): Promise<void> {
  for (const m of municipalities) await seedOpenData(db, filesDir, { id: m.id, name: m.name, currency: m.currency }, m.staff.editor?.id ?? null);
}
