import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Value } from "@sinclair/typebox/value";
import { checkDefinition, type FieldDef } from "../form-definition.js";
import { ProcedureInputSchema } from "../schema.js";
import { demoProcedures, demoProceduresGW } from "./procedures.js";

/** What the server allows in one multipart submission: 10 files, 200 fields less a margin. */
const LIMITS = { inputs: 190, files: 10 };
const SLUGS = ["extrait-acte-naissance", "copie-acte-mariage", "certificat-residence", "legalisation-signature", "demande-permis-construire", "attribution-terrain"];
/** Placeholders the certificate renderer fills without a field. */
const BUILT_IN = new Set(["reference", "applicant"]);

const topFields = (fields: FieldDef[]) => new Map(fields.map((field) => [field.id, field]));

for (const country of ["SN", "GN"] as const) {
  describe(`demo procedures (${country})`, () => {
    const procedures = demoProcedures(country);

    it("has the six procedures, each slug once", () => {
      const slugs = procedures.map((p) => p.slug);
      assert.equal(new Set(slugs).size, slugs.length, "duplicate slug");
      assert.deepEqual([...slugs].sort(), [...SLUGS].sort());
    });

    for (const p of procedures) {
      describe(p.slug, () => {
        const fields = topFields(p.form.sections.flatMap((section) => section.fields));

        it("matches the procedure schema", () => {
          const errors = [...Value.Errors(ProcedureInputSchema, p)].map((error) => `${error.path}: ${error.message}`);
          assert.ok(Value.Check(ProcedureInputSchema, p), `schema errors:\n${errors.join("\n")}`);
        });

        it("has a structurally sound form within the multipart limits", () => {
          assert.deepEqual(checkDefinition(p.form, LIMITS), []);
        });

        it("has a certificate whose key fields and placeholders name simple fields of the form", () => {
          assert.ok(p.certificate, "no certificate");
          for (const id of p.certificate.keyFields) {
            const field = fields.get(id);
            assert.ok(field, `key field ${id} is not a field of the form`);
            assert.ok(field.type !== "repeat" && field.type !== "file", `key field ${id} is a ${field.type}`);
          }
          const placeholders = [...p.certificate.body.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1]!);
          assert.ok(placeholders.length > 0, "body without placeholders");
          for (const id of placeholders) {
            if (BUILT_IN.has(id)) continue;
            const field = fields.get(id);
            assert.ok(field, `placeholder {${id}} is not a field of the form`);
            assert.ok(field.type !== "repeat" && field.type !== "file", `placeholder {${id}} is a ${field.type}`);
            // The body reads as a sentence: a blank in it would print as a hole in the document.
            assert.ok(field.required && !field.showIf, `placeholder {${id}} may be left unanswered`);
          }
        });

        it("charges in the country's currency scale", () => {
          if (country === "SN") assert.ok(p.feeAmount < 100_000, `${p.feeAmount} XOF is too much for a municipal fee`);
          else assert.ok(p.feeAmount >= 1_000, `${p.feeAmount} GNF is too little for a municipal fee`);
          const currency = country === "SN" ? "FCFA" : "GNF";
          assert.ok(p.feePayment.includes(currency), `payment text does not name ${currency}`);
          const mobileMoney = country === "SN" ? "Wave" : "MTN MoMo";
          assert.ok(p.feePayment.includes(mobileMoney), `payment text does not name ${mobileMoney}`);
        });

        it("has national id fields and documents to bring", () => {
          assert.ok([...fields.values()].some((field) => field.type === "national_id"));
          assert.ok(p.documents.length > 0);
        });
      });
    }

    it("follows the brief for delays, retention and roles", () => {
      const bySlug = new Map(procedures.map((p) => [p.slug, p]));
      const expect = (slug: string, days: number, retention: number, roles: string[]) => {
        const p = bySlug.get(slug)!;
        assert.equal(p.processingDays, days, `${slug} processingDays`);
        assert.equal(p.retentionDays, retention, `${slug} retentionDays`);
        assert.deepEqual(p.instructorRoles, roles, `${slug} instructorRoles`);
      };
      expect("extrait-acte-naissance", 3, 1825, ["agent"]);
      expect("copie-acte-mariage", 3, 1825, ["agent"]);
      expect("certificat-residence", 2, 730, ["agent", "administrator"]);
      expect("legalisation-signature", 1, 730, ["agent", "administrator"]);
      expect("demande-permis-construire", country === "SN" ? 60 : 90, 3650, ["agent", "administrator"]);
      expect("attribution-terrain", 90, 3650, ["agent", "administrator"]);
    });
  });
}

describe("demo procedure (GW): written and issued in Portuguese", () => {
  const procedures = demoProceduresGW();

  it("matches the procedure schema and the structural checks, with key fields and placeholders from the form", () => {
    for (const p of procedures) {
      assert.ok(Value.Check(ProcedureInputSchema, p), [...Value.Errors(ProcedureInputSchema, p)].map((error) => `${error.path}: ${error.message}`).join("\n"));
      assert.deepEqual(checkDefinition(p.form, LIMITS), []);
      const fields = topFields(p.form.sections.flatMap((section) => section.fields));
      for (const id of p.certificate!.keyFields) assert.ok(fields.get(id), `key field ${id}`);
      for (const [, id] of p.certificate!.body.matchAll(/\{([^{}]*)\}/g)) assert.ok(BUILT_IN.has(id!) || fields.get(id!)?.required, `placeholder {${id}}`);
    }
  });

  it("gives the certificate's answers short Portuguese names where the question reads wrong on a document", () => {
    const residence = procedures.find((p) => p.slug === "atestado-residencia")!;
    const since = topFields(residence.form.sections.flatMap((section) => section.fields)).get("desde")!;
    assert.equal(since.label, "Vive nesta morada desde");
    assert.equal(since.documentLabel, "Residente desde");
    assert.ok(residence.feePayment.includes("FCFA"));
  });
});

describe("demo procedures (SN, GN): document labels", () => {
  it("names the residence date on the certificate by a short label, not the question", () => {
    for (const country of ["SN", "GN"] as const) {
      const residence = demoProcedures(country).find((p) => p.slug === "certificat-residence")!;
      const since = topFields(residence.form.sections.flatMap((section) => section.fields)).get("depuis")!;
      assert.equal(since.documentLabel, "Résidant depuis le");
    }
  });
});
