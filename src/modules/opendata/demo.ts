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

/** The words of the demo datasets in each language a demo municipality writes in. */
const WORDS = {
  fr: {
    budget: [
      ["70", "Produits des services du domaine", "recette"],
      ["71", "Impôts et taxes locales", "recette"],
      ["74", "Dotations et subventions de l'État", "recette"],
      ["60", "Achats et fournitures", "dépense"],
      ["61", "Services extérieurs (entretien, eau, électricité)", "dépense"],
      ["64", "Charges de personnel", "dépense"],
      ["21", "Investissements : écoles et centres de santé", "dépense"],
    ],
    markets: ["Marché central", "Marché du quartier Nord", "Marché aux poissons", "Marché hebdomadaire"],
    days: ["lundi", "mercredi", "vendredi", "samedi"],
    quartiers: ["Centre", "Nord", "Sud", "Est", "Ouest", "Extension"],
    waterKinds: ["borne-fontaine", "forage", "puits"],
    working: ["fonctionnel", "en panne"],
    school: (index: number, quartier: string) => `École ${index < 6 ? "élémentaire" : "moyenne"} ${quartier} ${index + 1}`,
    levels: ["élémentaire", "moyen"],
    contact: (name: string) => `Mairie de ${name}`,
    datasets: (name: string, currency: string, year: number) => ({
      budget: {
        slug: `budget-primitif-${year}`,
        title: `Budget primitif ${year} de ${name}`,
        description: `Les lignes du budget primitif ${year} adopté par le conseil municipal de ${name}, recettes et dépenses par chapitre, en ${currency}.`,
        tags: ["budget", "finances locales", "transparence"],
        file: `budget-${year}.csv`,
        header: ["chapitre", "libelle", "nature", `montant_${currency.toLowerCase()}`],
      },
      births: {
        slug: `etat-civil-naissances-${year}`,
        title: `Naissances enregistrées à l'état civil en ${year}`,
        description: `Nombre de déclarations de naissance enregistrées chaque mois par le centre d'état civil de ${name}, par sexe.`,
        tags: ["état civil", "naissances", "population"],
        file: `naissances-${year}.csv`,
        header: ["mois", "filles", "garcons", "total"],
      },
      markets: {
        slug: "marches-et-droits-de-place",
        title: `Marchés de ${name} et droits de place`,
        description: "Les marchés de la commune, leur nombre d'étals et le droit de place journalier perçu par étal.",
        tags: ["marchés", "fiscalité locale", "commerce"],
        file: "marches.csv",
        header: ["marche", "etals", `droit_journalier_${currency.toLowerCase()}`, "jour_principal"],
      },
      water: {
        slug: "points-d-eau",
        title: `Points d'eau de ${name}`,
        description: "Bornes-fontaines, forages et puits publics, avec leur quartier, leur état et le nombre de ménages desservis.",
        tags: ["eau", "assainissement", "infrastructures"],
        file: "points-eau.csv",
        header: ["identifiant", "type", "quartier", "etat", "menages_desservis"],
      },
      schools: {
        slug: "ecoles",
        title: `Écoles publiques de ${name}`,
        description: "Les écoles publiques de la commune : niveau, quartier, nombre de classes et d'élèves inscrits (filles et garçons).",
        tags: ["écoles", "éducation", "infrastructures"],
        file: "ecoles.csv",
        header: ["ecole", "niveau", "quartier", "classes", "eleves_filles", "eleves_garcons"],
      },
    }),
  },
  pt: {
    budget: [
      ["70", "Receitas dos serviços municipais", "receita"],
      ["71", "Impostos e taxas locais", "receita"],
      ["74", "Transferências e subsídios do Estado", "receita"],
      ["60", "Compras e material", "despesa"],
      ["61", "Serviços externos (manutenção, água, eletricidade)", "despesa"],
      ["64", "Despesas com pessoal", "despesa"],
      ["21", "Investimentos: escolas e centros de saúde", "despesa"],
    ],
    markets: ["Mercado central", "Mercado do Bairro Norte", "Mercado do peixe", "Feira semanal"],
    days: ["segunda-feira", "quarta-feira", "sexta-feira", "sábado"],
    quartiers: ["Centro", "Norte", "Sul", "Leste", "Oeste", "Extensão"],
    waterKinds: ["fontanário", "furo", "poço"],
    working: ["a funcionar", "avariado"],
    school: (index: number, quartier: string) => `Escola ${index < 6 ? "básica" : "secundária"} ${quartier} ${index + 1}`,
    levels: ["básico", "secundário"],
    contact: (name: string) => `Câmara Municipal de ${name}`,
    datasets: (name: string, currency: string, year: number) => ({
      budget: {
        slug: `orcamento-${year}`,
        title: `Orçamento municipal ${year} de ${name}`,
        description: `As linhas do orçamento ${year} aprovado pela assembleia municipal de ${name}, receitas e despesas por capítulo, em ${currency}.`,
        tags: ["orçamento", "finanças locais", "transparência"],
        file: `orcamento-${year}.csv`,
        header: ["capitulo", "designacao", "natureza", `montante_${currency.toLowerCase()}`],
      },
      births: {
        slug: `registo-civil-nascimentos-${year}`,
        title: `Nascimentos registados no registo civil em ${year}`,
        description: `Número de nascimentos registados em cada mês pela conservatória do registo civil de ${name}, por sexo.`,
        tags: ["registo civil", "nascimentos", "população"],
        file: `nascimentos-${year}.csv`,
        header: ["mes", "raparigas", "rapazes", "total"],
      },
      markets: {
        slug: "mercados-e-taxas-de-ocupacao",
        title: `Mercados de ${name} e taxas de ocupação`,
        description: "Os mercados do município, o seu número de bancas e a taxa diária cobrada por cada banca.",
        tags: ["mercados", "fiscalidade local", "comércio"],
        file: "mercados.csv",
        header: ["mercado", "bancas", `taxa_diaria_${currency.toLowerCase()}`, "dia_principal"],
      },
      water: {
        slug: "pontos-de-agua",
        title: `Pontos de água de ${name}`,
        description: "Fontanários, furos e poços públicos, com o seu bairro, o seu estado e o número de famílias servidas.",
        tags: ["água", "saneamento", "infraestruturas"],
        file: "pontos-agua.csv",
        header: ["identificador", "tipo", "bairro", "estado", "familias_servidas"],
      },
      schools: {
        slug: "escolas",
        title: `Escolas públicas de ${name}`,
        description: "As escolas públicas do município: nível, bairro, número de turmas e de alunos inscritos (raparigas e rapazes).",
        tags: ["escolas", "educação", "infraestruturas"],
        file: "escolas.csv",
        header: ["escola", "nivel", "bairro", "turmas", "alunas", "alunos"],
      },
    }),
  },
} as const;

export type DemoLanguage = keyof typeof WORDS;

function datasetsFor(name: string, currency: string, year: number, random: () => number, language: DemoLanguage): DemoDataset[] {
  const words = WORDS[language];
  const texts = words.datasets(name, currency, year);
  const amount = (base: number) => Math.round(base * (0.6 + random() * 0.8)) * (currency === "GNF" ? 1000 : 10);
  const bases = [2_500_000, 9_000_000, 12_000_000, 3_000_000, 4_000_000, 10_000_000, 6_000_000];
  const budgetLines = words.budget.map(([chapter, label, nature], index) => [chapter, label, nature, amount(bases[index]!)]);
  // The first day of each month: a date column, drawn on a time scale.
  const months = Array.from({ length: 12 }, (_, index) => `${year}-${String(index + 1).padStart(2, "0")}-01`);
  const quartiers = words.quartiers;
  const dataset = (key: keyof typeof texts, themes: string[], frequency: string, rows: (string | number)[][]): DemoDataset => {
    const { slug, title, description, tags, file, header } = texts[key];
    return { slug, title, description, themes, tags: [...tags], frequency, file, content: csv([[...header], ...rows]) };
  };
  return [
    dataset("budget", ["ECON", "GOVE"], "annual", budgetLines),
    dataset("births", ["SOCI", "GOVE"], "monthly", months.map((month) => {
      const girls = Math.round(40 + random() * 60);
      const boys = Math.round(40 + random() * 60);
      return [month, girls, boys, girls + boys];
    })),
    dataset("markets", ["ECON"], "annual", words.markets.map((market, index) => [market, Math.round(50 + random() * 400), amount(15) / 10, words.days[index]!])),
    dataset("water", ["ENVI", "HEAL"], "quarterly", Array.from({ length: 12 }, (_, index) => [
      `PE-${String(index + 1).padStart(3, "0")}`,
      words.waterKinds[index % 3]!,
      quartiers[index % quartiers.length]!,
      random() < 0.75 ? words.working[0] : words.working[1],
      Math.round(20 + random() * 180),
    ])),
    dataset("schools", ["EDUC"], "annual", Array.from({ length: 8 }, (_, index) => [
      words.school(index, quartiers[index % quartiers.length]!),
      index < 6 ? words.levels[0] : words.levels[1],
      quartiers[index % quartiers.length]!,
      Math.round(4 + random() * 10),
      Math.round(100 + random() * 250),
      Math.round(100 + random() * 250),
    ])),
  ];
}

/** What the demo of one municipality holds, for the start's progress lines. */
export interface OpenDataSeeded {
  datasets: number;
  rows: number;
}

export async function seedOpenData(
  tx: Tx,
  filesDir: string,
  municipality: { id: string; name: string; currency: string; language?: string },
  editorId: string | null,
): Promise<OpenDataSeeded> {
  const year = new Date().getUTCFullYear();
  const random = generator(municipality.name);
  // The datasets are written in the municipality's first language, when the demo speaks it.
  const language: DemoLanguage = municipality.language === "pt" ? "pt" : "fr";
  const words = WORDS[language];
  let rows = 0;
  const datasets = datasetsFor(municipality.name, municipality.currency, year, random, language);
  for (const dataset of datasets) {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO datasets (municipality_id, slug, title, description, themes, tags, licence, frequency, spatial, temporal_start, temporal_end,
         contact_name, language, status, published_at, version, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'odbl-1.0', $7, $8, $9, $10, $11, $13, 'published', now(), 1, $12, $12) RETURNING id`,
      [municipality.id, dataset.slug, dataset.title, dataset.description, dataset.themes, dataset.tags, dataset.frequency, municipality.name, `${year}-01-01`, `${year}-12-31`, words.contact(municipality.name), editorId, language],
    );
    const file = await storeFile(tx, filesDir, { municipalityId: municipality.id, data: dataset.content, mediaType: "text/csv", originalName: dataset.file, createdBy: editorId });
    const [resource] = await tx.query<{ id: string }>(
      "INSERT INTO dataset_resources (municipality_id, dataset_id, name, file_id, format) VALUES ($1, $2, $3, $4, 'CSV') RETURNING id",
      [municipality.id, row!.id, dataset.file, file.id],
    );
    rows += await loadResourceTable(tx, municipality.id, resource!.id, dataset.content, "CSV");
    await tx.query(
      `INSERT INTO dataset_versions (municipality_id, dataset_id, version, snapshot, changed, published_by)
       SELECT municipality_id, id, 1, to_jsonb(d) - 'search_vector', '{status}', $3 FROM datasets d WHERE municipality_id = $1 AND id = $2`,
      [municipality.id, row!.id, editorId],
    );
  }
  return { datasets: datasets.length, rows };
}

/** The open-data demo step: the five datasets in every demo municipality, published by its editor. */
export async function seedOpenDataDemo({ db, filesDir, municipalities, progress }: DemoSeedContext): Promise<void> {
  for (const m of municipalities) {
    const seeded = await seedOpenData(db, filesDir, { id: m.id, name: m.name, currency: m.currency, language: m.languages[0] }, m.staff.editor?.id ?? null);
    progress?.(`demo: ${m.name} — ${seeded.datasets} datasets, ${seeded.rows} rows`);
  }
}
