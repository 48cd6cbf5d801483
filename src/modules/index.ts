import { auditModule } from "../core/audit/routes.js";
import { accountModule } from "../core/auth/routes.js";
import { exportCatalogueModule, registerModules, type AppModule } from "../core/modules.js";
import { eservicesModule } from "./eservices/index.js";
import { opendataModule } from "./opendata/index.js";
import { participationModule } from "./participation/index.js";
import { portalModule } from "./portal/index.js";

/**
 * Every module the platform runs, in the order their navigation entries appear, their demo data
 * is seeded and their exports are listed.
 */
export const MODULES: AppModule[] = [accountModule, portalModule, opendataModule, participationModule, eservicesModule, auditModule, exportCatalogueModule];

// On import, so that a translator used outside any request (a job, a seed, a test) finds every
// module's texts, and the exports catalogue knows every module, whoever imported MODULES first.
registerModules(MODULES);
