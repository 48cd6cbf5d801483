import { defineReasons } from "../../core/http/errors.js";

/** Why the open-data catalogue refuses a change; the codes are stable (docs/errors.md). */
export const OPENDATA_REASONS = defineReasons({
  DATASET_SLUG_TAKEN: {
    key: "opendata.error.slug_taken",
    remedy: "Another dataset of the municipality has this address: choose another slug.",
  },
  DATASET_WITHOUT_RESOURCE: {
    key: "opendata.error.no_resource",
    remedy: "A dataset is published with at least one file or link: add a resource, then publish.",
  },
});
