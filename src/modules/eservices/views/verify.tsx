import { ErrorSummary, FileField, Form } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { CertificatePayload } from "../certificates.js";

export type VerifyOutcome =
  | { kind: "valid" | "revoked"; number: string; municipality: string; payload: CertificatePayload; revokedAt: Date | null; revokedReason: string; byFile?: boolean }
  | { kind: "invalid" | "unknown"; number: string }
  | { kind: "altered_file" };

/** The document's fields as its QR code carries them, the issuer as the platform knows it. */
function PayloadFacts(props: { ctx: ViewContext; municipality: string; payload: CertificatePayload }): JSX.Element {
  const { t, fmt } = props.ctx;
  return (
    <dl class="facts">
      <div>
        <dt safe>{t("eservices.verify.number")}</dt>
        <dd safe>{props.payload.ref}</dd>
      </div>
      <div>
        <dt safe>{t("eservices.verify.issuer")}</dt>
        <dd safe>{props.municipality}</dd>
      </div>
      <div>
        <dt safe>{t("eservices.verify.document")}</dt>
        <dd safe>{props.payload.proc}</dd>
      </div>
      <div>
        <dt safe>{t("eservices.verify.issued")}</dt>
        <dd safe>{fmt.date(new Date(props.payload.iss), "UTC")}</dd>
      </div>
      {Object.entries(props.payload.fields).map(([label, value]) => (
        <div>
          <dt safe>{label}</dt>
          <dd safe>{value}</dd>
        </div>
      ))}
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
          <h2 safe>{outcome.byFile ? t("eservices.verify.file_valid") : t("eservices.verify.valid")}</h2>
          <PayloadFacts ctx={ctx} municipality={outcome.municipality} payload={outcome.payload} />
        </div>
      );
    case "revoked":
      return (
        <div class="errors" role="alert">
          <h2 safe>{t("eservices.verify.revoked")}</h2>
          <p safe>{t("eservices.verify.revoked_detail", { date: outcome.revokedAt ? ctx.fmt.date(outcome.revokedAt, "UTC") : "", reason: outcome.revokedReason })}</p>
          <PayloadFacts ctx={ctx} municipality={outcome.municipality} payload={outcome.payload} />
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
export function VerifyPage(props: { ctx: ViewContext; trustedKeys: string; outcome?: VerifyOutcome | undefined; form?: FormState }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("eservices.verify.title")}>
      <h1 safe>{t("eservices.verify.title")}</h1>
      {props.outcome ? <Outcome ctx={ctx} outcome={props.outcome} /> : <p safe>{t("eservices.verify.intro")}</p>}
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
        <label for="token" safe>
          {t("eservices.verify.token")}
        </label>
        <textarea id="token" rows="3" spellcheck="false"></textarea>
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
