import { createCheckpoints } from "../core/audit/checkpoints.js";
import { recordAudit } from "../core/audit/index.js";
import { hashPassword } from "../core/auth/accounts.js";
import type { MunicipalRole } from "../core/auth/roles.js";
import type { Db, Tx } from "../core/db/index.js";
import { seedOpenData } from "./opendata-demo.js";
import { seedEservices } from "./eservices-demo.js";
import { seedBudgets } from "./budgets-demo.js";
import { seedMeetings } from "./meetings-demo.js";
import { seedBudgetProcess, seedParticipation } from "./participation-demo.js";
import { seedSurveys } from "./surveys-demo.js";

/** The password of every demo account, printed in the README; change it before real use. */
export const DEMO_PASSWORD = "demo-cite-2026";

interface DemoMunicipality {
  slug: string;
  /** The code leading its citizens' references (RUF-2026-00042). */
  referenceCode: string;
  name: string;
  country: string;
  region: string;
  timeZone: string;
  currency: string;
  languages: string[];
  description: string;
  officials: [string, string][];
  /** Demo staff: role → phone number (E.164). */
  staff: Partial<Record<MunicipalRole, string>>;
}

const COUNTRIES = [
  { code: "SN", calling: "221", currency: "XOF" },
  { code: "GN", calling: "224", currency: "GNF" },
  { code: "GW", calling: "245", currency: "XOF" },
  { code: "NE", calling: "227", currency: "XOF" },
];

export const DEMO_MUNICIPALITIES: DemoMunicipality[] = [
  {
    slug: "rufisque",
    referenceCode: "RUF",
    name: "Rufisque",
    country: "SN",
    region: "Dakar",
    timeZone: "Africa/Dakar",
    currency: "XOF",
    languages: ["fr"],
    description: "Ville historique de la presqu'île du Cap-Vert, membre du Local Open GovLab depuis 2021.",
    officials: [
      ["Awa Ndiaye", "Maire"],
      ["Moussa Diop", "Premier adjoint au maire"],
      ["Fatou Sarr", "Secrétaire municipale"],
    ],
    staff: { administrator: "+221770000101", editor: "+221770000102", agent: "+221770000103", citizen: "+221770000104" },
  },
  {
    slug: "kouroussa",
    referenceCode: "KOU",
    name: "Kouroussa",
    country: "GN",
    region: "Kankan",
    timeZone: "Africa/Conakry",
    currency: "GNF",
    languages: ["fr"],
    description: "Commune urbaine de Haute-Guinée, sur les rives du Niger.",
    officials: [
      ["Mamadou Kouyaté", "Maire"],
      ["Kadiatou Condé", "Adjointe au maire chargée des finances"],
    ],
    staff: { administrator: "+224620000201", editor: "+224620000202", agent: "+224620000203" },
  },
  {
    slug: "dan-kassari",
    referenceCode: "DAN",
    name: "Dan-Kassari",
    country: "NE",
    region: "Dosso",
    timeZone: "Africa/Niamey",
    currency: "XOF",
    languages: ["fr"],
    description: "Commune rurale de la région de Dosso.",
    officials: [
      ["Issoufou Garba", "Maire"],
      ["Hadiza Moussa", "Secrétaire générale"],
    ],
    staff: { administrator: "+22790000301", editor: "+22790000302" },
  },
  {
    slug: "bissau",
    referenceCode: "BIS",
    name: "Bissau",
    country: "GW",
    region: "Setor Autónomo de Bissau",
    timeZone: "Africa/Bissau",
    currency: "XOF",
    languages: ["pt", "fr"],
    description: "Capital da Guiné-Bissau e do Setor Autónomo de Bissau.",
    officials: [
      ["Luís Mendes", "Presidente da Câmara Municipal"],
      ["Maria da Silva", "Vereadora"],
    ],
    staff: { administrator: "+245955000401", editor: "+245955000402" },
  },
  {
    slug: "fass-colobane",
    referenceCode: "FAS",
    name: "Fass-Colobane",
    country: "SN",
    region: "Dakar",
    timeZone: "Africa/Dakar",
    currency: "XOF",
    languages: ["fr"],
    description: "Commune d'arrondissement de Dakar, Gueule Tapée–Fass–Colobane.",
    officials: [
      ["Ousmane Fall", "Maire"],
      ["Aïssatou Ba", "Adjointe au maire"],
    ],
    staff: { administrator: "+221770000501", editor: "+221770000502" },
  },
  {
    slug: "mantakari",
    referenceCode: "MAN",
    name: "Mantakari",
    country: "NE",
    region: "Tillabéri",
    timeZone: "Africa/Niamey",
    currency: "XOF",
    languages: ["fr"],
    description: "Commune rurale du département de Filingué.",
    officials: [
      ["Abdou Salifou", "Maire"],
      ["Rakia Hamani", "Secrétaire générale"],
    ],
    staff: { administrator: "+22790000601", editor: "+22790000602" },
  },
  {
    slug: "labe",
    referenceCode: "LAB",
    name: "Labé",
    country: "GN",
    region: "Labé",
    timeZone: "Africa/Conakry",
    currency: "GNF",
    languages: ["fr"],
    description: "Capitale du Fouta-Djalon, en Moyenne-Guinée.",
    officials: [
      ["Thierno Diallo", "Maire"],
      ["Mariama Bah", "Première adjointe au maire"],
    ],
    staff: { administrator: "+224620000701", editor: "+224620000702", agent: "+224620000703" },
  },
];

/** Network-wide demo accounts, by e-mail. */
export const DEMO_NETWORK_ACCOUNTS = [
  { email: "superadmin@log.example", name: "Administration du réseau", role: "superadmin" as const },
  { email: "coordination@log.example", name: "Coordination LOG", role: "coordinator" as const },
  { email: "volontaire@log.example", name: "Aminata Volontaire", role: "volunteer" as const },
];

const ROLE_NAMES: Record<MunicipalRole, string> = {
  administrator: "Administration",
  editor: "Rédaction",
  agent: "Guichet",
  citizen: "Habitant",
};

function newsFor(m: DemoMunicipality): { title: string; summary: string; body: string; language: string; publishedDaysAgo: number | null }[] {
  if (m.languages[0] === "pt") {
    return [
      {
        title: `${m.name} publica o seu orçamento municipal`,
        summary: "O orçamento do ano está disponível para consulta de todos.",
        body: `A Câmara Municipal de ${m.name} publica o orçamento aprovado em sessão.\n\nOs munícipes podem consultá-lo na câmara e em linha.`,
        language: "pt",
        publishedDaysAgo: 3,
      },
      {
        title: "Reunião pública sobre o plano de ação local",
        summary: "Todos os munícipes estão convidados.",
        body: "Uma reunião pública sobre o plano de ação de governo aberto terá lugar na câmara municipal.\n\nA participação é livre.",
        language: "pt",
        publishedDaysAgo: 10,
      },
      { title: "Rascunho: horário de verão dos serviços", summary: "", body: "Texto em preparação.", language: "pt", publishedDaysAgo: null },
    ];
  }
  return [
    {
      title: `${m.name} ouvre son budget aux citoyens`,
      summary: "Le budget primitif de l'année est publié et consultable par tous.",
      body: `La commune de ${m.name} publie son budget primitif adopté en conseil municipal.\n\nChaque habitant peut le consulter à la mairie et en ligne, et poser ses questions lors de la prochaine séance publique.`,
      language: "fr",
      publishedDaysAgo: 2,
    },
    {
      title: "Lancement du cadre de concertation communal",
      summary: "Un espace de dialogue entre la mairie, les organisations de la société civile et les habitants.",
      body: "Le cadre de concertation réunira chaque trimestre la mairie, les associations de quartier, les organisations de femmes et de jeunes.\n\nLa première rencontre portera sur le plan d'action local de gouvernement ouvert.",
      language: "fr",
      publishedDaysAgo: 9,
    },
    {
      title: "Campagne d'enregistrement des naissances",
      summary: "Les agents de l'état civil se déplacent dans les quartiers.",
      body: "Pendant un mois, les agents de l'état civil tiendront des permanences dans les quartiers pour enregistrer les naissances non déclarées.\n\nMunissez-vous du certificat d'accouchement si vous l'avez.",
      language: "fr",
      publishedDaysAgo: 20,
    },
    { title: "Brouillon : horaires d'hivernage des services", summary: "", body: "Texte en préparation.", language: "fr", publishedDaysAgo: null },
  ];
}

function pagesFor(m: DemoMunicipality): { slug: string; title: string; body: string; language: string; published: boolean }[] {
  const pt = m.languages[0] === "pt";
  return [
    {
      slug: pt ? "sobre" : "a-propos",
      title: pt ? `Sobre ${m.name}` : `À propos de ${m.name}`,
      body: m.description + (pt ? "\n\nA câmara municipal está aberta de segunda a sexta-feira." : "\n\nLa mairie est ouverte du lundi au vendredi."),
      language: pt ? "pt" : "fr",
      published: true,
    },
    {
      slug: pt ? "horarios" : "horaires",
      title: pt ? "Horários da câmara" : "Horaires de la mairie",
      body: pt ? "Segunda a sexta-feira: 8h00–15h00." : "Du lundi au jeudi : 8 h – 16 h.\n\nLe vendredi : 8 h – 13 h.",
      language: pt ? "pt" : "fr",
      published: true,
    },
    {
      slug: pt ? "rascunho" : "brouillon",
      title: pt ? "Página em preparação" : "Page en préparation",
      body: pt ? "Conteúdo interno." : "Contenu interne non publié.",
      language: pt ? "pt" : "fr",
      published: false,
    },
  ];
}

async function insertUser(tx: Tx, values: { name: string; phone?: string; email?: string; hash: string; locale: string }): Promise<string> {
  // Demo accounts are confirmed, so that the README's sign-ins act at once.
  const [row] = await tx.query<{ id: string }>("INSERT INTO users (name, phone, email, password_hash, locale, confirmed_at) VALUES ($1, $2, $3, $4, $5, now()) RETURNING id", [
    values.name,
    values.phone ?? null,
    values.email ?? null,
    values.hash,
    values.locale,
  ]);
  return row!.id;
}

/** The municipalities whose demo shows participation at work: a live process, meetings. */
const PARTICIPATION_DEMO = new Set(["rufisque", "labe"]);

/** The municipalities whose demo shows the e-services at work (one in Senegal, one in Guinea). */
const E_SERVICES_DEMO = new Set(["rufisque", "labe"]);

/**
 * Loads the demo network once: a second call on a database that already holds a network
 * changes nothing and returns false, so restarting never duplicates or overwrites data.
 */
export async function seedDemo(db: Db, filesDir: string, publicUrl = "http://localhost:3000"): Promise<boolean> {
  const hash = await hashPassword(DEMO_PASSWORD);
  const seeded = await db.transaction(async (tx) => {
    const [existing] = await tx.query("SELECT id FROM network LIMIT 1");
    if (existing) return false;
    const [network] = await tx.query<{ id: string }>(
      "INSERT INTO network (slug, name, description) VALUES ($1, $2, $3) RETURNING id",
      ["log", "Local Open GovLab", "Laboratoire d'innovation et de participation citoyenne pour une gouvernance locale ouverte, en Afrique de l'Ouest."],
    );
    for (const country of COUNTRIES) {
      await tx.query("INSERT INTO countries (code, calling_code, currency, network_id) VALUES ($1, $2, $3, $4)", [country.code, country.calling, country.currency, network!.id]);
    }
    for (const account of DEMO_NETWORK_ACCOUNTS) {
      const userId = await insertUser(tx, { name: account.name, email: account.email, hash, locale: "fr" });
      await tx.query("INSERT INTO network_roles (user_id, role) VALUES ($1, $2)", [userId, account.role]);
    }
    for (const m of DEMO_MUNICIPALITIES) {
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO municipalities (slug, reference_code, name, country_code, region, time_zone, currency, languages, description, network_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [m.slug, m.referenceCode, m.name, m.country, m.region, m.timeZone, m.currency, m.languages, m.description, network!.id],
      );
      const municipalityId = row!.id;
      for (const [index, [name, title]] of m.officials.entries()) {
        await tx.query("INSERT INTO officials (municipality_id, name, title, position) VALUES ($1, $2, $3, $4)", [municipalityId, name, title, index]);
      }
      let editorId: string | null = null;
      const staffIds: Partial<Record<MunicipalRole, { id: string; name: string; phone: string }>> = {};
      for (const [role, phone] of Object.entries(m.staff) as [MunicipalRole, string][]) {
        const name = `${ROLE_NAMES[role]} ${m.name}`;
        const userId = await insertUser(tx, { name, phone, hash, locale: m.languages[0]! });
        await tx.query("INSERT INTO municipal_roles (municipality_id, user_id, role) VALUES ($1, $2, $3)", [municipalityId, userId, role]);
        if (role === "editor") editorId = userId;
        staffIds[role] = { id: userId, name, phone };
      }
      for (const item of newsFor(m)) {
        const publishedAt = item.publishedDaysAgo === null ? null : new Date(Date.now() - item.publishedDaysAgo * 86_400_000);
        await tx.query(
          `INSERT INTO news (municipality_id, title, summary, body, language, status, published_at, created_by, updated_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
          [municipalityId, item.title, item.summary, item.body, item.language, publishedAt ? "published" : "draft", publishedAt, editorId],
        );
      }
      await seedOpenData(tx, filesDir, { id: municipalityId, name: m.name, currency: m.currency }, editorId);
      if (staffIds.editor && staffIds.agent) {
        await seedParticipation(tx, municipalityId, m.slug, hash, { editorId: staffIds.editor.id, agentId: staffIds.agent.id });
        if (PARTICIPATION_DEMO.has(m.slug)) {
          await seedMeetings(tx, municipalityId, { editorId: staffIds.editor.id, agentId: staffIds.agent.id, ...(staffIds.citizen ? { citizenId: staffIds.citizen.id } : {}) });
          const [plan] = await tx.query<{ id: string }>("SELECT id FROM processes WHERE municipality_id = $1 AND slug = 'plan-action-local-2027'", [municipalityId]);
          const respondents = (await tx.query<{ user_id: string }>("SELECT user_id FROM resident_verifications WHERE municipality_id = $1 ORDER BY verified_at, user_id", [municipalityId])).map((row) => row.user_id);
          await seedSurveys(tx, municipalityId, plan!.id, staffIds.editor.id, respondents);
          await seedBudgets(tx, municipalityId, await seedBudgetProcess(tx, municipalityId, staffIds.editor.id), staffIds.editor.id);
        }
      }
      if (E_SERVICES_DEMO.has(m.slug) && staffIds.agent && staffIds.administrator) {
        await seedEservices(tx, filesDir, publicUrl, municipalityId, { agentId: staffIds.agent.id, administratorId: staffIds.administrator.id, ...(staffIds.citizen ? { citizen: staffIds.citizen } : {}) });
      }
      for (const page of pagesFor(m)) {
        await tx.query(
          `INSERT INTO pages (municipality_id, slug, title, body, language, status, published_at, created_by, updated_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
          [municipalityId, page.slug, page.title, page.body, page.language, page.published ? "published" : "draft", page.published ? new Date() : null, editorId],
        );
      }
    }
    await recordAudit(tx, { actorId: null, municipalityId: null, action: "system.seed.demo", subjectType: "network", subjectId: network!.id, data: { municipalities: DEMO_MUNICIPALITIES.length } });
    return true;
  });
  // The demo's audit chains start published: their first checkpoints, as the daily job makes them.
  if (seeded) await createCheckpoints(db);
  return seeded;
}
