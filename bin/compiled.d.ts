export declare const BUILD_STAMP: string;
export declare function newestSourceTime(root: string): number;
export declare function compiledEntry(root: string): { entry: string; reason: null } | { entry: null; reason: "missing" | "outdated" };
