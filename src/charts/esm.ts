/**
 * Loads ES modules (vega, vega-lite) from code that may run inside a tslab cell, under vitest or
 * under tsx. tslab turns `import()` into `require()`, which Node 20 refuses for ESM graphs with
 * top-level await (vega's canvas probe), so the import is hidden from the compiler in a Function.
 */

type Importer = (specifier: string) => Promise<unknown>;

// Built once: a Function's body is not rewritten by tslab's CommonJS transform, so this stays a real
// dynamic import that Node resolves from this file's context.
const viaFunction = new Function("s", "return import(s)") as Importer;

// vitest and other vm-based runners give Function-created code no dynamic-import callback
// (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING); there a plain import() is not rewritten and works.
let useFunction = true;

const cache = new Map<string, Promise<unknown>>();

function isMissingCallback(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING";
}

async function load(specifier: string): Promise<unknown> {
  if (useFunction) {
    try {
      return await viaFunction(specifier);
    } catch (err) {
      if (!isMissingCallback(err)) throw err;
      useFunction = false;
    }
  }
  return await import(specifier);
}

/**
 * `import(specifier)` that works in tslab cells, vitest and tsx. Results are cached per specifier;
 * a failed import is not cached, so a later call can retry.
 */
export function importESM<T = unknown>(specifier: string): Promise<T> {
  let p = cache.get(specifier);
  if (!p) {
    p = load(specifier);
    cache.set(specifier, p);
    p.catch(() => cache.delete(specifier));
  }
  return p as Promise<T>;
}
