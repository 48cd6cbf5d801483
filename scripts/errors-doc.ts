// Writes docs/errors.md from the code: `node --import tsx scripts/errors-doc.ts`.
import fs from "node:fs";
import { renderErrorsDoc } from "../src/core/http/errors-doc.js";
import { reasonCatalogues } from "../src/core/reasons.js";
import { MODULES } from "../src/modules/index.js";

fs.writeFileSync(new URL("../docs/errors.md", import.meta.url), renderErrorsDoc(reasonCatalogues(MODULES)));
