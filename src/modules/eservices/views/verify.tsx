import { ErrorSummary, Field, FileField, Form } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { CertificatePayload } from "../certificates.js";

/** What the person presented besides the number: the QR code's content, the code printed under it, or the PDF file itself. */
export interface PresentedDocument {
  payload: CertificatePayload;
  revokedReason: string;
  by: "token" | "file" | "code";
}

export type VerifyOutcome =
  | {
      kind: "valid" | "revoked";
      number: string;
      municipality: string;
      /** The document's type and date of issue: all that a number alone reveals; `lang`, the language it was issued in. */
      document: { title: string; issuedAt: string; lang: string };
      revokedAt: Date | null;
      /** Only when the document itself was presented: its signed fields, the reason of a revocation. */
      presented?: PresentedDocument;
      /** Who signed it, as printed, when the document itself (its file, token or code) was presented. */
      signatory?: { office: string; name: string } | undefined;
    }
  | { kind: "invalid" | "unknown"; number: string }
  | { kind: "unknown_code" }
  | { kind: "altered_file" };

/**
 * The document's identity as the platform knows it; the holder's fields only to whoever presented it.
 * The headings speak the reader's language; what the document itself says (its title, its fields
 * as issued) stays in the language it was issued in, marked so that a screen reader reads it right.
 */
function DocumentFacts(props: { ctx: ViewContext; outcome: Extract<VerifyOutcome, { kind: "valid" | "revoked" }> }): JSX.Element {
  const { t, fmt } = props.ctx;
  const { outcome } = props;
  const lang = outcome.document.lang;
  return (
    <dl class="facts">
      <div>
        <dt safe>{t("eservices.verify.number")}</dt>
        <dd safe>{outcome.number}</dd>
      </div>
      <div>
        <dt safe>{t("eservices.verify.issuer")}</dt>
        <dd safe>{outcome.municipality}</dd>
      </div>
      <div>
        <dt safe>{t("eservices.verify.document")}</dt>
        <dd lang={lang} safe>
          {outcome.document.title}
        </dd>
      </div>
      <div>
        <dt safe>{t("eservices.verify.issued")}</dt>
        <dd safe>{fmt.date(new Date(outcome.document.issuedAt), "UTC")}</dd>
      </div>
      {Object.entries(outcome.presented?.payload.fields ?? {}).map(([label, value]) => (
        <div lang={lang}>
          <dt safe>{label}</dt>
          <dd safe>{value}</dd>
        </div>
      ))}
      {outcome.signatory ? (
        <div>
          <dt safe>{t("eservices.verify.signatory")}</dt>
          <dd lang={lang} safe>
            {[outcome.signatory.name, outcome.signatory.office].filter(Boolean).join(", ")}
          </dd>
        </div>
      ) : (
        ""
      )}
    </dl>
  );
}

function Outcome(props: { ctx: ViewContext; outcome: VerifyOutcome }): JSX.Element {
  const { ctx, outcome } = props;
  const { t } = ctx;
  switch (outcome.kind) {
    case "valid":
      return (
        <div class="success" role="status">
          <h2 safe>{outcome.presented?.by === "file" ? t("eservices.verify.file_valid") : t("eservices.verify.valid")}</h2>
          <DocumentFacts ctx={ctx} outcome={outcome} />
          {outcome.presented ? "" : <p safe>{t("eservices.verify.holder_hidden")}</p>}
        </div>
      );
    case "revoked":
      return (
        <div class="errors" role="alert">
          <h2 safe>{t("eservices.verify.revoked")}</h2>
          <p safe>
            {outcome.presented
              ? t("eservices.verify.revoked_detail", { date: outcome.revokedAt ? ctx.fmt.date(outcome.revokedAt, "UTC") : "", reason: outcome.presented.revokedReason })
              : t("eservices.verify.revoked_on", { date: outcome.revokedAt ? ctx.fmt.date(outcome.revokedAt, "UTC") : "" })}
          </p>
          <DocumentFacts ctx={ctx} outcome={outcome} />
        </div>
      );
    case "invalid":
      return (
        <div class="errors" role="alert">
          <h2 safe>{t("eservices.verify.invalid")}</h2>
        </div>
      );
    case "unknown":
      return (
        <div class="errors" role="alert">
          <h2 safe>{t("eservices.verify.unknown", { number: outcome.number })}</h2>
        </div>
      );
    case "unknown_code":
      return (
        <div class="errors" role="alert">
          <h2 safe>{t("eservices.verify.unknown_code")}</h2>
          <p safe>{t("eservices.verify.unknown_code_detail")}</p>
        </div>
      );
    case "altered_file":
      return (
        <div class="errors" role="alert">
          <h2 safe>{t("eservices.verify.altered_file")}</h2>
          <p safe>{t("eservices.verify.altered_file_detail")}</p>
        </div>
      );
  }
}

/**
 * The verification page. The server says what it knows of a document number; the script checks
 * the signature carried in the QR code (after #) against the network's public keys, embedded
 * here, so that a page kept on a phone still verifies without a connection.
 */
export function VerifyPage(props: { ctx: ViewContext; trustedKeys: string; outcome?: VerifyOutcome | undefined; form?: FormState; tokenForm?: FormState; codeForm?: FormState }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("eservices.verify.title")}>
      <h1 safe>{t("eservices.verify.title")}</h1>
      {props.outcome ? <Outcome ctx={ctx} outcome={props.outcome} /> : <p safe>{t("eservices.verify.intro")}</p>}
      <section>
        <h2 safe>{t("eservices.verify.code_title")}</h2>
        <ErrorSummary ctx={ctx} form={props.codeForm} />
        <Form ctx={ctx} action="/verify/code" form={props.codeForm} label={t("eservices.verify.code_title")}>
          <Field ctx={ctx} form={props.codeForm} name="code" label={t("eservices.verify.code")} hint={t("eservices.verify.code_hint")} required maxlength={40} autocomplete="off" />
          <button type="submit" safe>
            {t("eservices.verify.check_code")}
          </button>
        </Form>
      </section>
      <section>
        <h2 safe>{t("eservices.verify.offline_title")}</h2>
        <p safe>{t("eservices.verify.offline_intro")}</p>
        <output
          id="offline-result"
          data-valid={t("eservices.verify.offline_valid")}
          data-invalid={t("eservices.verify.invalid")}
          data-unknown={t("eservices.verify.offline_unknown")}
          data-revoked={t("eservices.verify.revoked")}
          data-unsupported={t("eservices.verify.offline_unsupported")}
          data-label-ref={t("eservices.verify.number")}
          data-label-mun={t("eservices.verify.issuer")}
          data-label-proc={t("eservices.verify.document")}
          data-label-iss={t("eservices.verify.issued")}
        ></output>
        <ErrorSummary ctx={ctx} form={props.tokenForm} />
        <Form ctx={ctx} action="/verify/token" form={props.tokenForm} label={t("eservices.verify.offline_title")}>
          <Field ctx={ctx} form={props.tokenForm} name="token" label={t("eservices.verify.token")} multiline rows={3} required maxlength={4000} autocomplete="off" />
          <button type="submit" safe>
            {t("eservices.verify.check_token")}
          </button>
        </Form>
      </section>
      <section>
        <h2 safe>{t("eservices.verify.file_title")}</h2>
        <ErrorSummary ctx={ctx} form={props.form} />
        <Form ctx={ctx} action="/verify" form={props.form} multipart label={t("eservices.verify.file_title")}>
          <FileField ctx={ctx} form={props.form} name="pdf" label={t("eservices.verify.file")} hint={t("eservices.verify.file_hint")} accept="application/pdf" />
          <button type="submit" safe>
            {t("eservices.verify.check")}
          </button>
        </Form>
      </section>
      <script id="trusted-keys" type="application/json">
        {props.trustedKeys}
      </script>
      <script src="/assets/verify-certificate.js" defer></script>
    </Layout>
  );
}
