import { confirmAccount, createSession, createUser, grantMunicipalRole, grantNetworkRole, hashPassword, loadActor } from "../src/core/auth/accounts.js";
import type { Actor, MunicipalRole, NetworkRole } from "../src/core/auth/roles.js";
import type { Db } from "../src/core/db/index.js";
import { getNetwork, insertMunicipality, type Municipality } from "../src/core/tenancy/index.js";
import * as eservices from "../src/modules/eservices/service.js";
import * as eservicesStore from "../src/modules/eservices/store.js";
import type { Answers, FormDefinition } from "../src/modules/eservices/form-definition.js";
import type { ProcedureInput } from "../src/modules/eservices/schema.js";
import * as opendata from "../src/modules/opendata/service.js";
import type { DatasetInput, DatasetRow } from "../src/modules/opendata/store.js";
import * as participation from "../src/modules/participation/service.js";
import * as participationStore from "../src/modules/participation/store.js";
import * as proposals from "../src/modules/participation/proposals/service.js";
import * as portal from "../src/modules/portal/service.js";
import type { NewsRow, OfficialRow, PageRow } from "../src/modules/portal/store.js";
import { DEMO_PASSWORD } from "../src/seed/demo.js";

/**
 * Small factories: each makes what one test needs through the modules' own services and stores,
 * so a test states its data instead of hunting for demo rows by SQL, and can run on a database
 * that holds no demo (`createTestApp({ seed: false })`). Names, addresses and numbers are unique
 * within a database, so a test may call a factory as often as it likes.
 */

let sequence = 0;
/** A number no other factory call in this process has used: a test file's database is its own. */
const suffix = () => ++sequence;

const COUNTRIES: Record<string, { calling: string; currency: string; timeZone: string }> = {
  SN: { calling: "221", currency: "XOF", timeZone: "Africa/Dakar" },
  GN: { calling: "224", currency: "GNF", timeZone: "Africa/Conakry" },
  GW: { calling: "245", currency: "XOF", timeZone: "Africa/Bissau" },
  NE: { calling: "227", currency: "XOF", timeZone: "Africa/Niamey" },
};

/** A Senegalese mobile number (the demo's are +22177…, these +22178…). */
function phoneNumber(): string {
  return `+22178${String(suffix()).padStart(7, "0")}`;
}

/** One argon2 hash for every factory account: hashing is slow on purpose, and tests sign in with DEMO_PASSWORD. */
let passwordHash: Promise<string> | undefined;
const demoPasswordHash = () => (passwordHash ??= hashPassword(DEMO_PASSWORD));

/** The network every municipality belongs to, made when the database has none. */
export async function ensureNetwork(db: Db): Promise<string> {
  const existing = await getNetwork(db);
  if (existing) return existing.id;
  const [row] = await db.query<{ id: string }>("INSERT INTO network (slug, name, description) VALUES ('log', 'Réseau de test', '') RETURNING id");
  return row!.id;
}

async function ensureCountry(db: Db, code: string, networkId: string): Promise<void> {
  const country = COUNTRIES[code];
  if (!country) throw new Error(`no factory data for country ${code}`);
  await db.query("INSERT INTO countries (code, calling_code, currency, network_id) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING", [code, country.calling, country.currency, networkId]);
}

export interface MunicipalityOptions {
  slug?: string;
  name?: string;
  /** The code leading its references; unique in the network, derived from the sequence when absent. */
  referenceCode?: string;
  country?: keyof typeof COUNTRIES;
  languages?: string[];
  timeZone?: string;
}

/** A municipality of the network, with its reference code (its country is added when missing). */
export async function createMunicipality(db: Db, options: MunicipalityOptions = {}): Promise<Municipality> {
  const n = suffix();
  const country = options.country ?? "SN";
  const networkId = await ensureNetwork(db);
  await ensureCountry(db, country, networkId);
  return insertMunicipality(
    db,
    {
      slug: options.slug ?? `commune-${n}`,
      referenceCode: options.referenceCode ?? `T${String(n).padStart(3, "0")}`,
      name: options.name ?? `Commune ${n}`,
      countryCode: country,
      region: "Région de test",
      timeZone: options.timeZone ?? COUNTRIES[country]!.timeZone,
      languages: options.languages ?? ["fr"],
      description: "",
    },
    networkId,
  );
}

export interface Person {
  id: string;
  name: string;
  /** What they sign in with: `new Browser(app).signIn(person.phone)`, password DEMO_PASSWORD. */
  phone: string;
}

async function createPerson(db: Db, options: { name?: string; phone?: string; locale?: string; confirmed?: boolean }): Promise<Person> {
  const phone = options.phone ?? phoneNumber();
  const name = options.name ?? `Personne ${suffix()}`;
  const user = await createUser(db, { name, phone, email: null, passwordHash: await demoPasswordHash(), locale: options.locale ?? "fr" });
  if (options.confirmed !== false) await db.transaction((tx) => confirmAccount(tx, user.id, { method: "code" }));
  return { id: user.id, name, phone };
}

/**
 * A resident of the municipality, as sign-up there makes one (an account with the citizen role),
 * confirmed unless told otherwise; `verified` adds the resident check participation asks for.
 */
export async function createResident(
  db: Db,
  municipality: Municipality,
  options: { name?: string; phone?: string; locale?: string; confirmed?: boolean; verified?: boolean } = {},
): Promise<Person> {
  const person = await createPerson(db, options);
  await db.transaction((tx) => grantMunicipalRole(tx, { municipalityId: municipality.id, userId: person.id, role: "citizen", grantedBy: person.id }));
  if (options.verified) await participationStore.verify(db, municipality.id, person.id, "sms_code", null);
  return person;
}

/** A confirmed account holding one role in the municipality. */
export async function createStaff(db: Db, municipality: Municipality, role: MunicipalRole, options: { name?: string; locale?: string } = {}): Promise<Person> {
  const person = await createPerson(db, options);
  await db.transaction((tx) => grantMunicipalRole(tx, { municipalityId: municipality.id, userId: person.id, role, grantedBy: null }));
  return person;
}

/** A confirmed account holding a network role (superadmin, coordinator, volunteer). */
export async function createNetworkStaff(db: Db, role: NetworkRole, options: { name?: string; locale?: string } = {}): Promise<Person> {
  const person = await createPerson(db, options);
  await db.transaction((tx) => grantNetworkRole(tx, { userId: person.id, role, grantedBy: null }));
  return person;
}

/** The signed-in person as the services see them, for services that take an Actor. */
export async function actorOf(db: Db, person: Person): Promise<Actor> {
  return (await loadActor(db, await createSession(db, person.id)))!;
}

// ---------------------------------------------------------------------------------------------
// Portal

export async function createNews(db: Db, municipality: Municipality, author: Person, options: { title?: string; published?: boolean } = {}): Promise<NewsRow> {
  const news = await portal.createNews(db, municipality.id, author.id, { title: options.title ?? `Actualité ${suffix()}`, summary: "", body: "Texte de l'actualité.", language: "fr" });
  return options.published ? portal.setNewsPublication(db, municipality.id, author.id, news.id, "published") : news;
}

export async function createPage(db: Db, municipality: Municipality, author: Person, options: { slug?: string; title?: string; published?: boolean } = {}): Promise<PageRow> {
  const n = suffix();
  const page = await portal.createPage(db, municipality.id, author.id, { slug: options.slug ?? `page-${n}`, title: options.title ?? `Page ${n}`, body: "Texte de la page.", language: "fr" });
  return options.published ? portal.setPagePublication(db, municipality.id, author.id, page.id, "published") : page;
}

export async function createOfficial(db: Db, municipality: Municipality, administrator: Person, options: { name?: string; title?: string } = {}): Promise<OfficialRow> {
  return portal.addOfficial(db, municipality.id, administrator.id, { name: options.name ?? `Élu ${suffix()}`, title: options.title ?? "Maire", position: 0 });
}

// ---------------------------------------------------------------------------------------------
// E-services

/** One required text field: the smallest form a procedure can be published with. */
const ONE_FIELD_FORM: FormDefinition = { sections: [{ id: "demande", title: "Demande", fields: [{ id: "motif", label: "Motif de la demande", type: "text", required: true, maxLength: 200 }] }] };

/** A procedure, published unless told otherwise, instructed by agents and administrators. */
export async function createProcedure(
  db: Db,
  municipality: Municipality,
  administrator: Person,
  options: Partial<ProcedureInput> & { published?: boolean } = {},
): Promise<eservicesStore.ProcedureRow> {
  const { published, ...overrides } = options;
  const n = suffix();
  const input: ProcedureInput = {
    slug: `demarche-${n}`,
    title: `Démarche ${n}`,
    description: "",
    category: "other",
    form: ONE_FIELD_FORM,
    documents: [],
    feeAmount: 0,
    feePayment: "",
    processingDays: 10,
    instructorRoles: ["agent", "administrator"],
    retentionDays: 365,
    certificate: null,
    ...overrides,
  };
  const id = await eservices.createProcedure(db, municipality.id, administrator.id, input);
  if (published !== false) await eservices.setProcedureStatus(db, municipality.id, administrator.id, id, "published");
  return (await eservicesStore.getProcedure(db, municipality.id, id))!;
}

/** A resident's dossier on the procedure: a draft, or submitted (given its reference) with `submitted`. */
export async function createDossier(
  db: Db,
  context: { filesDir: string; publicUrl: string },
  municipality: Municipality,
  procedure: eservicesStore.ProcedureRow,
  applicant: Person,
  options: { answers?: Answers; submitted?: boolean } = {},
): Promise<eservicesStore.DossierRow> {
  const answers = options.answers ?? { motif: "Pour un dossier administratif" };
  const id = await eservices.createDraft(db, context.filesDir, municipality, procedure, {
    applicant: { id: applicant.id, name: applicant.name, phone: applicant.phone, email: null, locale: "fr" },
    answers,
    files: [],
    channel: "web",
    filedBy: null,
  });
  if (!options.submitted) return (await eservicesStore.getDossier(db, municipality.id, id))!;
  return eservices.transition(
    { db, notifier: { name: "silent", delivers: true, deliver: async () => undefined }, filesDir: context.filesDir, publicUrl: context.publicUrl, municipality, actor: await actorOf(db, applicant), as: ["applicant"] },
    id,
    "submit",
  );
}

// ---------------------------------------------------------------------------------------------
// Participation

/** A published process with one phase, open today for proposals and supports. */
export async function createProcess(db: Db, municipality: Municipality, editor: Person, options: { slug?: string; title?: string } = {}): Promise<participationStore.ProcessRow> {
  const n = suffix();
  const id = await participation.createProcess(db, municipality.id, editor.id, { slug: options.slug ?? `concertation-${n}`, title: options.title ?? `Concertation ${n}`, description: "", scope: "", categories: [] });
  const today = participation.localToday(municipality.time_zone);
  const day = 86_400_000;
  const iso = (offset: number) => new Date(Date.parse(`${today}T12:00:00Z`) + offset * day).toISOString().slice(0, 10);
  await participation.addPhase(db, municipality.id, editor.id, id, { title: "Propositions", description: "", starts_on: iso(-1), ends_on: iso(30), proposals_open: true, supports_open: true });
  await participation.setProcessStatus(db, municipality.id, editor.id, id, "published");
  return (await participationStore.getProcess(db, municipality.id, id))!;
}

/** A proposal by a verified resident in a process whose phase takes proposals. */
export async function createProposal(
  db: Db,
  filesDir: string,
  municipality: Municipality,
  process: participationStore.ProcessRow,
  author: Person,
  options: { title?: string } = {},
): Promise<string> {
  return proposals.createProposal(db, filesDir, municipality, await actorOf(db, author), process, {
    title: options.title ?? `Proposition ${suffix()}`,
    body: "Texte de la proposition.",
    category: "",
    location: "",
    photo: null,
  });
}

// ---------------------------------------------------------------------------------------------
// Open data

/** A dataset, a draft unless `published` (then with one link resource: a dataset is published only with a resource). */
/** A dataset with every field empty or at its default, to spread before what a test sets. */
export const EMPTY_DATASET: DatasetInput = {
  slug: "",
  title: "",
  description: "",
  themes: [],
  tags: [],
  licence: "odbl-1.0",
  frequency: "irregular",
  spatial: "",
  temporal_start: null,
  temporal_end: null,
  contact_name: "",
  contact_email: "",
  language: "fr",
};

export async function createDataset(db: Db, municipality: Municipality, editor: Person, options: Partial<DatasetInput> & { published?: boolean } = {}): Promise<DatasetRow> {
  const { published, ...overrides } = options;
  const n = suffix();
  const dataset = await opendata.createDataset(db, municipality.id, editor.id, {
    ...EMPTY_DATASET,
    slug: `donnees-${n}`,
    title: `Données ${n}`,
    licence: "lo-2.0",
    ...overrides,
  });
  if (!published) return dataset;
  // A link needs no stored file, so no files folder.
  await opendata.addResource(db, "", municipality.id, editor.id, dataset.id, { name: "Lien", description: "", url: "https://example.org/donnees.csv", upload: undefined, format: "csv" });
  return opendata.setDatasetPublication(db, municipality.id, editor.id, dataset.id, "published");
}
