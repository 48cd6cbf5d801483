import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { MunicipalityParams, PageQuery, PUBLIC_READ_ERRORS, pageOf, slicePage, type Page } from "../../core/http/api-schemas.js";
import { AppError } from "../../core/http/errors.js";
import type { Municipality } from "../../core/tenancy/index.js";
import { PROCEDURE_CATEGORIES } from "./schema.js";
import * as store from "./store.js";

/*
 * The e-services catalogue as open data, under /api/v1/{slug}/procedures: each published
 * procedure with the documents to bring, the fee and the legal delay, and how the municipality
 * keeps that delay (counts of dossiers, never a dossier).
 */

const Procedure = Type.Object({
  slug: Type.String(),
  title: Type.String(),
  category: Type.Union(PROCEDURE_CATEGORIES.map((category) => Type.Literal(category))),
  description: Type.String(),
  documents: Type.Array(Type.String(), { description: "Documents to bring or attach (pièces justificatives)." }),
  fee: Type.Object({
    amount: Type.Integer({ minimum: 0, description: "In minor units of the currency (francs for XOF and GNF); 0 when free." }),
    currency: Type.String({ description: "ISO 4217" }),
    payment: Type.String({ description: "How and where the fee is paid." }),
  }),
  processing_days: Type.Integer({ minimum: 0, description: "The legal delay, in days." }),
  url: Type.String({ format: "uri" }),
  statistics: Type.Union(
    [
      Type.Object({
        submitted: Type.Integer({ minimum: 0 }),
        decided: Type.Integer({ minimum: 0 }),
        median_days: Type.Union([Type.Number(), Type.Null()], { description: "Median days from submission to decision." }),
        within_legal_time: Type.Integer({ minimum: 0, description: "Dossiers decided within the legal delay." }),
      }),
      Type.Null(),
    ],
    { description: "Counts of dossiers, never a dossier." },
  ),
});

const ProcedureParams = Type.Object({ ...MunicipalityParams.properties, procedure: Type.String({ description: "The procedure's slug." }) });

export async function eservicesApiRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app;

  async function describe(municipality: Municipality, procedures: store.ProcedureRow[]) {
    const stats = await store.procedureStats(db, municipality.id, { publishedOnly: true });
    const byId = new Map(stats.map((row) => [row.procedure_id, row]));
    return procedures.map((procedure) => {
      const counted = byId.get(procedure.id);
      return {
        slug: procedure.slug,
        title: procedure.title,
        category: procedure.category,
        description: procedure.description,
        documents: procedure.documents,
        fee: { amount: Number(procedure.fee_amount), currency: municipality.currency, payment: procedure.fee_payment },
        processing_days: procedure.processing_days,
        url: `${config.publicUrl}/${municipality.slug}/services/${procedure.slug}`,
        statistics: counted ? { submitted: counted.submitted, decided: counted.decided, median_days: counted.median_days, within_legal_time: counted.within_legal_time } : null,
      };
    });
  }

  app.get(
    "/api/v1/:slug/procedures",
    {
      schema: {
        tags: ["eservices"],
        operationId: "listProcedures",
        summary: "The e-services catalogue: published procedures with documents, fees and delays",
        params: MunicipalityParams,
        querystring: PageQuery,
        response: { 200: pageOf("procedures", Procedure), ...PUBLIC_READ_ERRORS },
      },
    },
    async (request) => {
      const municipality = request.requireMunicipality();
      const query = request.query as Page;
      // A municipality offers a few dozen procedures: the catalogue is read whole, then paged.
      const { total, items } = slicePage(await store.listProcedures(db, municipality.id, { publishedOnly: true }), query);
      return { municipality: municipality.slug, total, limit: query.limit, offset: query.offset, procedures: await describe(municipality, items) };
    },
  );

  app.get(
    "/api/v1/:slug/procedures/:procedure",
    {
      schema: {
        tags: ["eservices"],
        operationId: "getProcedure",
        summary: "A published procedure with its documents, fee and delay",
        params: ProcedureParams,
        response: { 200: Type.Object({ municipality: Type.String(), procedure: Procedure }), ...PUBLIC_READ_ERRORS },
      },
    },
    async (request) => {
      const municipality = request.requireMunicipality();
      const procedure = await store.getProcedureBySlug(db, municipality.id, (request.params as { procedure: string }).procedure);
      if (!procedure || procedure.status !== "published") throw new AppError("NOT_FOUND");
      const [described] = await describe(municipality, [procedure]);
      return { municipality: municipality.slug, procedure: described! };
    },
  );
}
