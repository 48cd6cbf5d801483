import type { FastifyReply } from "fastify";
import type { Config } from "../../config.js";

/** The cookies the platform sets; one place, because several plugins and the account pages read them. */
export const SESSION_COOKIE = "sid";
export const CSRF_COOKIE = "csrf";
export const LANG_COOKIE = "lang";
export const FLASH_COOKIE = "flash";

export function setSessionCookie(reply: FastifyReply, config: Config, token: string, maxAgeSeconds: number): void {
  reply.setCookie(SESSION_COOKIE, token, { path: "/", httpOnly: true, sameSite: "lax", secure: config.cookieSecure, maxAge: maxAgeSeconds });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: "/" });
}
