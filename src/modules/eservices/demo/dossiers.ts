import type { Tx } from "../../../core/db/index.js";
import type { DemoSeedContext } from "../../../core/modules.js";
import type { Actor } from "../../../core/auth/roles.js";
import { storeFile } from "../../../core/files/index.js";
import type { ChannelAdapter } from "../../../core/notify/index.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { createDraft, createProcedure, setProcedureStatus, transition } from "../service.js";
import { NATIONAL_ID_FORMATS, type AnswerValue, type Answers, type FormDefinition, type SimpleFieldDef } from "../form-definition.js";
import { demoProcedures, demoProceduresGW } from "./procedures.js";

/*
 * The six demo procedures, published, with dossiers at every stage of instruction so that an
 * agent opening the queue sees real work: a draft, dossiers waiting (one overdue), one under
 * instruction, one sent back for corrections, accepted ones with their signed certificates,
 * a refused one, and one filed at the counter.
 */

interface Person {
  surname: string;
  firstNames: string;
}

type DemoCountry = "SN" | "GN" | "GW";

const PEOPLE: Record<DemoCountry, Person[]> = {
  SN: [
    { surname: "Ndiaye", firstNames: "Awa" },
    { surname: "Diop", firstNames: "Moussa" },
    { surname: "Sarr", firstNames: "Fatou Bintou" },
    { surname: "Faye", firstNames: "Ibrahima" },
    { surname: "Gueye", firstNames: "Mariama" },
    { surname: "Sow", firstNames: "Cheikh" },
  ],
  GN: [
    { surname: "Diallo", firstNames: "Mamadou Saliou" },
    { surname: "Barry", firstNames: "Aïssatou" },
    { surname: "Bah", firstNames: "Thierno" },
    { surname: "Sow", firstNames: "Kadiatou" },
    { surname: "Baldé", firstNames: "Ousmane" },
    { surname: "Camara", firstNames: "Fatoumata" },
  ],
  GW: [
    { surname: "Gomes", firstNames: "Maria Augusta" },
    { surname: "Sanhá", firstNames: "Bubacar" },
    { surname: "Có", firstNames: "Domingos" },
  ],
};

/** The smallest file a PDF reader opens: stands in for the documents a citizen attaches. */
const DEMO_PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
);

/** A plausible answer for each field a person must fill, shown or not, from their name and town. */
function sampleAnswers(def: FormDefinition, country: DemoCountry, person: Person, town: string, phone: string, fileId: string): Answers {
  const value = (field: SimpleFieldDef): AnswerValue | undefined => {
    const id = field.id;
    switch (field.type) {
      case "text":
        if (id === "prenom_pere") return "Mamadou";
        if (id === "prenom_mere") return "Fatou";
        if (id === "nom_mere") return "SARR";
        if (/prenom|^nomes$/.test(id)) return person.firstNames;
        if (/nom|apelido/.test(id)) return person.surname.toUpperCase();
        if (/lieu|centre|commune|ville|local/.test(id)) return town;
        if (/numero|acte|titre|lot|registre/.test(id)) return String(100 + (person.surname.length * 37) % 800);
        if (/annee/.test(id)) return "2019";
        if (country === "GW") return field.multiline ? "Informação fornecida para a demonstração." : "Demonstração";
        return field.multiline ? "Renseignement fourni pour la démonstration." : "Démonstration";
      case "number":
        if (/annee/.test(id)) return 2019;
        return Math.max(field.min ?? 1, Math.min(field.max ?? 120, field.integer ? 2 : 120));
      case "date":
        return /mariage/.test(id) ? "2015-12-19" : /depuis|desde/.test(id) ? "2018-03-01" : "1990-06-14";
      case "choice":
        return field.multiple ? [field.options[0]!.value] : field.options[0]!.value;
      case "yesno":
        return false;
      case "phone":
        return phone;
      case "national_id":
        return NATIONAL_ID_FORMATS[(field.country ?? country) as DemoCountry].normalise(NATIONAL_ID_FORMATS[(field.country ?? country) as DemoCountry].example);
      case "address":
        return { line: "", quarter: { SN: "Keury Souf", GN: "Kouroula", GW: "Bandim" }[country], town };
      case "file":
        return { fileId, name: "piece-justificative.pdf", mediaType: "application/pdf", sizeBytes: DEMO_PDF.length };
    }
  };
  const answers: Answers = {};
  for (const section of def.sections) {
    for (const field of section.fields) {
      // Conditional fields stay empty: the first option never opens them.
      if (field.showIf) continue;
      if (field.type === "repeat") {
        if (field.min > 0) answers[field.id] = [Object.fromEntries(field.fields.filter((sub) => !sub.showIf).map((sub) => [sub.id, value(sub)]).filter((entry) => entry[1] !== undefined))] as Answers[string];
        continue;
      }
      const answer = value(field);
      if (answer !== undefined) answers[field.id] = answer;
    }
  }
  return answers;
}

const actorOf = (id: string, name: string): Actor => ({ id, name, phone: null, email: null, locale: "fr", confirmed: true, municipalRoles: [], networkRoles: [] });

/** Demo messages go to the outbox only. */
const OUTBOX_ONLY: ChannelAdapter = { name: "demo", delivers: false, deliver: async () => undefined };

export async function seedEservices(
  tx: Tx,
  filesDir: string,
  publicUrl: string,
  municipalityId: string,
  staff: { agentId: string; administratorId: string; citizen?: { id: string; name: string; phone: string } },
): Promise<void> {
  const [found] = await tx.query<Municipality>("SELECT * FROM municipalities WHERE id = $1", [municipalityId]);
  if (!found || !["SN", "GN", "GW"].includes(found.country_code)) return;
  const municipality: Municipality = found;
  const country = found.country_code as DemoCountry;
  const procedures = new Map<string, Awaited<ReturnType<typeof loadProcedure>>>();
  async function loadProcedure(slug: string) {
    const [row] = await tx.query<import("../store.js").ProcedureRow>("SELECT * FROM procedures WHERE municipality_id = $1 AND slug = $2", [municipalityId, slug]);
    return row!;
  }
  for (const input of country === "GW" ? demoProceduresGW() : demoProcedures(country)) {
    const id = await createProcedure(tx, municipalityId, staff.administratorId, input);
    await setProcedureStatus(tx, municipalityId, staff.administratorId, id, "published");
    procedures.set(input.slug, await loadProcedure(input.slug));
  }

  // One stored file per dossier, as an upload makes: erasing one dossier's documents leaves the others'.
  const attachment = () => storeFile(tx, filesDir, { municipalityId, data: DEMO_PDF, mediaType: "application/pdf", originalName: "piece-justificative.pdf", createdBy: staff.agentId });
  const agent = actorOf(staff.agentId, "Guichet");
  const administrator = actorOf(staff.administratorId, "Administration");
  const context = (actor: Actor | null, as: ("applicant" | "instructor" | "administrator")[]) => ({ db: tx, notifier: OUTBOX_ONLY, filesDir, publicUrl, municipality, actor, as });
  const phones = {
    SN: ["+221771234501", "+221771234502", "+221771234503", "+221771234504", "+221771234505", "+221771234506"],
    GN: ["+224621234501", "+224621234502", "+224621234503", "+224621234504", "+224621234505", "+224621234506"],
    GW: ["+245955123401", "+245955123402", "+245955123403"],
  }[country];
  const locale = country === "GW" ? ("pt" as const) : ("fr" as const);

  /** A dossier filed at the counter (or on the web by the demo citizen) and taken to a state. */
  async function dossier(slug: string, index: number, path: ("take" | "accept" | "refuse" | "request_correction")[], options: { web?: boolean; daysAgo: number; draft?: boolean }) {
    const procedure = procedures.get(slug)!;
    const person = PEOPLE[country][index % PEOPLE[country].length]!;
    const web = options.web && staff.citizen;
    const applicant = web
      ? { id: staff.citizen!.id, name: staff.citizen!.name, phone: staff.citizen!.phone, email: null, locale }
      : { id: null, name: `${person.firstNames} ${person.surname}`, phone: phones[index % phones.length]!, email: null, locale };
    const answers = sampleAnswers(procedure.form, country, person, municipality.name, applicant.phone, (await attachment()).id);
    const id = await createDraft(tx, filesDir, municipality, procedure, { applicant, answers, files: [], channel: web ? "web" : "counter", filedBy: web ? null : staff.agentId });
    if (options.draft) return id;
    await transition(context(web ? actorOf(staff.citizen!.id, staff.citizen!.name) : agent, ["applicant"]), id, "submit");
    for (const step of path) {
      const message =
        step === "refuse"
          ? "Le numéro d'acte indiqué ne correspond à aucun registre de l'année. Vérifiez l'extrait en votre possession et déposez une nouvelle demande."
          : step === "request_correction"
            ? "Merci de joindre une pièce justificative lisible : la photo envoyée est floue."
            : "";
      await transition(context(step === "take" ? agent : administrator, ["instructor", "administrator"]), id, step, message);
    }
    // Spread the demo over the past weeks, so that delays and overdue marks mean something.
    await tx.query(
      `UPDATE dossiers SET submitted_at = now() - make_interval(days => $3), created_at = now() - make_interval(days => $3),
         due_on = (now() - make_interval(days => $3))::date + $4::int,
         decided_at = CASE WHEN decided_at IS NULL THEN NULL ELSE now() - make_interval(days => GREATEST($3 - $4 + 1, 0)) END
       WHERE municipality_id = $1 AND id = $2`,
      [municipalityId, id, options.daysAgo, procedure.processing_days],
    );
    return id;
  }

  if (country === "GW") {
    // Bissau's certificates are issued in Portuguese, its official language.
    await dossier("atestado-residencia", 0, ["take", "accept"], { daysAgo: 5 });
    await dossier("atestado-residencia", 1, ["take", "accept"], { daysAgo: 3 });
    await dossier("atestado-residencia", 2, [], { daysAgo: 1 });
    return;
  }
  await dossier("extrait-acte-naissance", 0, ["take", "accept"], { web: true, daysAgo: 9 });
  await dossier("extrait-acte-naissance", 1, ["take", "accept"], { daysAgo: 6 });
  await dossier("extrait-acte-naissance", 2, [], { daysAgo: 8 });
  await dossier("extrait-acte-naissance", 3, [], { daysAgo: 1 });
  await dossier("copie-acte-mariage", 4, ["take", "refuse"], { daysAgo: 12 });
  await dossier("certificat-residence", 5, ["take", "request_correction"], { web: true, daysAgo: 2 });
  await dossier("certificat-residence", 1, ["take", "accept"], { daysAgo: 20 });
  await dossier("legalisation-signature", 2, ["take"], { daysAgo: 0 });
  await dossier("demande-permis-construire", 3, ["take"], { daysAgo: 30 });
  await dossier("attribution-terrain", 0, [], { web: true, daysAgo: 0, draft: true });
}

/** The municipalities whose demo shows the e-services at work (one in Senegal, one in Guinea, one in Guinea-Bissau). */
const E_SERVICES_DEMO = new Set(["rufisque", "labe", "bissau"]);

/** The e-services demo step: procedures and dossiers where a counter agent and an administrator work. */
export async function seedEservicesDemo({ db, filesDir, publicUrl, municipalities, progress }: DemoSeedContext): Promise<void> {
  for (const m of municipalities) {
    const { agent, administrator, citizen } = m.staff;
    if (!E_SERVICES_DEMO.has(m.slug) || !administrator) continue;
    // Bissau's demo has no counter agent: its administrator stands at the counter.
    await seedEservices(db, filesDir, publicUrl, m.id, { agentId: (agent ?? administrator).id, administratorId: administrator.id, ...(citizen ? { citizen } : {}) });
    if (progress) {
      const [counts] = await db.query<{ procedures: number; dossiers: number }>(
        "SELECT (SELECT count(*)::int FROM procedures WHERE municipality_id = $1) AS procedures, (SELECT count(*)::int FROM dossiers WHERE municipality_id = $1) AS dossiers",
        [m.id],
      );
      const procedures = counts?.procedures ?? 0;
      const dossiers = counts?.dossiers ?? 0;
      progress(`demo: ${m.name} — ${procedures} procedure${procedures === 1 ? "" : "s"}, ${dossiers} dossier${dossiers === 1 ? "" : "s"}`);
    }
  }
}
