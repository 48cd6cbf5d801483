import { Type, type Static } from "@sinclair/typebox";
import { FIELD_ID_PATTERN, FormDefinitionSchema } from "./form-definition.js";

/** Kinds of procedures, for grouping them on the municipality's site. */
export const PROCEDURE_CATEGORIES = ["civil_status", "residence", "legalisation", "urbanism", "land", "travel", "other"] as const;
export type ProcedureCategory = (typeof PROCEDURE_CATEGORIES)[number];

/** Municipal roles that may instruct (examine and decide) a procedure's dossiers. */
export const INSTRUCTOR_ROLES = ["agent", "administrator"] as const;

/** The document issued when a dossier is accepted (an extract, a certificate, a permit). */
export const CertificateTemplateSchema = Type.Object(
  {
    /** Printed as the document's title, e.g. "Extrait d'acte de naissance". */
    title: Type.String({ minLength: 1, maxLength: 200 }),
    /**
     * The body text, one paragraph per line; `{field_id}` is replaced by that answer as shown to
     * people, `{reference}` by the dossier's reference, `{applicant}` by the applicant's name.
     */
    body: Type.String({ minLength: 1, maxLength: 5000 }),
    /** Answers printed as labelled lines and carried in the QR code, for verification. */
    keyFields: Type.Array(Type.String({ pattern: FIELD_ID_PATTERN.source }), { maxItems: 8 }),
    /** Who signs, e.g. "L'officier d'état civil". */
    signatory: Type.String({ minLength: 1, maxLength: 200 }),
    /** The name printed under it; when absent, the municipality's first official (its mayor, as the portal lists them). */
    signatoryName: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
  },
  { additionalProperties: false },
);
export type CertificateTemplate = Static<typeof CertificateTemplateSchema>;

/** A procedure as an administrator defines it (démarche). */
export const ProcedureInputSchema = Type.Object(
  {
    slug: Type.String({ pattern: "^[a-z0-9]+(-[a-z0-9]+)*$", maxLength: 80 }),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ maxLength: 10_000 }),
    category: Type.Union(PROCEDURE_CATEGORIES.map((category) => Type.Literal(category))),
    form: FormDefinitionSchema,
    /** Documents to bring or attach, as a list shown before starting (pièces justificatives). */
    documents: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 30 }),
    /** In the currency's minor unit; XOF and GNF have none, so francs. 0 when free. */
    feeAmount: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
    /** How to pay: at the cash desk, by mobile money to a number, by revenue stamp (timbre fiscal). */
    feePayment: Type.String({ maxLength: 1000 }),
    /** Legal processing time in calendar days, from submission to decision. */
    processingDays: Type.Integer({ minimum: 1, maximum: 365 }),
    instructorRoles: Type.Array(Type.Union(INSTRUCTOR_ROLES.map((role) => Type.Literal(role))), { minItems: 1, maxItems: 2 }),
    /** Days a decided dossier's personal data is kept before it is erased (statistics stay). */
    retentionDays: Type.Integer({ minimum: 30, maximum: 36_500 }),
    certificate: Type.Union([CertificateTemplateSchema, Type.Null()]),
  },
  { additionalProperties: false },
);
export type ProcedureInput = Static<typeof ProcedureInputSchema>;
