import { auditModule } from "../core/audit/routes.js";
import { accountModule } from "../core/auth/routes.js";
import type { AppModule } from "../core/http/server.js";
import { eservicesModule } from "./eservices/index.js";
import { opendataModule } from "./opendata/index.js";
import { participationModule } from "./participation/index.js";
import { portalModule } from "./portal/index.js";

/** Every module the platform runs, in the order their navigation entries appear. */
export const MODULES: AppModule[] = [accountModule, portalModule, opendataModule, participationModule, eservicesModule, auditModule];
