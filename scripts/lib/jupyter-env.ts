/**
 * The environment every Jupyter command of the kit runs in: the repo's tslab kernelspec on
 * JUPYTER_PATH, and Jupyter's config, data and runtime folders inside the git-ignored
 * .jupyter-state/ (so nothing is read from or written to ~/.jupyter or ~/.local/share/jupyter).
 */
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { PATHS } from "./repo";
import { copyVegaBundles } from "./vendor";

export const STATE = {
  config: path.join(PATHS.jupyterState, "config"),
  data: path.join(PATHS.jupyterState, "data"),
  runtime: path.join(PATHS.jupyterState, "runtime"),
  ipython: path.join(PATHS.jupyterState, "ipython"),
} as const;

/** The Python of Debian's Jupyter packages (the `jupyter` launcher's own; a python3 earlier on PATH may lack nbclient). */
export const JUPYTER_PYTHON = "/usr/bin/python3";

/** Environment for `jupyter ...` child processes. */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    JUPYTER_PATH: PATHS.jupyter,
    JUPYTER_CONFIG_DIR: STATE.config,
    JUPYTER_DATA_DIR: STATE.data,
    JUPYTER_RUNTIME_DIR: STATE.runtime,
    IPYTHONDIR: STATE.ipython,
    // The kernelspec runs `node`: make it the node running this script, whatever PATH says.
    PATH: [path.dirname(process.execPath), base.PATH ?? "/usr/bin:/bin"].join(path.delimiter),
    // Debian's Python 3.11 + debugpy print a "frozen modules" debugger warning on every start.
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
}

/**
 * Creates the state folders and installs the classic Notebook's custom.js with the vega bundles
 * beside it (copied fresh each time, so an `npm ci` that moves vega versions is picked up).
 */
export function prepareJupyterState(): void {
  for (const dir of Object.values(STATE)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const custom = path.join(STATE.config, "custom");
  fs.mkdirSync(custom, { recursive: true });
  fs.copyFileSync(path.join(PATHS.jupyter, "custom", "custom.js"), path.join(custom, "custom.js"));
  copyVegaBundles(path.join(custom, "vendor"));
}

/** Subcommands already found in this process (asking costs a Python start, about a second). */
const found = new Set<string>();

/** Throws a clear error naming the install line when a Jupyter command is missing. */
export function requireJupyter(subcommand: "nbconvert" | "notebook"): void {
  if (found.has(subcommand)) return;
  try {
    execFileSync("jupyter", [subcommand, "--version"], { stdio: "ignore", env: jupyterEnv() });
    found.add(subcommand);
  } catch {
    const pkg = subcommand === "nbconvert" ? "jupyter-nbconvert" : "jupyter-notebook";
    throw new Error(
      `jupyter ${subcommand} is not installed. Run \`bash scripts/ensure-deps.sh --jupyter\` ` +
        `(as root on Debian), or: apt-get install -y --no-install-recommends ${pkg}`,
    );
  }
}
