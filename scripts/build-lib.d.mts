// Types of scripts/build-lib.mjs for the TypeScript scripts that call it.
export declare const LIB_DIR: string;
export declare function isFresh(): boolean;
export declare function ensureLib(opts?: { force?: boolean }): Promise<"current" | "built">;
