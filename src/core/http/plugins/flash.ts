import fp from "fastify-plugin";
import type { FastifyReply } from "fastify";
import type { Flash } from "../../views/context.js";
import { FLASH_COOKIE } from "../cookies.js";

/**
 * A message for the page after a redirect ("news saved"): kept a minute in a cookie and shown
 * by the next GET, which forgets it. Only a message key travels, never text.
 */
export const flashPlugin = fp(
  async (app) => {
    app.decorateRequest("flash", null);
    app.decorateReply("redirectWithFlash", function (this: FastifyReply, url: string, flash: Flash) {
      this.setCookie(FLASH_COOKIE, [flash.kind, flash.key, ...(flash.reason ? [flash.reason] : [])].join(":"), { path: "/", httpOnly: true, sameSite: "lax", secure: app.config.cookieSecure, maxAge: 60 });
      return this.redirect(url, 303);
    });

    app.addHook("onRequest", async (request, reply) => {
      const flash = request.cookies[FLASH_COOKIE];
      if (flash && request.method === "GET") {
        const [kind, key, reason] = flash.split(":");
        if ((kind === "success" || kind === "error") && key) request.flash = reason && /^[A-Z][A-Z0-9_]*$/.test(reason) ? { kind, key, reason } : { kind, key };
        reply.clearCookie(FLASH_COOKIE, { path: "/" });
      }
    });
  },
  { name: "cite-flash", fastify: "5.x", dependencies: ["cite-app-context", "@fastify/cookie"] },
);
