import type {
  AddressFieldDef,
  ChoiceFieldDef,
  DateFieldDef,
  FieldDef,
  FileFieldDef,
  NationalIdFieldDef,
  NumberFieldDef,
  PhoneFieldDef,
  RepeatFieldDef,
  Section,
  SimpleFieldDef,
  TextFieldDef,
  YesNoFieldDef,
} from "../form-definition.js";
import { NATIONAL_ID_FORMATS } from "../form-definition.js";
import type { ProcedureInput } from "../schema.js";

/*
 * The demo municipalities' e-services: six procedures (démarches) as a Senegalese or Guinean
 * town hall offers them, with the fees, payment channels and vocabulary of each country.
 * Plain data, checked by procedures.test.ts against the schema, the structural
 * checks and the multipart limits the server allows (10 files, 200 fields).
 */

export type DemoProcedureCountry = "SN" | "GN";

const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Field builders: required unless told otherwise, extras (hint, showIf…) passed through.

type Extra<T> = Partial<Omit<T, "id" | "label" | "type">>;

const text = (id: string, label: string, maxLength: number, extra: Extra<TextFieldDef> = {}): TextFieldDef => ({ id, label, type: "text", required: true, maxLength, ...extra });
const number = (id: string, label: string, extra: Extra<NumberFieldDef> = {}): NumberFieldDef => ({ id, label, type: "number", required: true, ...extra });
const pastDate = (id: string, label: string, extra: Extra<DateFieldDef> = {}): DateFieldDef => ({ id, label, type: "date", required: true, when: "past", ...extra });
const choice = (id: string, label: string, options: [string, string][], extra: Extra<ChoiceFieldDef> = {}): ChoiceFieldDef => ({
  id,
  label,
  type: "choice",
  required: true,
  options: options.map(([value, optionLabel]) => ({ value, label: optionLabel })),
  ...extra,
});
const yesNo = (id: string, label: string, extra: Extra<YesNoFieldDef> = {}): YesNoFieldDef => ({ id, label, type: "yesno", required: true, ...extra });
const phone = (id: string, label: string, extra: Extra<PhoneFieldDef> = {}): PhoneFieldDef => ({ id, label, type: "phone", required: true, ...extra });
const address = (id: string, label: string, extra: Extra<AddressFieldDef> = {}): AddressFieldDef => ({ id, label, type: "address", required: true, ...extra });
const file = (id: string, label: string, accept: FileFieldDef["accept"], maxMb: number, extra: Extra<FileFieldDef> = {}): FileFieldDef => ({
  id,
  label,
  type: "file",
  required: true,
  accept,
  maxBytes: maxMb * MB,
  ...extra,
});
const repeat = (id: string, label: string, fields: SimpleFieldDef[], min: number, max: number, extra: Extra<RepeatFieldDef> = {}): RepeatFieldDef => ({
  id,
  label,
  type: "repeat",
  required: false,
  fields,
  min,
  max,
  ...extra,
});
const section = (id: string, title: string, fields: FieldDef[], description?: string): Section => (description ? { id, title, description, fields } : { id, title, fields });

const SCAN = ["pdf", "jpeg", "png"] as const satisfies FileFieldDef["accept"];

// ---------------------------------------------------------------------------------------------
// What differs between Senegal and Guinea

interface CountryTerms {
  /** How amounts are written in French texts. */
  currency: string;
  mobileMoney: string;
  nationalIdLabel: string;
  nationalIdHint: string;
  utilities: string;
  /** The local head of a quarter, as people call him. */
  quarterHead: string;
  /** Fees in francs, per procedure. */
  fees: Record<"birth" | "marriage" | "residence" | "legalisation" | "permit" | "land", number>;
  permitDays: number;
  /** Documents that give a right over a parcel, as choice options. */
  landTitles: [string, string][];
  landTitleHint: string;
}

const TERMS: Record<DemoProcedureCountry, CountryTerms> = {
  SN: {
    currency: "FCFA",
    mobileMoney: "Orange Money ou Wave",
    nationalIdLabel: "Numéro d'identification nationale (NIN)",
    nationalIdHint: `Les 13 chiffres inscrits sur la carte d'identité biométrique CEDEAO, par exemple ${NATIONAL_ID_FORMATS.SN.example}. Les espaces sont acceptés.`,
    utilities: "une facture Senelec ou SEN'EAU",
    quarterHead: "délégué de quartier",
    fees: { birth: 200, marriage: 500, residence: 500, legalisation: 1_000, permit: 50_000, land: 15_000 },
    permitDays: 60,
    landTitles: [
      ["titre_foncier", "Titre foncier (TF)"],
      ["bail", "Bail (domaine de l'État)"],
      ["deliberation", "Délibération d'affectation du conseil municipal"],
    ],
    landTitleHint: "Tel qu'il figure sur le document, par exemple « TF 1234/RF » ou « délibération n° 045 du 12/03/2019 ».",
  },
  GN: {
    currency: "GNF",
    mobileMoney: "Orange Money ou MTN MoMo",
    nationalIdLabel: "Numéro personnel d'identification (NPI)",
    nationalIdHint: `Les 18 caractères (chiffres et 3 lettres) du NPI, par exemple ${NATIONAL_ID_FORMATS.GN.example}. Les espaces sont acceptés.`,
    utilities: "une facture EDG ou SEG",
    quarterHead: "chef de quartier",
    fees: { birth: 15_000, marriage: 20_000, residence: 25_000, legalisation: 20_000, permit: 500_000, land: 300_000 },
    permitDays: 90,
    landTitles: [
      ["titre_foncier", "Titre foncier"],
      ["permis_occuper", "Permis d'occuper"],
      ["lettre_attribution", "Lettre ou acte d'attribution de la commune"],
    ],
    landTitleHint: "Tel qu'il figure sur le document, par exemple « TF n° 12345 » ou « permis d'occuper n° 078/CU/2018 ».",
  },
};

/** "10 000 GNF", with no-break spaces: the PDF's standard fonts have no narrow no-break space. */
const francs = (amount: number, terms: CountryTerms) => `${String(amount).replace(/\B(?=(\d{3})+$)/g, "\u00a0")}\u00a0${terms.currency}`;

/** The usual ways to pay a municipal fee, the receipt number to be entered in the dossier. */
function payment(amount: number, terms: CountryTerms, what = "") {
  return (
    `${francs(amount, terms)}${what}, à payer à la caisse de la régie de recettes de la mairie ` +
    `ou par ${terms.mobileMoney} au numéro marchand de la commune, en indiquant la référence du dossier. ` +
    "Conservez le reçu : il vous sera demandé au retrait."
  );
}

// ---------------------------------------------------------------------------------------------
// Fields shared by several procedures

const nationalId = (terms: CountryTerms, id = "nin", label = terms.nationalIdLabel): NationalIdFieldDef => ({
  id,
  label,
  type: "national_id",
  required: true,
  hint: terms.nationalIdHint,
});

const identity = (): FieldDef[] => [
  text("nom", "Nom de famille", 100, { hint: "En majuscules, tel qu'il figure sur la pièce d'identité." }),
  text("prenoms", "Prénom(s)", 150, { hint: "Tous les prénoms, dans l'ordre de la pièce d'identité." }),
];

const ACT_NUMBER_HINT =
  "Il figure sur un ancien extrait ou sur le livret de famille, en haut de l'acte : « Acte n° 1234 ». Écrivez seulement le numéro.";
const ACT_YEAR_HINT =
  "L'année du registre où l'acte est inscrit, en général celle de la déclaration. Après un jugement (déclaration tardive), c'est l'année de transcription du jugement.";

const copies = (): NumberFieldDef =>
  number("exemplaires", "Nombre d'exemplaires", { integer: true, min: 1, max: 10, hint: "De 1 à 10. Chaque exemplaire est payé séparément." });

const mandate = (): FileFieldDef =>
  file("procuration", "Procuration", [...SCAN], 5, {
    hint: "Procuration signée par la personne concernée (signature légalisée), avec la copie de sa pièce d'identité, en un seul fichier.",
    showIf: { field: "lien", equals: "mandataire" },
  });

// ---------------------------------------------------------------------------------------------
// The six procedures

function birthExtract(terms: CountryTerms): ProcedureInput {
  return {
    slug: "extrait-acte-naissance",
    title: "Extrait d'acte de naissance",
    description:
      "Demandez un extrait d'un acte de naissance inscrit dans les registres de l'état civil de la commune. " +
      "La personne concernée, ses parents, ses enfants, son conjoint ou un mandataire muni d'une procuration peuvent le demander. " +
      "L'agent de l'état civil recherche l'acte dans le registre et vous prévient par SMS quand l'extrait est prêt, à retirer au guichet ou à télécharger. " +
      "Si l'acte n'est pas retrouvé, vous serez orienté vers une demande de reconstitution ou un jugement supplétif.",
    category: "civil_status",
    form: {
      sections: [
        section(
          "acte",
          "La personne concernée par l'acte",
          [
            ...identity(),
            choice("sexe", "Sexe", [
              ["masculin", "Masculin"],
              ["feminin", "Féminin"],
            ]),
            pastDate("date_naissance", "Date de naissance"),
            text("lieu_naissance", "Lieu de naissance", 150, { hint: "Commune, village ou maternité, tel qu'il figure sur l'acte." }),
            text("numero_acte", "Numéro de l'acte", 30, { hint: ACT_NUMBER_HINT }),
            number("annee_acte", "Année de l'acte (registre)", { documentLabel: "Année de l'acte", integer: true, min: 1900, max: 2100, hint: ACT_YEAR_HINT }),
            text("centre_etat_civil", "Centre d'état civil", 150, {
              required: false,
              hint: "Centre principal de la mairie ou centre secondaire où la naissance a été déclarée, si vous le savez.",
            }),
          ],
          "Recopiez les informations telles qu'elles figurent sur l'acte ou sur un ancien extrait, même si l'orthographe diffère de la pièce d'identité.",
        ),
        section("filiation", "Filiation", [
          text("prenom_pere", "Prénom(s) du père", 150, { hint: "Si le père n'est pas mentionné sur l'acte, écrivez « non déclaré »." }),
          text("prenom_mere", "Prénom(s) de la mère", 150),
          text("nom_mere", "Nom de famille de la mère", 100),
        ]),
        section("demandeur", "Le demandeur", [
          choice("lien", "Vous êtes", [
            ["personne", "La personne elle-même"],
            ["parent", "Son père ou sa mère"],
            ["enfant", "Son enfant"],
            ["conjoint", "Son conjoint ou sa conjointe"],
            ["mandataire", "Un mandataire (procuration)"],
          ]),
          mandate(),
          nationalId(terms, "nin", `Votre ${terms.nationalIdLabel.charAt(0).toLowerCase()}${terms.nationalIdLabel.slice(1)}`),
          copies(),
        ]),
      ],
    },
    documents: [
      "Un ancien extrait ou le livret de famille, si vous en avez un (pour le numéro et l'année de l'acte)",
      "Votre carte nationale d'identité, à présenter au retrait",
      "Pour un mandataire : la procuration signée et la copie de la pièce d'identité de la personne concernée",
    ],
    feeAmount: terms.fees.birth,
    feePayment: payment(terms.fees.birth, terms, " par exemplaire (timbre communal)"),
    processingDays: 3,
    instructorRoles: ["agent"],
    retentionDays: 1825,
    certificate: {
      title: "Extrait d'acte de naissance",
      body: [
        "Extrait du registre des actes de naissance de l'année {annee_acte}, acte n° {numero_acte}.",
        "Le {date_naissance} est né(e) à {lieu_naissance} : {prenoms} {nom}, de sexe {sexe}.",
        "Fils ou fille de {prenom_pere} et de {prenom_mere} {nom_mere}.",
        "Extrait certifié conforme au registre, délivré à {applicant} (dossier {reference}).",
      ].join("\n"),
      keyFields: ["nom", "prenoms", "date_naissance", "lieu_naissance", "numero_acte", "annee_acte"],
      signatory: "L'officier d'état civil",
    },
  };
}

function marriageCopy(terms: CountryTerms): ProcedureInput {
  return {
    slug: "copie-acte-mariage",
    title: "Copie littérale d'acte de mariage",
    description:
      "Demandez la copie intégrale d'un acte de mariage célébré ou constaté dans la commune. " +
      "Seuls les époux, leurs ascendants ou descendants et un mandataire muni d'une procuration peuvent l'obtenir ; les autres demandes passent par le procureur de la République. " +
      "L'agent de l'état civil recopie l'acte du registre, avec ses mentions marginales (divorce, option de polygamie ou de monogamie…), et vous prévient par SMS quand la copie est prête.",
    category: "civil_status",
    form: {
      sections: [
        section("epoux", "Les époux", [
          text("epoux_nom", "Nom de l'époux", 100),
          text("epoux_prenoms", "Prénom(s) de l'époux", 150),
          text("epouse_nom", "Nom de jeune fille de l'épouse", 100),
          text("epouse_prenoms", "Prénom(s) de l'épouse", 150),
        ]),
        section("acte", "L'acte de mariage", [
          pastDate("date_mariage", "Date du mariage", { hint: "Pour un mariage coutumier constaté plus tard, la date de la célébration inscrite sur l'acte." }),
          text("numero_acte", "Numéro de l'acte", 30, { hint: ACT_NUMBER_HINT }),
          number("annee_acte", "Année de l'acte (registre)", { documentLabel: "Année de l'acte", integer: true, min: 1900, max: 2100, hint: "L'année du registre des mariages où l'acte est inscrit." }),
          text("centre_etat_civil", "Centre d'état civil", 150, {
            hint: "Centre principal de la mairie ou centre secondaire où le mariage a été célébré ou constaté.",
          }),
        ]),
        section("demandeur", "Le demandeur", [
          choice("lien", "Vous êtes", [
            ["epoux", "L'un des époux"],
            ["ascendant", "Le père ou la mère de l'un des époux"],
            ["descendant", "Un enfant des époux"],
            ["mandataire", "Un mandataire (procuration)"],
          ]),
          mandate(),
          nationalId(terms, "nin", `Votre ${terms.nationalIdLabel.charAt(0).toLowerCase()}${terms.nationalIdLabel.slice(1)}`),
          copies(),
        ]),
      ],
    },
    documents: [
      "Le livret de famille ou un ancien extrait de l'acte de mariage, si vous en avez un",
      "Votre carte nationale d'identité, à présenter au retrait",
      "Pour un mandataire : la procuration signée par l'un des époux et la copie de sa pièce d'identité",
    ],
    feeAmount: terms.fees.marriage,
    feePayment: payment(terms.fees.marriage, terms, " par exemplaire"),
    processingDays: 3,
    instructorRoles: ["agent"],
    retentionDays: 1825,
    certificate: {
      title: "Copie littérale d'acte de mariage",
      body: [
        "Copie littérale de l'acte de mariage n° {numero_acte} de l'année {annee_acte}, inscrit au registre des mariages du centre d'état civil de {centre_etat_civil}.",
        "Le {date_mariage} a été célébré ou constaté le mariage de {epoux_prenoms} {epoux_nom} et de {epouse_prenoms} {epouse_nom}.",
        "Copie certifiée conforme au registre, délivrée à {applicant} (dossier {reference}).",
      ].join("\n"),
      keyFields: ["epoux_nom", "epoux_prenoms", "epouse_nom", "epouse_prenoms", "date_mariage", "numero_acte", "annee_acte"],
      signatory: "L'officier d'état civil",
    },
  };
}

function residenceCertificate(terms: CountryTerms): ProcedureInput {
  const head = terms.quarterHead;
  const Head = head.charAt(0).toUpperCase() + head.slice(1);
  return {
    slug: "certificat-residence",
    title: "Certificat de résidence",
    description:
      "Le certificat de résidence atteste que vous habitez dans la commune, pour un dossier de passeport, de concours, de bourse ou d'ouverture de compte. " +
      `Toute personne majeure habitant la commune peut le demander, avec un justificatif de domicile ou une attestation du ${head}. ` +
      `L'agent vérifie votre dossier, peut appeler le ${head}, puis vous prévient par SMS quand le certificat est prêt. Il est valable trois mois.`,
    category: "residence",
    form: {
      sections: [
        section("identite", "Votre identité", [
          ...identity(),
          pastDate("date_naissance", "Date de naissance"),
          text("lieu_naissance", "Lieu de naissance", 150),
          text("profession", "Profession", 100, { required: false }),
          nationalId(terms),
        ]),
        section("residence", "Votre résidence", [
          address("adresse", "Adresse", { hint: "Rue ou numéro de villa, lot ou parcelle, puis le quartier." }),
          pastDate("depuis", "Vous habitez à cette adresse depuis le", { documentLabel: "Résidant depuis le", hint: "Une date approximative suffit, par exemple le 1er janvier de l'année d'arrivée." }),
          choice("occupation", "Vous êtes", [
            ["proprietaire", "Propriétaire"],
            ["locataire", "Locataire"],
            ["heberge", "Hébergé(e) par un parent ou un tiers"],
          ]),
          file("justificatif", "Justificatif de domicile", [...SCAN], 5, {
            hint: `${terms.utilities.charAt(0).toUpperCase()}${terms.utilities.slice(1)} de moins de trois mois à votre nom ou à celui de votre logeur, ou une attestation signée du ${head}. PDF, JPEG ou PNG, 5 Mo au plus.`,
          }),
          text("motif", "Pour quel usage ?", 200, { required: false, hint: "Par exemple : dossier de passeport, inscription à un concours." }),
        ]),
        section(
          "temoin",
          Head,
          [
            text("chef_quartier_nom", `Prénom et nom du ${head}`, 150),
            phone("chef_quartier_tel", `Téléphone du ${head}`, { required: false, hint: "Pour que l'agent puisse confirmer votre résidence si besoin." }),
          ],
          `Le ${head} connaît les habitants du quartier : l'agent peut lui demander de confirmer votre résidence.`,
        ),
      ],
    },
    documents: [
      "Carte nationale d'identité en cours de validité",
      `Justificatif de domicile : ${terms.utilities} de moins de trois mois, ou attestation du ${head}`,
      "Pour un locataire ou une personne hébergée : le contrat de bail ou une attestation d'hébergement, si possible",
    ],
    feeAmount: terms.fees.residence,
    feePayment: payment(terms.fees.residence, terms),
    processingDays: 2,
    instructorRoles: ["agent", "administrator"],
    retentionDays: 730,
    certificate: {
      title: "Certificat de résidence",
      body: [
        "Le Maire de la commune certifie que {prenoms} {nom}, né(e) le {date_naissance} à {lieu_naissance}, titulaire de la pièce d'identité n° {nin},",
        "réside à l'adresse suivante : {adresse}, depuis le {depuis}.",
        "Le présent certificat, valable trois mois, est délivré pour servir et valoir ce que de droit (dossier {reference}).",
      ].join("\n"),
      keyFields: ["nom", "prenoms", "date_naissance", "adresse", "depuis"],
      signatory: "Le Maire",
    },
  };
}

function signatureLegalisation(terms: CountryTerms): ProcedureInput {
  return {
    slug: "legalisation-signature",
    title: "Légalisation de signature",
    description:
      "La légalisation certifie que la signature apposée sur un document est bien la vôtre ; elle ne porte pas sur le contenu du document. " +
      "Déposez le document en ligne : l'agent vérifie qu'il peut être légalisé et vous donne un rendez-vous. " +
      "Le signataire doit ensuite se présenter en personne à la mairie, avec l'original du document et sa carte d'identité, et signer devant l'agent.",
    category: "legalisation",
    form: {
      sections: [
        section("signataire", "Le signataire", [...identity(), nationalId(terms), phone("telephone", "Téléphone", { hint: "Pour vous donner le rendez-vous de signature." })]),
        section(
          "document",
          "Le document à légaliser",
          [
            choice("nature", "Nature du document", [
              ["procuration", "Procuration"],
              ["attestation_honneur", "Attestation sur l'honneur"],
              ["contrat_bail", "Contrat de bail"],
              ["autre", "Autre document"],
            ]),
            text("nature_autre", "Préciser la nature du document", 150, { showIf: { field: "nature", equals: "autre" } }),
            text("intitule", "Intitulé ou objet du document", 200, {
              documentLabel: "Objet du document",
              hint: "Par exemple : « Procuration pour le retrait d'un colis » ou « Bail de la maison sise à … ».",
            }),
            number("nombre_pages", "Nombre de pages", { integer: true, min: 1, max: 100 }),
            file("document", "Le document (scan ou photo)", ["pdf"], 10, {
              hint: "Toutes les pages, dans un seul fichier PDF de 10 Mo au plus. Ne signez pas encore l'original : vous signerez devant l'agent.",
            }),
          ],
          "Le signataire doit venir en personne à la mairie avec l'original du document et sa carte d'identité : aucune signature n'est légalisée à distance.",
        ),
      ],
    },
    documents: [
      "Le document à légaliser, original non signé, toutes pages comprises",
      "La carte nationale d'identité du signataire, en cours de validité",
      "La présence du signataire en personne à la mairie",
    ],
    feeAmount: terms.fees.legalisation,
    feePayment: `${francs(terms.fees.legalisation, terms)} par signature légalisée, en timbre fiscal à acheter à la recette des impôts ou à la régie de la mairie, ou par ${terms.mobileMoney} au numéro marchand de la commune en indiquant la référence du dossier.`,
    processingDays: 1,
    instructorRoles: ["agent", "administrator"],
    retentionDays: 730,
    certificate: {
      title: "Attestation de légalisation de signature",
      body: [
        "Vu pour légalisation de la signature de {prenoms} {nom}, titulaire de la pièce d'identité n° {nin},",
        "apposée en notre présence sur le document intitulé « {intitule} » ({nature}, {nombre_pages} page(s)).",
        "La présente légalisation atteste uniquement l'authenticité de la signature et non le contenu du document (dossier {reference}).",
      ].join("\n"),
      keyFields: ["nom", "prenoms", "nature", "intitule", "nombre_pages"],
      signatory: "Pour le Maire, l'officier d'état civil délégué",
    },
  };
}

function buildingPermit(terms: CountryTerms): ProcedureInput {
  return {
    slug: "demande-permis-construire",
    title: "Demande d'autorisation de construire",
    description:
      "Toute construction neuve, extension, surélévation ou clôture sur une parcelle de la commune doit être autorisée avant le début des travaux. " +
      "Le propriétaire ou l'attributaire de la parcelle dépose sa demande avec les plans ; le service technique communal l'instruit avec les services de l'urbanisme et peut effectuer une visite du terrain. " +
      `Vous êtes informé par SMS de chaque étape ; sans réponse dans le délai de ${terms.permitDays} jours, renseignez-vous auprès du service technique.`,
    category: "urbanism",
    form: {
      sections: [
        section("demandeur", "Le demandeur", [
          ...identity(),
          nationalId(terms),
          phone("telephone", "Téléphone"),
        ]),
        section("parcelle", "La parcelle", [
          choice("type_titre", "Document attestant vos droits sur la parcelle", terms.landTitles),
          text("numero_titre", "Numéro du titre ou de l'acte", 80, { documentLabel: "Titre ou acte n°", hint: terms.landTitleHint }),
          text("numero_lot", "Numéro de lot ou de parcelle", 40, { required: false, hint: "Pour une parcelle de lotissement, le numéro du lot sur le plan." }),
          number("superficie", "Superficie de la parcelle (m²)", { min: 1, max: 1_000_000 }),
          address("adresse", "Adresse du terrain", { hint: "Rue ou lot, puis le quartier ; ajoutez un repère connu si la rue n'a pas de nom." }),
        ]),
        section("travaux", "Les travaux", [
          choice("nature_travaux", "Nature des travaux", [
            ["construction_neuve", "Construction neuve"],
            ["extension", "Extension"],
            ["surelevation", "Surélévation"],
            ["cloture", "Clôture"],
          ]),
          choice("usage", "Usage du bâtiment", [
            ["habitation", "Habitation"],
            ["commerce", "Commerce ou bureaux"],
            ["mixte", "Mixte (habitation et commerce)"],
            ["autre", "Autre (équipement, atelier…)"],
          ]),
          number("surface_plancher", "Surface de plancher prévue (m²)", {
            documentLabel: "Surface de plancher (m²)",
            min: 1,
            max: 100_000,
            hint: "La somme des surfaces de tous les niveaux ; pour une clôture, la longueur du mur en mètres.",
          }),
          number("niveaux", "Nombre de niveaux", { integer: true, min: 1, max: 30, hint: "Rez-de-chaussée compris : une maison R+1 compte 2 niveaux." }),
          yesNo("architecte", "Les plans sont-ils établis par un architecte agréé ?", {
            hint: "Le recours à un architecte inscrit à l'Ordre est exigé pour la plupart des constructions ; le service technique vous le précisera.",
          }),
          text("architecte_nom", "Nom de l'architecte ou du cabinet", 150, { showIf: { field: "architecte", equals: "yes" } }),
        ]),
        section(
          "pieces",
          "Pièces du dossier",
          [
            file("plan_situation", "Plan de situation", [...SCAN], 10, { hint: "Situe la parcelle dans le quartier, avec les voies et repères voisins." }),
            file("plans", "Plans de l'ouvrage (masse, niveaux, façades, coupes)", ["pdf"], 20, { hint: "Un seul fichier PDF de 20 Mo au plus." }),
            file("titre_propriete", "Titre de propriété ou acte d'affectation", ["pdf"], 10),
            file("devis", "Devis descriptif et estimatif", ["pdf"], 10, { required: false }),
            file("piece_identite", "Pièce d'identité du demandeur", [...SCAN], 5),
          ],
          "Cinq fichiers au plus. Les plans papier (en trois exemplaires) seront demandés lors de la visite du service technique.",
        ),
      ],
    },
    documents: [
      "Plan de situation de la parcelle",
      "Plans de l'ouvrage : plan de masse, plans des niveaux, façades et coupes",
      "Titre foncier, bail, délibération d'affectation ou permis d'occuper",
      "Devis descriptif et estimatif des travaux",
      "Copie de la pièce d'identité du demandeur",
      "Pour une société : statuts et registre du commerce",
    ],
    feeAmount: terms.fees.permit,
    feePayment:
      payment(terms.fees.permit, terms, " de frais de dépôt et d'instruction") +
      " La taxe d'urbanisme, calculée sur la surface de plancher, est due à la délivrance de l'autorisation.",
    processingDays: terms.permitDays,
    instructorRoles: ["agent", "administrator"],
    retentionDays: 3650,
    certificate: {
      title: "Autorisation de construire",
      body: [
        "Le Maire de la commune autorise {prenoms} {nom} à réaliser les travaux suivants : {nature_travaux}, à usage de {usage},",
        "d'une surface de plancher de {surface_plancher} m² sur {niveaux} niveau(x),",
        "sur la parcelle {numero_titre} d'une superficie de {superficie} m², sise {adresse}.",
        "Les travaux seront conformes aux plans déposés et aux règles d'urbanisme en vigueur. La présente autorisation doit être affichée de façon visible sur le chantier pendant toute la durée des travaux (dossier {reference}).",
      ].join("\n"),
      keyFields: ["nom", "prenoms", "numero_titre", "adresse", "nature_travaux", "surface_plancher", "niveaux"],
      signatory: "Le Maire",
    },
  };
}

function landAllocation(terms: CountryTerms): ProcedureInput {
  return {
    slug: "attribution-terrain",
    title: "Demande d'attribution de terrain (permis d'occuper)",
    description:
      "Toute personne majeure qui n'a pas encore reçu de terrain de la commune peut demander l'attribution d'une parcelle pour l'habitation, le commerce ou une activité agricole. " +
      "Les demandes sont examinées par la commission domaniale, selon les parcelles disponibles, puis soumises au conseil municipal. " +
      "Si votre demande est retenue, un permis d'occuper vous est délivré et le bornage est fait en votre présence ; le dépôt d'une demande ne donne aucun droit sur un terrain.",
    category: "land",
    form: {
      sections: [
        section("demandeur", "Le demandeur", [
          ...identity(),
          pastDate("date_naissance", "Date de naissance"),
          nationalId(terms),
          phone("telephone", "Téléphone"),
          text("profession", "Profession", 100, { required: false }),
        ]),
        section("menage", "Votre ménage", [
          number("taille_menage", "Nombre de personnes dans votre ménage", { integer: true, min: 1, max: 50, hint: "Vous compris, ainsi que les personnes que vous logez." }),
          choice("logement_actuel", "Votre logement actuel", [
            ["locataire", "Locataire"],
            ["heberge", "Hébergé(e) par la famille ou un tiers"],
            ["maison_familiale", "Maison familiale, en copropriété avec d'autres héritiers"],
            ["proprietaire", "Propriétaire d'un autre logement"],
          ]),
          yesNo("deja_attributaire", "Avez-vous déjà reçu un terrain de la commune ?"),
        ]),
        section("demande", "Le terrain demandé", [
          choice("usage", "Usage prévu", [
            ["habitation", "Habitation"],
            ["commerce", "Commerce"],
            ["agricole", "Activité agricole"],
          ]),
          text("zone", "Quartier ou zone souhaité(e)", 150, { documentLabel: "Zone", hint: "Nom du quartier, du village ou du lotissement ; l'attribution dépend des parcelles disponibles." }),
          number("superficie_souhaitee", "Superficie souhaitée (m²)", { required: false, min: 50, max: 100_000, hint: "Une parcelle d'habitation mesure souvent de 150 à 300 m²." }),
          text("motivation", "Motivation", 2000, { required: false, multiline: true, hint: "Expliquez en quelques lignes votre situation et votre projet." }),
        ]),
        section(
          "co_demandeurs_section",
          "Co-demandeurs",
          [
            repeat(
              "co_demandeurs",
              "Co-demandeur",
              [
                text("nom", "Nom", 100),
                text("prenoms", "Prénom(s)", 150),
                choice("lien", "Lien avec le demandeur", [
                  ["conjoint", "Conjoint(e)"],
                  ["enfant", "Enfant"],
                  ["frere_soeur", "Frère ou sœur"],
                  ["associe", "Associé(e)"],
                  ["autre", "Autre"],
                ]),
                phone("telephone", "Téléphone", { required: false }),
              ],
              0,
              5,
            ),
          ],
          "Si le terrain est demandé à plusieurs (conjoints, frères et sœurs…), indiquez les autres demandeurs : ils figureront sur le permis d'occuper. Cinq au plus.",
        ),
        section("pieces", "Pièces du dossier", [file("piece_identite", "Pièce d'identité du demandeur", [...SCAN], 5, { hint: "Recto et verso, dans un seul fichier." })]),
      ],
    },
    documents: [
      "Copie de la pièce d'identité du demandeur et de chaque co-demandeur",
      "Un certificat de résidence ou une attestation du " + terms.quarterHead,
      "Pour une activité agricole ou commerciale : une courte description du projet",
    ],
    feeAmount: terms.fees.land,
    feePayment:
      payment(terms.fees.land, terms, " de frais de dossier, non remboursables") +
      " Les frais de bornage et la redevance d'occupation sont dus seulement si le terrain est attribué.",
    processingDays: 90,
    instructorRoles: ["agent", "administrator"],
    retentionDays: 3650,
    certificate: {
      title: "Permis d'occuper",
      body: [
        "Vu la délibération du conseil municipal, le Maire de la commune accorde à {prenoms} {nom}, né(e) le {date_naissance},",
        "un permis d'occuper une parcelle à usage de {usage}, située dans la zone de {zone}.",
        "Ce permis est personnel, précaire et révocable ; il ne peut être cédé sans l'accord de la commune. La parcelle sera bornée en présence du bénéficiaire (dossier {reference}).",
      ].join("\n"),
      keyFields: ["nom", "prenoms", "date_naissance", "usage", "zone"],
      signatory: "Le Maire",
    },
  };
}

/** The six demo procedures of a municipality in Senegal (XOF) or Guinea (GNF). */
export function demoProcedures(country: DemoProcedureCountry): ProcedureInput[] {
  const terms = TERMS[country];
  return [birthExtract(terms), marriageCopy(terms), residenceCertificate(terms), signatureLegalisation(terms), buildingPermit(terms), landAllocation(terms)];
}

// ---------------------------------------------------------------------------------------------
// Guinea-Bissau: the procedure is written, and its certificate issued, in Portuguese, the
// municipality's official language.

function residenceCertificateGW(): ProcedureInput {
  const fee = 1_000;
  return {
    slug: "atestado-residencia",
    title: "Atestado de residência",
    description:
      "O atestado de residência comprova que vive no município, para um pedido de passaporte, de bolsa de estudo, de emprego ou de abertura de conta. " +
      "Qualquer pessoa maior de idade que viva no município pode pedi-lo, com um comprovativo de morada ou uma declaração do chefe de bairro. " +
      "O funcionário verifica o pedido, pode contactar o chefe de bairro e avisa-o por SMS quando o atestado estiver pronto. É válido por três meses.",
    category: "residence",
    form: {
      sections: [
        section("identidade", "A sua identidade", [
          text("apelido", "Apelido", 100, { hint: "Em maiúsculas, tal como consta do documento de identificação." }),
          text("nomes", "Nome(s) próprio(s)", 150, { hint: "Todos os nomes próprios, pela ordem do documento de identificação." }),
          pastDate("data_nascimento", "Data de nascimento"),
          text("local_nascimento", "Local de nascimento", 150),
          {
            id: "nin",
            label: "Número do bilhete de identidade",
            documentLabel: "Bilhete de identidade n.º",
            type: "national_id",
            required: true,
            hint: `Entre 8 e 13 algarismos, por exemplo ${NATIONAL_ID_FORMATS.GW.example}. Os espaços são aceites.`,
          },
        ]),
        section("residencia", "A sua residência", [
          address("morada", "Morada", { hint: "Rua ou número da casa, depois o bairro." }),
          pastDate("desde", "Vive nesta morada desde", { documentLabel: "Residente desde", hint: "Basta uma data aproximada, por exemplo o dia 1 de janeiro do ano de chegada." }),
          choice("ocupacao", "É", [
            ["proprietario", "Proprietário(a)"],
            ["inquilino", "Inquilino(a)"],
            ["alojado", "Alojado(a) por um familiar ou por outra pessoa"],
          ]),
          file("comprovativo", "Comprovativo de morada", [...SCAN], 5, {
            hint: "Fatura da EAGB com menos de três meses em seu nome ou no do seu senhorio, ou uma declaração assinada pelo chefe de bairro. PDF, JPEG ou PNG, 5 MB no máximo.",
          }),
          text("motivo", "Para que fim?", 200, { required: false, hint: "Por exemplo: pedido de passaporte, inscrição num concurso." }),
        ]),
      ],
    },
    documents: [
      "Bilhete de identidade válido",
      "Comprovativo de morada: fatura da EAGB com menos de três meses, ou declaração do chefe de bairro",
    ],
    feeAmount: fee,
    feePayment: "1\u00a0000\u00a0FCFA, a pagar na tesouraria da Câmara Municipal ou por Orange Money ou MTN MoMo para o número comercial do município, indicando a referência do pedido. Guarde o recibo: ser-lhe-á pedido no levantamento.",
    processingDays: 2,
    instructorRoles: ["agent", "administrator"],
    retentionDays: 730,
    certificate: {
      title: "Atestado de residência",
      body: [
        "O Presidente da Câmara Municipal atesta que {nomes} {apelido}, nascido(a) em {data_nascimento} em {local_nascimento}, titular do bilhete de identidade n.º {nin},",
        "reside na seguinte morada: {morada}, desde {desde}.",
        "O presente atestado, válido por três meses, é passado para os devidos efeitos (pedido {reference}).",
      ].join("\n"),
      keyFields: ["apelido", "nomes", "data_nascimento", "morada", "desde"],
      signatory: "O Presidente da Câmara Municipal",
    },
  };
}

/** The demo procedure of a municipality in Guinea-Bissau (XOF), in Portuguese. */
export function demoProceduresGW(): ProcedureInput[] {
  return [residenceCertificateGW()];
}
