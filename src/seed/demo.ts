import { createCheckpoints } from "../core/audit/checkpoints.js";
import { recordAudit } from "../core/audit/index.js";
import { hashPassword } from "../core/auth/accounts.js";
import type { MunicipalRole } from "../core/auth/roles.js";
import type { Db } from "../core/db/index.js";
import { insertRows } from "../core/db/insert.js";
import type { DemoMunicipalitySeeded } from "../core/modules.js";
import { MODULES } from "../modules/index.js";

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

/** Demo accounts are confirmed, so that the README's sign-ins act at once. */
const DEMO_USER_COLUMNS = ["name", "phone", "email", "password_hash", "locale"] as const;
const CONFIRMED_NOW = { constants: { confirmed_at: "now()" } };

/**
 * Loads the demo network once: a second call on a database that already holds a network
 * changes nothing and returns false, so restarting never duplicates or overwrites data. Core
 * makes the network, its municipalities, accounts and staff; then each module, in the order the
 * platform lists them, adds its own demo data through its manifest's seed.
 */
export async function seedDemo(db: Db, filesDir: string, publicUrl = "http://localhost:3000", options: { progress?: (line: string) => void } = {}): Promise<boolean> {
  const { progress } = options;
  // A later start stops here: no password hash, no transaction.
  const [already] = await db.query("SELECT id FROM network LIMIT 1");
  if (already) return false;
  // One hash for every demo account: they all share the README's password.
  const hash = await hashPassword(DEMO_PASSWORD);
  const seeded = await db.transaction(async (tx) => {
    const [existing] = await tx.query("SELECT id FROM network LIMIT 1");
    if (existing) return false;
    const [network] = await tx.query<{ id: string }>(
      "INSERT INTO network (slug, name, description) VALUES ($1, $2, $3) RETURNING id",
      ["log", "Local Open GovLab", "Laboratoire d'innovation et de participation citoyenne pour une gouvernance locale ouverte, en Afrique de l'Ouest."],
    );
    // One statement per table rather than per row: the rows, their order and their values are those of a loop.
    await insertRows(tx, "countries", ["code", "calling_code", "currency", "network_id"], COUNTRIES.map((country) => [country.code, country.calling, country.currency, network!.id]));
    const networkUsers = await insertRows<{ id: string; email: string }>(
      tx,
      "users",
      DEMO_USER_COLUMNS,
      DEMO_NETWORK_ACCOUNTS.map((account) => [account.name, null, account.email, hash, "fr"]),
      { ...CONFIRMED_NOW, returning: "id, email" },
    );
    const networkUserId = new Map(networkUsers.map((row) => [row.email, row.id]));
    await insertRows(tx, "network_roles", ["user_id", "role"], DEMO_NETWORK_ACCOUNTS.map((account) => [networkUserId.get(account.email)!, account.role]));

    const municipalityRows = await insertRows<{ id: string; slug: string }>(
      tx,
      "municipalities",
      ["slug", "reference_code", "name", "country_code", "region", "time_zone", "currency", "languages", "description", "network_id"],
      DEMO_MUNICIPALITIES.map((m) => [m.slug, m.referenceCode, m.name, m.country, m.region, m.timeZone, m.currency, m.languages, m.description, network!.id]),
      { returning: "id, slug" },
    );
    const municipalityId = new Map(municipalityRows.map((row) => [row.slug, row.id]));
    const staffAccounts = DEMO_MUNICIPALITIES.flatMap((m) =>
      (Object.entries(m.staff) as [MunicipalRole, string][]).map(([role, phone]) => ({ municipality: m, role, phone, name: `${ROLE_NAMES[role]} ${m.name}` })),
    );
    const staffUsers = await insertRows<{ id: string; phone: string }>(
      tx,
      "users",
      DEMO_USER_COLUMNS,
      staffAccounts.map((account) => [account.name, account.phone, null, hash, account.municipality.languages[0]!]),
      { ...CONFIRMED_NOW, returning: "id, phone" },
    );
    const staffUserId = new Map(staffUsers.map((row) => [row.phone, row.id]));
    await insertRows(
      tx,
      "municipal_roles",
      ["municipality_id", "user_id", "role"],
      staffAccounts.map((account) => [municipalityId.get(account.municipality.slug)!, staffUserId.get(account.phone)!, account.role]),
    );
    const municipalities: DemoMunicipalitySeeded[] = DEMO_MUNICIPALITIES.map((m) => {
      const staff: DemoMunicipalitySeeded["staff"] = {};
      for (const account of staffAccounts) {
        if (account.municipality === m) staff[account.role] = { id: staffUserId.get(account.phone)!, name: account.name, phone: account.phone };
      }
      return {
        id: municipalityId.get(m.slug)!,
        slug: m.slug,
        name: m.name,
        country: m.country,
        currency: m.currency,
        timeZone: m.timeZone,
        languages: m.languages,
        description: m.description,
        officials: m.officials,
        staff,
      };
    });
    const staffCount = municipalities.reduce((total, m) => total + Object.keys(m.staff).length, 0);
    progress?.(`demo: ${municipalities.length} municipalities, ${staffCount} staff accounts, ${DEMO_NETWORK_ACCOUNTS.length} network accounts`);
    for (const module of MODULES) {
      if (!module.seed) continue;
      progress?.(`demo: ${module.name}…`);
      await module.seed({ db: tx, filesDir, publicUrl, passwordHash: hash, municipalities, ...(progress ? { progress } : {}) });
    }
    await recordAudit(tx, { actorId: null, municipalityId: null, action: "system.seed.demo", subjectType: "network", subjectId: network!.id, data: { municipalities: DEMO_MUNICIPALITIES.length } });
    return true;
  });
  // The demo's audit chains start published: their first checkpoints, as the daily job makes them.
  if (seeded) await createCheckpoints(db);
  return seeded;
}
