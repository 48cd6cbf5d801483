import { formatters, translator } from "../src/core/i18n/index.js";
import type { ViewContext } from "../src/core/views/context.js";
// Registers every module's catalogue, as the app does: components alone render modules' texts too.
import "../src/modules/index.js";

/** What a view is given for an anonymous visitor reading in French, for rendering components alone. */
export function anonymousFrenchView(): ViewContext {
  return {
    t: translator("fr"),
    locale: "fr",
    fmt: formatters("fr"),
    actor: null,
    municipality: null,
    network: null,
    csrfToken: "token",
    publicUrl: "http://localhost:3000",
    path: "/",
    flash: null,
    nav: [],
    adminNav: [],
    canAdminister: false,
    canAdministerNetwork: false,
    uploadLimitBytes: 10_000_000,
  };
}
