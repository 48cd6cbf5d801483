import type { FastifyRequest } from "fastify";
import { requireAllowed, type Actor } from "../../core/auth/roles.js";
import type { Queryable } from "../../core/db/index.js";
import { AppError, uuidOr404 } from "../../core/http/errors.js";
import type { Municipality } from "../../core/tenancy/index.js";
import { participationPolicy } from "./policy.js";
import { getProcess, getProcessBySlug, type ProcessRow } from "./store.js";

/**
 * The URL's municipality, once the person is allowed to run its processes (403 otherwise). A part
 * passes its own policy's rule, which may be stricter than running processes.
 */
export function authorizeManager(request: FastifyRequest, allowed: (actor: Actor | null, municipality: Municipality) => boolean = participationPolicy.manageProcesses): Municipality {
  const municipality = request.requireMunicipality();
  requireAllowed(request.actor, allowed(request.actor, municipality));
  return municipality;
}

/** The process named by the URL's `:id`, in the URL's municipality only. */
export async function processOf(db: Queryable, request: FastifyRequest, municipality: Municipality): Promise<ProcessRow> {
  const process = await getProcess(db, municipality.id, uuidOr404((request.params as { id: string }).id));
  if (!process) throw new AppError("NOT_FOUND");
  return process;
}

/**
 * The process named by the URL's `:process` slug, for its public pages and those of its parts:
 * a draft exists only for those who run processes.
 */
export async function publishedProcess(db: Queryable, request: FastifyRequest): Promise<{ municipality: Municipality; process: ProcessRow }> {
  const municipality = request.requireMunicipality();
  const process = await getProcessBySlug(db, municipality.id, (request.params as { process: string }).process);
  if (!process || (process.status !== "published" && !participationPolicy.manageProcesses(request.actor, municipality))) throw new AppError("NOT_FOUND");
  return { municipality, process };
}
