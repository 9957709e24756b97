/**
 * Where things live in a softnet-lab checkout: the folders the notebook, book and Jupyter tooling
 * read and write. Every generated folder here is git-ignored.
 */
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The repository root (this file is scripts/lib/repo.ts). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export const PATHS = {
  notebooks: path.join(REPO, "notebooks"),
  /** Executed copies of the notebooks, written by the notebook tests and `npm run notebooks`. */
  executed: path.join(REPO, "build", "executed"),
  book: path.join(REPO, "build", "book"),
  /** The committed Jupyter files: kernelspec under kernels/, the custom.js source under custom/. */
  jupyter: path.join(REPO, "jupyter"),
  /** Jupyter's own state (config, data, runtime) so nothing lands in ~/.jupyter or ~/.local. */
  jupyterState: path.join(REPO, ".jupyter-state"),
  artifacts: path.join(REPO, "test-artifacts"),
  nodeModules: path.join(REPO, "node_modules"),
} as const;
