import type { FastifyRequest } from "fastify";
import { requireAllowed } from "../../core/auth/roles.js";
import type { Queryable } from "../../core/db/index.js";
import { AppError, uuidOr404 } from "../../core/http/errors.js";
import type { Municipality } from "../../core/tenancy/index.js";
import { participationPolicy } from "./policy.js";
import { getProcess, type ProcessRow } from "./store.js";

/** The URL's municipality, once the person is allowed to run its processes (403 otherwise). */
export function authorizeManager(request: FastifyRequest): Municipality {
  const municipality = request.requireMunicipality();
  requireAllowed(request.actor, participationPolicy.manageProcesses(request.actor, municipality));
  return municipality;
}

/** The process named by the URL's `:id`, in the URL's municipality only. */
export async function processOf(db: Queryable, request: FastifyRequest, municipality: Municipality): Promise<ProcessRow> {
  const process = await getProcess(db, municipality.id, uuidOr404((request.params as { id: string }).id));
  if (!process) throw new AppError("NOT_FOUND");
  return process;
}
