import fs from "node:fs";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { normalizePhone } from "../../core/auth/phone.js";
import { requireAllowed, requireSignedIn } from "../../core/auth/roles.js";
import { findStoredFile, isUploadedFile, sendStoredFile } from "../../core/files/index.js";
import { AppError, ruleRefused, uuidOr404 } from "../../core/http/errors.js";
import { cleanText, FormReader, withConflictsOnForm } from "../../core/http/forms.js";
import type { Locale } from "../../core/i18n/index.js";
import type { Municipality } from "../../core/tenancy/index.js";
import { emptyForm, type FormState } from "../../core/views/context.js";
import { normalizeVerificationCode, readToken, sha256Hex, verifyDigest, verifyToken, type CertificatePayload } from "./certificates.js";
import { readAnswers, type Answers, type FormValues } from "./form-definition.js";
import { eservicesPolicy } from "./policy.js";
import * as builder from "./builder.js";
import { ESERVICES_REASONS } from "./reasons.js";
import * as service from "./service.js";
import * as store from "./store.js";
import { statsCsv } from "./stats.js";
import { eservicesApiRoutes } from "./api.js";
import { AdminProceduresPage, KeysPage, ProcedureEditPage, type BuilderFocus } from "./views/admin-procedures.js";
import { CounterFilingPage, InstructionPage, QUEUE_SORTS, QueuePage, type QueueParams } from "./views/instruction.js";
import { ApplicantDossierPage, DeleteDraftPage, FollowPage, MESSAGE_MAX, MyDossiersPage, ProcedurePage, ProceduresPage } from "./views/public.js";
import { VerifyPage, type VerifyOutcome } from "./views/verify.js";

const QUEUE_PAGE_SIZE = 25;

/**
 * What anyone may know of a document from its number: its type and date, nothing of its holder;
 * and the language it was issued in, which its own words keep whatever the reader's language.
 */
const documentOf = (certificate: store.VerifiableCertificate, payload: CertificatePayload | undefined) => ({
  title: payload?.proc ?? certificate.procedure_title,
  issuedAt: payload?.iss ?? certificate.issued_at.toISOString(),
  lang: service.documentLocale(certificate.municipality_languages),
});
/** Who signed, as printed; nothing for certificates issued before the signatory was printed. */
const signatoryOf = (certificate: store.VerifiableCertificate) => (certificate.signatory_office || certificate.signatory_name ? { office: certificate.signatory_office, name: certificate.signatory_name } : undefined);
const CLIENT_SCRIPT = fileURLToPath(new URL("../../client/verify-certificate.js", import.meta.url));

/** The multipart body's files, by form name, for readAnswers. */
function filesOf(body: unknown): Record<string, unknown> {
  const record = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(record).filter(([, value]) => isUploadedFile(value)));
}

export async function eservicesRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app;
  const filesDir = config.filesDir;

  const transitionContext = (request: FastifyRequest, municipality: Municipality, as: service.ActorKind[]) => ({
    db,
    notifier: app.notifier,
    filesDir,
    publicUrl: config.publicUrl,
    municipality,
    actor: request.actor,
    as,
  });

  async function publishedProcedure(request: FastifyRequest): Promise<{ municipality: Municipality; procedure: store.ProcedureRow }> {
    const municipality = request.requireMunicipality();
    const procedure = await store.getProcedureBySlug(db, municipality.id, (request.params as { procedure: string }).procedure);
    if (!procedure || (procedure.status === "draft" && !eservicesPolicy.manageProcedures(request.actor, municipality))) throw new AppError("NOT_FOUND");
    return { municipality, procedure };
  }

  // ---- Public: procedures ------------------------------------------------------------------

  app.get("/:slug/services", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const [procedures, stats] = await Promise.all([store.listProcedures(db, municipality.id, { publishedOnly: true }), store.procedureStats(db, municipality.id, { publishedOnly: true })]);
    return reply.page(<ProceduresPage ctx={await request.view()} municipality={municipality} procedures={procedures} stats={stats} />);
  });

  app.get("/:slug/services/stats.csv", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const stats = await store.procedureStats(db, municipality.id, { publishedOnly: true });
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${municipality.slug}-demarches-statistiques.csv"`)
      .send(statsCsv(stats));
  });

  app.get("/:slug/services/:procedure", async (request, reply) => {
    const { municipality, procedure } = await publishedProcedure(request);
    const [stats] = (await store.procedureStats(db, municipality.id, { publishedOnly: false })).filter((row) => row.procedure_id === procedure.id);
    return reply.page(<ProcedurePage ctx={await request.view()} municipality={municipality} procedure={procedure} stats={stats} />);
  });

  app.post("/:slug/services/:procedure/start", async (request, reply) => {
    const { municipality, procedure } = await publishedProcedure(request);
    const actor = requireSignedIn(request.actor);
    const started = await service.startDraft(db, filesDir, municipality, procedure, { id: actor.id, name: actor.name, phone: actor.phone, email: actor.email, locale: (actor.locale ?? request.locale) as Locale });
    return reply.redirectWithFlash(`/${municipality.slug}/dossiers/${started.id}`, { kind: "success", key: started.resumed ? "eservices.flash.draft_resumed" : "eservices.flash.draft_created" });
  });

  // ---- Applicant: their dossiers -----------------------------------------------------------

  app.get("/:slug/dossiers", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const actor = requireSignedIn(request.actor);
    const dossiers = await store.listApplicantDossiers(db, municipality.id, actor.id, service.localToday(municipality.time_zone));
    return reply.page(<MyDossiersPage ctx={await request.view()} municipality={municipality} dossiers={dossiers} />);
  });

  /** Everything the platform holds about the signed-in person in this municipality, as JSON. */
  app.get("/:slug/dossiers/mine.json", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const actor = requireSignedIn(request.actor);
    const dossiers = await store.listApplicantDossiers(db, municipality.id, actor.id, service.localToday(municipality.time_zone));
    const export_ = [];
    for (const dossier of dossiers) {
      await store.logAccess(db, municipality.id, dossier.id, actor.id, "export");
      export_.push({
        reference: dossier.reference,
        procedure: dossier.procedure_title,
        state: dossier.state,
        channel: dossier.channel,
        applicant: { name: dossier.applicant_name, phone: dossier.applicant_phone, email: dossier.applicant_email },
        answers: dossier.answers,
        submitted_at: dossier.submitted_at,
        due_on: dossier.due_on,
        decided_at: dossier.decided_at,
        decision_reason: dossier.decision_reason,
        history: (await store.listEvents(db, municipality.id, dossier.id, { audience: "applicant" })).map((event) => ({
          kind: event.kind,
          from: event.from_state,
          to: event.to_state,
          message: event.body,
          at: event.created_at,
        })),
        certificates: (await store.listCertificates(db, municipality.id, dossier.id)).map((certificate) => ({ number: certificate.number, issued_at: certificate.issued_at, revoked_at: certificate.revoked_at })),
        messages: (await store.listMessages(db, municipality.id, dossier.id)).map((message) => ({ from: message.author_role, text: message.body, at: message.created_at })),
        accesses: await store.listAccess(db, municipality.id, dossier.id),
      });
    }
    return reply
      .header("content-disposition", `attachment; filename="${municipality.slug}-mes-donnees.json"`)
      .send({ person: { name: actor.name, phone: actor.phone, email: actor.email }, municipality: municipality.name, exported_at: new Date().toISOString(), dossiers: export_ });
  });

  /** The dossier of the URL, for its applicant (or the agent who filed it at the counter). */
  async function applicantDossier(request: FastifyRequest) {
    const municipality = request.requireMunicipality();
    const actor = requireSignedIn(request.actor);
    const dossier = await store.getDossier(db, municipality.id, uuidOr404((request.params as { id: string }).id));
    if (!dossier || dossier.erased_at || (dossier.applicant_id !== actor.id && dossier.filed_by !== actor.id)) throw new AppError("NOT_FOUND");
    const procedure = (await store.getProcedure(db, municipality.id, dossier.procedure_id))!;
    return { municipality, actor, dossier, procedure };
  }

  async function applicantPage(
    request: FastifyRequest,
    reply: FastifyReply,
    found: Awaited<ReturnType<typeof applicantDossier>>,
    edit: { values?: FormValues; errors?: FormState["errors"]; add?: string; message?: FormState; threadForm?: FormState } = {},
    status = 200,
  ) {
    const { municipality, dossier, procedure, actor } = found;
    const [events, certificates, messages] = await Promise.all([
      store.listEvents(db, municipality.id, dossier.id, { audience: "applicant" }),
      store.listCertificates(db, municipality.id, dossier.id),
      store.listMessages(db, municipality.id, dossier.id),
    ]);
    await store.logAccess(db, municipality.id, dossier.id, actor.id, "view");
    return reply.page(
      <ApplicantDossierPage
        ctx={await request.view()}
        municipality={municipality}
        procedure={procedure}
        dossier={dossier}
        events={events}
        certificates={certificates}
        editable={service.isEditableByApplicant(dossier)}
        values={edit.values}
        errors={edit.errors}
        add={edit.add}
        messageForm={edit.message ?? emptyForm()}
        messages={messages}
        // Only the applicant writes from here; the agent who filed it at the counter writes from the back office.
        canWrite={eservicesPolicy.ownDossier(actor, dossier) && dossier.state !== "draft"}
        canDelete={eservicesPolicy.ownDossier(actor, dossier)}
        threadForm={edit.threadForm ?? emptyForm()}
      />,
      status,
    );
  }

  app.get("/:slug/dossiers/:id", async (request, reply) => applicantPage(request, reply, await applicantDossier(request)));

  // Deleting a draft asks first, on a page of its own: a form that works without JavaScript.
  async function ownDraft(request: FastifyRequest) {
    const found = await applicantDossier(request);
    if (!eservicesPolicy.ownDossier(found.actor, found.dossier)) throw new AppError("NOT_FOUND");
    if (found.dossier.state !== "draft") throw ruleRefused(ESERVICES_REASONS.DOSSIER_NOT_DRAFT);
    return found;
  }

  app.get("/:slug/dossiers/:id/delete", async (request, reply) => {
    const { municipality, procedure, dossier } = await ownDraft(request);
    return reply.page(<DeleteDraftPage ctx={await request.view()} municipality={municipality} procedure={procedure} dossier={dossier} />);
  });

  app.post("/:slug/dossiers/:id/delete", async (request, reply) => {
    const { municipality, procedure, dossier, actor } = await ownDraft(request);
    const form = new FormReader(request.body);
    form.text("_idem");
    // Without the confirmation the page asks again, rather than deleting on a stray post.
    if (form.text("confirm") !== "yes") return reply.page(<DeleteDraftPage ctx={await request.view()} municipality={municipality} procedure={procedure} dossier={dossier} />);
    await service.deleteDraft(db, filesDir, municipality, actor.id, dossier.id);
    return reply.redirectWithFlash(`/${municipality.slug}/dossiers`, { kind: "success", key: "eservices.flash.draft_deleted" });
  });

  /** The thread's text as typed, checked: required, at most MESSAGE_MAX characters. */
  function readThreadMessage(body: unknown): { form: FormReader; text: string } {
    const form = new FormReader(body);
    const text = cleanText(form.text("thread_message", { required: true, max: MESSAGE_MAX }), true);
    form.text("_idem");
    if (!form.invalid && !text) form.fail("thread_message", "form.required");
    return { form, text };
  }

  app.post("/:slug/dossiers/:id/messages", async (request, reply) => {
    const found = await applicantDossier(request);
    const { municipality, dossier, actor } = found;
    if (!eservicesPolicy.ownDossier(actor, dossier)) throw new AppError("NOT_FOUND");
    if (dossier.state === "draft") throw ruleRefused(ESERVICES_REASONS.MESSAGE_BEFORE_SUBMISSION);
    const { form, text } = readThreadMessage(request.body);
    if (form.invalid) return applicantPage(request, reply, found, { threadForm: form }, 400);
    await service.postMessage({ db, notifier: app.notifier, publicUrl: config.publicUrl, municipality, actor }, dossier.id, "applicant", text);
    return reply.redirectWithFlash(`/${municipality.slug}/dossiers/${dossier.id}#messages`, { kind: "success", key: "eservices.flash.message_sent" });
  });

  /** Reads the form against the procedure's definition; files go with the answers they belong to. */
  function readDossierForm(municipality: Municipality, procedure: store.ProcedureRow, body: unknown, draft: boolean, previous: Answers) {
    return readAnswers(procedure.form, (body ?? {}) as Record<string, unknown>, filesOf(body), { country: municipality.country_code, today: service.localToday(municipality.time_zone) }, { draft, previous });
  }

  // Save (a draft, or corrections in progress); "add an entry" re-renders with one more block.
  app.post("/:slug/dossiers/:id", async (request, reply) => {
    const found = await applicantDossier(request);
    const { municipality, dossier, procedure, actor } = found;
    if (!service.isEditableByApplicant(dossier)) throw ruleRefused(ESERVICES_REASONS.DOSSIER_NOT_EDITABLE);
    const body = request.body as Record<string, unknown>;
    const read = readDossierForm(municipality, procedure, body, true, dossier.answers);
    const add = typeof body._add === "string" ? body._add : undefined;
    if (Object.keys(read.errors).length > 0) return applicantPage(request, reply, found, { values: read.values, errors: read.errors, add }, 400);
    await service.saveDraftAnswers(db, filesDir, municipality, dossier, procedure, actor.id, read.answers, read.files);
    if (add) return reply.redirect(`/${municipality.slug}/dossiers/${dossier.id}?add=${encodeURIComponent(add)}#f-${encodeURIComponent(add)}`, 303);
    return reply.redirectWithFlash(`/${municipality.slug}/dossiers/${dossier.id}`, { kind: "success", key: "eservices.flash.saved" });
  });

  // Submitting checks every required answer; a dossier sent back for corrections is re-sent here too.
  app.post("/:slug/dossiers/:id/submit", async (request, reply) => {
    const found = await applicantDossier(request);
    const { municipality, dossier, procedure, actor } = found;
    if (!service.isEditableByApplicant(dossier)) throw ruleRefused(ESERVICES_REASONS.DOSSIER_NOT_EDITABLE);
    const read = readDossierForm(municipality, procedure, request.body, false, dossier.answers);
    if (Object.keys(read.errors).length > 0) return applicantPage(request, reply, found, { values: read.values, errors: read.errors }, 400);
    await service.saveDraftAnswers(db, filesDir, municipality, dossier, procedure, actor.id, read.answers, read.files);
    if (dossier.state === "draft") {
      const submitted = await service.transition(transitionContext(request, municipality, eservicesPolicy.roles(actor, municipality, procedure, dossier)), dossier.id, "submit");
      return reply.redirectWithFlash(`/${municipality.slug}/dossiers/${dossier.id}`, { kind: "success", key: submitted.reference ? "eservices.flash.submitted" : "eservices.flash.saved" });
    }
    const form = new FormReader(request.body);
    const message = form.text("message", { max: 2000 });
    await service.answerCorrection(db, municipality, actor.id, dossier.id, message);
    return reply.redirectWithFlash(`/${municipality.slug}/dossiers/${dossier.id}`, { kind: "success", key: "eservices.flash.corrected" });
  });

  /** A certificate or an attached file, for the applicant or an instructor; each download is logged. */
  async function dossierForDownload(request: FastifyRequest) {
    const municipality = request.requireMunicipality();
    const actor = requireSignedIn(request.actor);
    const dossier = await store.getDossier(db, municipality.id, uuidOr404((request.params as { id: string }).id));
    if (!dossier || dossier.erased_at) throw new AppError("NOT_FOUND");
    const procedure = (await store.getProcedure(db, municipality.id, dossier.procedure_id))!;
    const own = dossier.applicant_id === actor.id || dossier.filed_by === actor.id;
    if (!own && !eservicesPolicy.instruct(actor, municipality, procedure)) throw new AppError("NOT_FOUND");
    return { municipality, actor, dossier };
  }

  app.get("/:slug/dossiers/:id/certificates/:number", async (request, reply) => {
    const { municipality, actor, dossier } = await dossierForDownload(request);
    const number = (request.params as { number: string }).number.replace(/\.pdf$/, "");
    const certificate = (await store.listCertificates(db, municipality.id, dossier.id)).find((row) => row.number === number);
    const file = certificate?.file_id ? await findStoredFile(db, municipality.id, certificate.file_id) : undefined;
    if (!certificate || !file) throw new AppError("NOT_FOUND");
    await store.logAccess(db, municipality.id, dossier.id, actor.id, "download");
    return sendStoredFile(reply, filesDir, file, { fileName: `${certificate.number}.pdf`, cacheControl: "private, no-store" });
  });

  app.get("/:slug/dossiers/:id/files/:file", async (request, reply) => {
    const { municipality, actor, dossier } = await dossierForDownload(request);
    const fileId = (request.params as { file: string }).file;
    // Only files this dossier's answers point at: an id alone opens nothing.
    if (!JSON.stringify(dossier.answers).includes(`"fileId":"${fileId.replace(/[^0-9a-f-]/gi, "")}"`)) throw new AppError("NOT_FOUND");
    const file = await findStoredFile(db, municipality.id, fileId);
    if (!file) throw new AppError("NOT_FOUND");
    await store.logAccess(db, municipality.id, dossier.id, actor.id, "download");
    return sendStoredFile(reply, filesDir, file, { cacheControl: "private, no-store" });
  });

  // ---- Following a dossier without an account ------------------------------------------------

  app.get("/:slug/suivi", async (request, reply) => {
    const municipality = request.requireMunicipality();
    return reply.page(<FollowPage ctx={await request.view()} municipality={municipality} form={emptyForm()} />);
  });

  app.post("/:slug/suivi", { config: { rateLimit: { max: 20, timeWindow: "10 minutes" } } }, async (request, reply) => {
    const municipality = request.requireMunicipality();
    const form = new FormReader(request.body);
    const reference = form.text("reference", { required: true, max: 30 }).toUpperCase().replace(/\s+/g, "");
    const phoneText = form.text("phone", { required: true, max: 30 });
    form.text("_idem");
    const phone = phoneText ? normalizePhone(phoneText, municipality.country_code) : null;
    if (phoneText && !phone) form.fail("phone", "auth.error.phone");
    const dossier = form.invalid ? undefined : await store.findDossierByReference(db, municipality.id, reference);
    // The same answer for an unknown reference and a wrong phone: a reference alone reveals nothing.
    if (!form.invalid && (!dossier || dossier.applicant_phone !== phone || dossier.erased_at)) form.refuse("reference", ESERVICES_REASONS.FOLLOW_UP_NO_MATCH);
    if (form.invalid || !dossier) return reply.page(<FollowPage ctx={await request.view()} municipality={municipality} form={form} />, form.invalid ? 400 : 200);
    const procedure = (await store.getProcedure(db, municipality.id, dossier.procedure_id))!;
    const [events, certificates] = await Promise.all([store.listEvents(db, municipality.id, dossier.id, { audience: "applicant" }), store.listCertificates(db, municipality.id, dossier.id)]);
    await store.logAccess(db, municipality.id, dossier.id, request.actor?.id ?? null, "view");
    return reply.page(<FollowPage ctx={await request.view()} municipality={municipality} form={emptyForm()} found={{ dossier, procedure, events, certificates }} />);
  });

  // ---- Verification of certificates (network-wide) -----------------------------------------

  app.get("/assets/verify-certificate.js", async (_request, reply) => {
    return reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=86400").send(fs.readFileSync(CLIENT_SCRIPT));
  });

  async function trustedKeysJson(): Promise<string> {
    const [keys, revoked] = await Promise.all([store.trustedKeys(db), store.revokedNumbers(db)]);
    const byMunicipality = new Map<string, string[]>();
    for (const row of revoked) byMunicipality.set(row.municipality_id, [...(byMunicipality.get(row.municipality_id) ?? []), row.number]);
    const trusted = Object.fromEntries(
      keys.map((key) => [key.kid, { publicKey: key.public_key, municipality: key.municipality_name, lang: service.documentLocale(key.municipality_languages), revoked: byMunicipality.get(key.municipality_id) ?? [] }]),
    );
    return JSON.stringify(trusted).replace(/</g, "\\u003c");
  }

  app.get("/verify", async (request, reply) => {
    return reply.page(<VerifyPage ctx={await request.view()} trustedKeys={await trustedKeysJson()} />);
  });

  // By number alone — a guessable key — the answer says only whether such a document exists, is
  // authentic and unrevoked, its type, issuer and date: never whose it is (see README, "Verifying").
  app.get("/verify/:number", async (request, reply) => {
    const number = (request.params as { number: string }).number.slice(0, 40);
    const certificate = await store.findCertificateByNumber(db, number);
    let outcome: VerifyOutcome = { kind: "unknown", number };
    if (certificate) {
      // Once the holder's data is erased the token is gone with it; the platform's own record remains.
      const checked = certificate.token === "" ? undefined : verifyToken(certificate.token, (kid) => (kid === certificate.kid ? certificate.public_key : undefined));
      outcome =
        !checked || checked.status === "valid"
          ? { kind: certificate.revoked_at ? "revoked" : "valid", number, municipality: certificate.municipality_name, document: documentOf(certificate, checked?.payload), revokedAt: certificate.revoked_at }
          : { kind: "invalid", number };
    }
    // An unknown number is a page that does not exist, said as kindly as a known one.
    return reply.page(<VerifyPage ctx={await request.view()} trustedKeys={await trustedKeysJson()} outcome={outcome} />, outcome.kind === "unknown" ? 404 : 200);
  });

  // The code printed under the QR code, typed by whoever has no phone to scan it: as with the QR
  // code's content, whoever holds the paper holds the code, so what the paper says is shown.
  // Sixty random bits and this limit leave nothing to find by trying codes.
  app.post("/verify/code", { config: { rateLimit: { max: 20, timeWindow: "10 minutes" } } }, async (request, reply) => {
    const form = new FormReader(request.body);
    const typed = form.text("code", { required: true, max: 40 });
    form.text("_idem");
    const code = typed ? normalizeVerificationCode(typed) : null;
    if (typed && !code) form.fail("code", "eservices.verify.error.code");
    let outcome: VerifyOutcome | undefined;
    if (code && !form.invalid) {
      const certificate = await store.findCertificateByCode(db, code);
      if (!certificate) outcome = { kind: "unknown_code" };
      else {
        // Once the holder's data is erased the token is gone with it; the platform's own record remains.
        const checked = certificate.token === "" ? undefined : verifyToken(certificate.token, (kid) => (kid === certificate.kid ? certificate.public_key : undefined));
        outcome =
          !checked || checked.status === "valid"
            ? {
                kind: certificate.revoked_at ? "revoked" : "valid",
                number: certificate.number,
                municipality: certificate.municipality_name,
                document: documentOf(certificate, checked?.payload),
                revokedAt: certificate.revoked_at,
                ...(checked ? { presented: { payload: checked.payload, revokedReason: certificate.revoked_reason, by: "code" as const } } : {}),
                signatory: signatoryOf(certificate),
              }
            : { kind: "invalid", number: certificate.number };
      }
    }
    const status = form.invalid ? 400 : outcome?.kind === "unknown_code" ? 404 : 200;
    return reply.page(<VerifyPage ctx={await request.view()} trustedKeys={await trustedKeysJson()} outcome={outcome} codeForm={form} />, status);
  });

  // The QR code's content, pasted or sent by a browser without JavaScript: whoever holds it holds
  // the document, so its signed fields are shown once the signature checks against a network key.
  app.post("/verify/token", async (request, reply) => {
    const form = new FormReader(request.body);
    const pasted = form.text("token", { required: true, max: 4000 });
    form.text("_idem");
    const token = pasted.slice(pasted.indexOf("#") + 1).trim();
    let outcome: VerifyOutcome | undefined;
    if (!form.invalid) {
      const keys = await store.trustedKeys(db);
      const checked = verifyToken(token, (kid) => keys.find((key) => key.kid === kid)?.public_key);
      const certificate = checked.status === "valid" ? await store.findCertificateByNumber(db, checked.payload.ref) : undefined;
      outcome =
        // An erased certificate kept no token to compare: the signature alone vouches for what is presented.
        checked.status === "valid" && certificate && (certificate.token === token || certificate.token === "")
          ? {
              kind: certificate.revoked_at ? "revoked" : "valid",
              number: certificate.number,
              municipality: certificate.municipality_name,
              document: documentOf(certificate, checked.payload),
              presented: { payload: checked.payload, revokedReason: certificate.revoked_reason, by: "token" },
              revokedAt: certificate.revoked_at,
              signatory: signatoryOf(certificate),
            }
          : { kind: "invalid", number: "" };
    }
    return reply.page(<VerifyPage ctx={await request.view()} trustedKeys={await trustedKeysJson()} outcome={outcome} tokenForm={form} />, form.invalid ? 400 : 200);
  });

  // A PDF sent back: unchanged when its bytes are those a municipality signed, byte for byte.
  app.post("/verify", async (request, reply) => {
    const form = new FormReader(request.body);
    const upload = form.file("pdf");
    form.text("_idem");
    if (!upload) form.fail("pdf", "form.required");
    let outcome: VerifyOutcome | undefined;
    if (upload) {
      const sha256 = sha256Hex(upload.data);
      const [match] = await store.findCertificatesBySha256(db, sha256);
      // An erased certificate has no token left: the file still checks, without the holder's fields.
      const payload = match?.token ? readToken(match.token)?.payload : undefined;
      if (match && (payload || !match.token) && verifyDigest(upload.data, match.pdf_signature, match.public_key)) {
        outcome = {
          kind: match.revoked_at ? "revoked" : "valid",
          number: match.number,
          municipality: match.municipality_name,
          document: documentOf(match, payload),
          ...(payload ? { presented: { payload, revokedReason: match.revoked_reason, by: "file" as const } } : {}),
          revokedAt: match.revoked_at,
          signatory: signatoryOf(match),
        };
      } else outcome = { kind: "altered_file" };
    }
    return reply.page(<VerifyPage ctx={await request.view()} trustedKeys={await trustedKeysJson()} outcome={outcome} form={form} />, form.invalid ? 400 : 200);
  });

  // ---- Back office: procedures ---------------------------------------------------------------

  function authorizeProcedures(request: FastifyRequest): Municipality {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, eservicesPolicy.manageProcedures(request.actor, municipality));
    return municipality;
  }

  async function procedureOf(request: FastifyRequest, municipality: Municipality): Promise<store.ProcedureRow> {
    const procedure = await store.getProcedure(db, municipality.id, uuidOr404((request.params as { id: string }).id));
    if (!procedure) throw new AppError("NOT_FOUND");
    return procedure;
  }

  app.get("/:slug/admin/services", async (request, reply) => {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, eservicesPolicy.seeQueue(request.actor, municipality));
    const [procedures, stats] = await Promise.all([store.listProcedures(db, municipality.id, { publishedOnly: false }), store.procedureStats(db, municipality.id, { publishedOnly: false })]);
    return reply.page(<AdminProceduresPage ctx={await request.view()} municipality={municipality} procedures={procedures} stats={stats} canManage={eservicesPolicy.manageProcedures(request.actor, municipality)} />);
  });

  app.get("/:slug/admin/services/new", async (request, reply) => {
    const municipality = authorizeProcedures(request);
    return reply.page(<ProcedureEditPage ctx={await request.view()} municipality={municipality} form={builder.procedureForm(null)} />);
  });

  app.post("/:slug/admin/services", async (request, reply) => {
    const municipality = authorizeProcedures(request);
    const form = new FormReader(request.body);
    const input = builder.readProcedureInput(form, { sections: [{ id: "demande", title: request.t("eservices.builder.default_section"), fields: [] }] });
    form.text("_idem");
    const id = form.invalid ? undefined : await withConflictsOnForm(form, () => service.createProcedure(db, municipality.id, request.actor!.id, input));
    if (!id) return reply.page(<ProcedureEditPage ctx={await request.view()} municipality={municipality} form={form} />, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/services/${id}`, { kind: "success", key: "eservices.flash.procedure_created" });
  });

  async function editPage(
    request: FastifyRequest,
    reply: FastifyReply,
    municipality: Municipality,
    procedure: store.ProcedureRow,
    forms: { form?: FormState; fieldForm?: FormState; sectionForm?: FormState; focus?: BuilderFocus } = {},
    status = 200,
  ) {
    return reply.page(
      <ProcedureEditPage
        ctx={await request.view()}
        municipality={municipality}
        procedure={procedure}
        form={forms.form ?? builder.procedureForm(procedure)}
        fieldForm={forms.fieldForm ?? emptyForm({ required: "on", max_bytes_mb: "5" })}
        sectionForm={forms.sectionForm ?? emptyForm()}
        focus={forms.focus ?? {}}
      />,
      status,
    );
  }

  app.get("/:slug/admin/services/:id", async (request, reply) => {
    const municipality = authorizeProcedures(request);
    return editPage(request, reply, municipality, await procedureOf(request, municipality));
  });

  app.post("/:slug/admin/services/:id", async (request, reply) => {
    const municipality = authorizeProcedures(request);
    const procedure = await procedureOf(request, municipality);
    const form = new FormReader(request.body);
    const input = builder.readProcedureInput(form, procedure.form);
    form.text("_idem");
    const saved = form.invalid ? undefined : await withConflictsOnForm(form, () => service.updateProcedure(db, municipality.id, request.actor!.id, procedure.id, input).then(() => true));
    if (!saved) return editPage(request, reply, municipality, procedure, { form }, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/services/${procedure.id}`, { kind: "success", key: "eservices.flash.saved" });
  });

  for (const [verb, status] of [["publish", "published"], ["close", "closed"], ["unpublish", "draft"]] as const) {
    app.post(`/:slug/admin/services/:id/${verb}`, async (request, reply) => {
      const municipality = authorizeProcedures(request);
      const procedure = await procedureOf(request, municipality);
      await service.setProcedureStatus(db, municipality.id, request.actor!.id, procedure.id, status);
      return reply.redirectWithFlash(`/${municipality.slug}/admin/services/${procedure.id}`, { kind: "success", key: "eservices.flash.saved" });
    });
  }

  /** Applies one builder change to the form and saves it when the result is a valid definition. */
  async function changeForm(request: FastifyRequest, reply: FastifyReply, change: (procedure: store.ProcedureRow, form: FormReader) => builder.BuilderResult, which: "fieldForm" | "sectionForm") {
    const municipality = authorizeProcedures(request);
    const procedure = await procedureOf(request, municipality);
    const form = new FormReader(request.body);
    form.text("_idem");
    const result = change(procedure, form);
    if (form.invalid || !result.form) return editPage(request, reply, municipality, procedure, { [which]: form }, 400);
    await service.updateProcedure(db, municipality.id, request.actor!.id, procedure.id, { ...service.procedureInputOf(procedure), form: result.form });
    return reply.redirectWithFlash(`/${municipality.slug}/admin/services/${procedure.id}#${result.anchor ?? "builder"}`, { kind: "success", key: "eservices.flash.form_changed" });
  }

  app.post("/:slug/admin/services/:id/sections", async (request, reply) => changeForm(request, reply, (procedure, form) => builder.addSection(procedure.form, form), "sectionForm"));
  app.post("/:slug/admin/services/:id/fields", async (request, reply) => changeForm(request, reply, (procedure, form) => builder.addField(procedure.form, form), "fieldForm"));
  app.post("/:slug/admin/services/:id/fields/:field/delete", async (request, reply) => {
    const fieldId = (request.params as { field: string }).field;
    // Without the second button's confirmation nothing is removed: the page asks the question.
    if (!builder.removalConfirmed(new FormReader(request.body))) {
      const municipality = authorizeProcedures(request);
      return editPage(request, reply, municipality, await procedureOf(request, municipality), { focus: { confirmRemoval: fieldId } });
    }
    return changeForm(request, reply, (procedure, form) => builder.removeField(procedure.form, fieldId, form), "fieldForm");
  });

  /** The field to edit, or 404: an id from another procedure or a typo finds nothing. */
  function fieldOf(request: FastifyRequest, procedure: store.ProcedureRow) {
    const field = builder.findField(procedure.form, (request.params as { field: string }).field.slice(0, 40));
    if (!field) throw new AppError("NOT_FOUND");
    return field;
  }

  app.get("/:slug/admin/services/:id/fields/:field/edit", async (request, reply) => {
    const municipality = authorizeProcedures(request);
    const procedure = await procedureOf(request, municipality);
    const field = fieldOf(request, procedure);
    return editPage(request, reply, municipality, procedure, { focus: { editing: { fieldId: field.id, form: builder.fieldEditForm(field) } } });
  });

  // A refused edit shows the form again with what was typed and why, nothing saved.
  app.post("/:slug/admin/services/:id/fields/:field/edit", async (request, reply) => {
    const municipality = authorizeProcedures(request);
    const procedure = await procedureOf(request, municipality);
    const field = fieldOf(request, procedure);
    const form = new FormReader(request.body);
    form.text("_idem");
    const result = builder.editField(procedure.form, field.id, form);
    if (form.invalid || !result.form) return editPage(request, reply, municipality, procedure, { focus: { editing: { fieldId: field.id, form } } }, 400);
    await service.updateProcedure(db, municipality.id, request.actor!.id, procedure.id, { ...service.procedureInputOf(procedure), form: result.form });
    return reply.redirectWithFlash(`/${municipality.slug}/admin/services/${procedure.id}#${result.anchor ?? "builder"}`, { kind: "success", key: "eservices.flash.form_changed" });
  });
  app.post("/:slug/admin/services/:id/fields/:field/move", async (request, reply) =>
    changeForm(request, reply, (procedure, form) => builder.moveField(procedure.form, (request.params as { field: string }).field, form), "fieldForm"),
  );

  app.get("/:slug/admin/keys", async (request, reply) => {
    const municipality = authorizeProcedures(request);
    return reply.page(<KeysPage ctx={await request.view()} municipality={municipality} keys={await store.listKeys(db, municipality.id)} />);
  });

  app.post("/:slug/admin/keys/rotate", async (request, reply) => {
    const municipality = authorizeProcedures(request);
    await service.rotateKey(db, municipality.id, request.actor!.id);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/keys`, { kind: "success", key: "eservices.flash.key_rotated" });
  });

  // ---- Back office: instruction ----------------------------------------------------------------

  function readQueueParams(query: Record<string, unknown>): QueueParams {
    const text = (name: string) => (typeof query[name] === "string" ? (query[name] as string) : "");
    const states = ["open", "all", "submitted", "under_instruction", "accepted", "refused", "closed_without_follow_up"] as const;
    const state = (states as readonly string[]).includes(text("state")) ? (text("state") as QueueParams["state"]) : "open";
    const page = /^\d{1,5}$/.test(text("page")) ? Math.max(1, Number(text("page"))) : 1;
    const sort = (QUEUE_SORTS as readonly string[]).includes(text("sort")) ? (text("sort") as QueueParams["sort"]) : "urgency";
    return { procedure: text("procedure").slice(0, 80), state, overdue: text("overdue") === "1", mine: text("mine") === "1", q: text("q").trim().slice(0, 80), sort, dir: text("dir") === "desc" ? "desc" : "asc", page };
  }

  app.get("/:slug/admin/dossiers", async (request, reply) => {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, eservicesPolicy.seeQueue(request.actor, municipality));
    const params = readQueueParams(request.query as Record<string, unknown>);
    const procedures = (await store.listProcedures(db, municipality.id, { publishedOnly: false })).filter((procedure) => eservicesPolicy.instruct(request.actor, municipality, procedure));
    const chosen = procedures.filter((procedure) => !params.procedure || procedure.slug === params.procedure);
    const result = await store.listQueue(db, municipality.id, service.localToday(municipality.time_zone), {
      procedureIds: chosen.map((procedure) => procedure.id),
      state: params.state,
      overdueOnly: params.overdue,
      mine: params.mine ? request.actor!.id : null,
      search: params.q,
      sort: params.sort,
      descending: params.dir === "desc",
      limit: QUEUE_PAGE_SIZE,
      offset: (params.page - 1) * QUEUE_PAGE_SIZE,
    });
    return reply.page(<QueuePage ctx={await request.view()} municipality={municipality} procedures={procedures} params={params} rows={result.rows} total={result.total} pageSize={QUEUE_PAGE_SIZE} />);
  });

  async function instructedDossier(request: FastifyRequest) {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, eservicesPolicy.seeQueue(request.actor, municipality));
    const dossier = await store.getDossier(db, municipality.id, uuidOr404((request.params as { id: string }).id));
    if (!dossier || dossier.state === "draft") throw new AppError("NOT_FOUND");
    const procedure = (await store.getProcedure(db, municipality.id, dossier.procedure_id))!;
    requireAllowed(request.actor, eservicesPolicy.instruct(request.actor, municipality, procedure));
    return { municipality, dossier, procedure };
  }

  async function instructionPage(
    request: FastifyRequest,
    reply: FastifyReply,
    found: Awaited<ReturnType<typeof instructedDossier>>,
    forms: { action?: string; form?: FormState; noteForm?: FormState; threadForm?: FormState; reassignForm?: FormState } = {},
    status = 200,
  ) {
    const { municipality, dossier, procedure } = found;
    const [events, certificates, accesses, messages, colleagues] = await Promise.all([
      store.listEvents(db, municipality.id, dossier.id, { audience: "staff" }),
      store.listCertificates(db, municipality.id, dossier.id),
      store.listAccess(db, municipality.id, dossier.id),
      store.listMessages(db, municipality.id, dossier.id),
      service.reassignCandidates(db, municipality.id, procedure),
    ]);
    await store.logAccess(db, municipality.id, dossier.id, request.actor!.id, "view");
    const as = eservicesPolicy.roles(request.actor, municipality, procedure, dossier).filter((kind) => kind !== "applicant");
    return reply.page(
      <InstructionPage
        ctx={await request.view()}
        municipality={municipality}
        procedure={procedure}
        dossier={dossier}
        events={events}
        certificates={certificates}
        accesses={accesses}
        actions={service.availableActions(dossier.state, as)}
        today={service.localToday(municipality.time_zone)}
        canRevoke={eservicesPolicy.manageProcedures(request.actor, municipality)}
        failedAction={forms.action}
        actionForm={forms.form ?? emptyForm()}
        noteForm={forms.noteForm ?? emptyForm()}
        messages={messages}
        threadForm={forms.threadForm ?? emptyForm()}
        colleagues={service.OPEN_STATES.includes(dossier.state) ? colleagues.filter((colleague) => colleague.id !== dossier.instructor_id) : []}
        reassignForm={forms.reassignForm ?? emptyForm()}
      />,
      status,
    );
  }

  app.get("/:slug/admin/dossiers/:id", async (request, reply) => instructionPage(request, reply, await instructedDossier(request)));

  for (const action of service.DOSSIER_ACTIONS.filter((name) => name !== "submit")) {
    app.post(`/:slug/admin/dossiers/:id/${action}`, async (request, reply) => {
      const found = await instructedDossier(request);
      const { municipality, dossier, procedure } = found;
      const form = new FormReader(request.body);
      const message = form.text("message", { max: 5000, required: service.TRANSITIONS[action].needsMessage });
      form.text("_idem");
      if (form.invalid) return instructionPage(request, reply, found, { action, form }, 400);
      // Staff act as staff here, even on a dossier they filed at the counter for someone.
      const as = eservicesPolicy.roles(request.actor, municipality, procedure, dossier).filter((kind) => kind !== "applicant");
      await service.transition(transitionContext(request, municipality, as), dossier.id, action, message);
      return reply.redirectWithFlash(`/${municipality.slug}/admin/dossiers/${dossier.id}`, { kind: "success", key: "eservices.flash.transition_done" });
    });
  }

  app.post("/:slug/admin/dossiers/:id/notes", async (request, reply) => {
    const found = await instructedDossier(request);
    const form = new FormReader(request.body);
    const body = form.text("note", { required: true, max: 5000 });
    form.text("_idem");
    if (form.invalid) return instructionPage(request, reply, found, { noteForm: form }, 400);
    await service.addNote(db, found.municipality, request.actor!.id, found.dossier.id, body);
    return reply.redirectWithFlash(`/${found.municipality.slug}/admin/dossiers/${found.dossier.id}#history`, { kind: "success", key: "eservices.flash.note_added" });
  });

  app.post("/:slug/admin/dossiers/:id/messages", async (request, reply) => {
    const found = await instructedDossier(request);
    const { form, text } = readThreadMessage(request.body);
    if (form.invalid) return instructionPage(request, reply, found, { threadForm: form }, 400);
    await service.postMessage({ db, notifier: app.notifier, publicUrl: config.publicUrl, municipality: found.municipality, actor: request.actor! }, found.dossier.id, "agent", text);
    return reply.redirectWithFlash(`/${found.municipality.slug}/admin/dossiers/${found.dossier.id}#messages`, { kind: "success", key: "eservices.flash.message_sent" });
  });

  app.post("/:slug/admin/dossiers/:id/reassign", async (request, reply) => {
    const found = await instructedDossier(request);
    requireAllowed(request.actor, eservicesPolicy.reassign(request.actor, found.municipality, found.procedure));
    const form = new FormReader(request.body);
    const assignee = form.text("assignee", { required: true, max: 40 });
    form.text("_idem");
    const unreadable = form.invalid;
    const done = unreadable
      ? undefined
      : await withConflictsOnForm(form, () => service.reassign({ db, notifier: app.notifier, publicUrl: config.publicUrl, municipality: found.municipality, actor: request.actor! }, found.dossier.id, assignee).then(() => true));
    if (!done) return instructionPage(request, reply, found, { reassignForm: form }, unreadable ? 400 : 409);
    return reply.redirectWithFlash(`/${found.municipality.slug}/admin/dossiers/${found.dossier.id}`, { kind: "success", key: "eservices.flash.reassigned" });
  });

  app.post("/:slug/admin/dossiers/:id/certificates/:number/revoke", async (request, reply) => {
    const found = await instructedDossier(request);
    requireAllowed(request.actor, eservicesPolicy.manageProcedures(request.actor, found.municipality));
    const form = new FormReader(request.body);
    const reason = form.text("reason", { required: true, max: 1000 });
    form.text("_idem");
    if (form.invalid) return instructionPage(request, reply, found, { action: "revoke", form }, 400);
    const certificate = (await store.listCertificates(db, found.municipality.id, found.dossier.id)).find((row) => row.number === (request.params as { number: string }).number);
    if (!certificate) throw new AppError("NOT_FOUND");
    await service.revokeCertificate(db, found.municipality.id, request.actor!.id, certificate.id, reason);
    return reply.redirectWithFlash(`/${found.municipality.slug}/admin/dossiers/${found.dossier.id}`, { kind: "success", key: "eservices.flash.revoked" });
  });

  // ---- Back office: filing at the counter ------------------------------------------------------

  async function counterProcedure(request: FastifyRequest, municipality: Municipality, slug: string): Promise<store.ProcedureRow> {
    const procedure = await store.getProcedureBySlug(db, municipality.id, slug);
    if (!procedure || procedure.status !== "published") throw new AppError("NOT_FOUND");
    return procedure;
  }

  app.get("/:slug/admin/counter", async (request, reply) => {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, eservicesPolicy.fileAtCounter(request.actor, municipality));
    const slug = (request.query as { procedure?: string }).procedure ?? "";
    const procedures = await store.listProcedures(db, municipality.id, { publishedOnly: true });
    const procedure = slug ? await counterProcedure(request, municipality, slug) : undefined;
    return reply.page(<CounterFilingPage ctx={await request.view()} municipality={municipality} procedures={procedures} procedure={procedure} applicantForm={emptyForm()} />);
  });

  app.post("/:slug/admin/counter", async (request, reply) => {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, eservicesPolicy.fileAtCounter(request.actor, municipality));
    const body = request.body as Record<string, unknown>;
    const procedure = await counterProcedure(request, municipality, typeof body.procedure === "string" ? body.procedure : "");
    const form = new FormReader(body);
    const name = form.text("applicant_name", { required: true, max: 120 });
    const phoneText = form.text("applicant_phone", { max: 30 });
    const email = form.text("applicant_email", { max: 200, pattern: /^[^@\s]+@[^@\s]+$/ });
    const locale = form.choice("applicant_locale", ["fr", "pt", "en"] as const) ?? "fr";
    form.text("_idem");
    const phone = phoneText ? normalizePhone(phoneText, municipality.country_code) : null;
    if (phoneText && !phone) form.fail("applicant_phone", "auth.error.phone");
    if (!phoneText && !email) form.fail("applicant_phone", "eservices.counter.error.contact");
    const add = typeof body._add === "string" ? body._add : undefined;
    const read = readDossierForm(municipality, procedure, body, !!add, {});
    const procedures = await store.listProcedures(db, municipality.id, { publishedOnly: true });
    if (add || form.invalid || Object.keys(read.errors).length > 0) {
      return reply.page(
        <CounterFilingPage ctx={await request.view()} municipality={municipality} procedures={procedures} procedure={procedure} applicantForm={form} values={read.values} errors={read.errors} add={add} />,
        add ? 200 : 400,
      );
    }
    const agent = request.actor!;
    const id = await service.createDraft(db, filesDir, municipality, procedure, {
      applicant: { id: null, name, phone, email: email || null, locale },
      answers: read.answers,
      files: read.files,
      channel: "counter",
      filedBy: agent.id,
    });
    const dossier = await service.transition(transitionContext(request, municipality, ["applicant"]), id, "submit");
    return reply.redirectWithFlash(`/${municipality.slug}/admin/dossiers/${dossier.id}`, { kind: "success", key: "eservices.flash.filed_at_counter" });
  });

  // ---- JSON API ---------------------------------------------------------------------------------

  await eservicesApiRoutes(app);

}
