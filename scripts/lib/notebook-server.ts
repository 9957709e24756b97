/**
 * Starts and stops Jupyter's classic Notebook server the way `npm start` does: 127.0.0.1 only,
 * the repo's tslab kernelspec and state folder, a token, the notebooks folder. Shared by
 * scripts/jupyter-server.ts and the browser test, so the test exercises the real start-up path.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { PATHS } from "./repo";
import { jupyterEnv, prepareJupyterState, requireJupyter } from "./jupyter-env";

export interface NotebookServerOptions {
  /** Port to try first; when taken, a free port is used. 0 or undefined = any free port. */
  port?: number;
  /** Defaults to 24 random bytes in hex. */
  token?: string;
  /** Defaults to the repo's notebooks/. */
  notebookDir?: string;
  /** Copy Jupyter's own log lines to this process's stderr (npm start) or only keep them (tests). */
  echoLog?: boolean;
  /** How long to wait for the server to answer; it usually takes 2-4 s. */
  readyTimeoutMs?: number;
}

export interface NotebookServer {
  port: number;
  token: string;
  /** http://127.0.0.1:<port>/ */
  baseUrl: string;
  /** The URL to open: http://127.0.0.1:<port>/?token=<token> */
  url: string;
  pid: number;
  /** Resolves with the exit code (null when killed by a signal) when the server process ends. */
  exited: Promise<number | null>;
  /** Jupyter's log so far (last 400 lines). */
  log(): string;
  /** SIGTERM (the server then shuts its kernels down itself), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** `preferred` when it is free on 127.0.0.1, otherwise a free port chosen by the OS. */
export async function choosePort(preferred?: number): Promise<number> {
  if (preferred && (await canListen(preferred))) return preferred;
  return freePort();
}

/** Reads $PORT: unset or empty gives 8888; anything but an integer 1-65535 is an error. */
export function portFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 8888;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT must be an integer from 1 to 65535, got '${value}'`);
  }
  return port;
}

export async function startNotebookServer(opts: NotebookServerOptions = {}): Promise<NotebookServer> {
  requireJupyter("notebook");
  prepareJupyterState();
  const port = await choosePort(opts.port);
  const token = opts.token ?? randomBytes(24).toString("hex");
  const args = [
    "notebook",
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    // We picked the port and print it; Jupyter must not silently move to another one.
    "--port-retries=0",
    `--notebook-dir=${opts.notebookDir ?? PATHS.notebooks}`,
  ];
  if (process.getuid?.() === 0) args.push("--allow-root");

  // Own process group: a terminal's Ctrl-C reaches only our launcher, which then stops Jupyter
  // with SIGTERM (Jupyter would otherwise ask "Shutdown this notebook server (y/[n])?").
  const child = spawn("jupyter", args, {
    env: { ...jupyterEnv(), JUPYTER_TOKEN: token },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    if (opts.echoLog) process.stderr.write(text);
    lines.push(...text.split("\n").filter((l) => l.length > 0));
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      exitCode = code;
      resolve(code);
    });
    child.once("error", (err) => {
      lines.push(`spawn error: ${err.message}`);
      exitCode = null;
      resolve(null);
    });
  });
  const pid = child.pid ?? -1;

  const stop = async (graceMs = 10_000): Promise<void> => {
    if (exitCode !== undefined || pid < 0) return;
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      return; // already gone
    }
    const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
    if ((await Promise.race([exited, timer])) === "timeout") {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        /* gone in the meantime */
      }
      await exited;
    }
  };

  const baseUrl = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`jupyter notebook exited (code ${exitCode}) before answering:\n${lines.slice(-30).join("\n")}`);
    }
    try {
      const res = await fetch(`${baseUrl}api/kernelspecs`, { headers: { Authorization: `token ${token}` } });
      if (res.ok) {
        const specs = (await res.json()) as { kernelspecs?: Record<string, unknown> };
        if (!specs.kernelspecs?.tslab) {
          await stop();
          throw new Error(`the server does not list the tslab kernel (JUPYTER_PATH=${PATHS.jupyter}); kernels: ${Object.keys(specs.kernelspecs ?? {}).join(", ")}`);
        }
        break;
      }
    } catch (err) {
      if (err instanceof Error && err.message.startsWith("the server does not list")) throw err;
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`jupyter notebook did not answer on ${baseUrl} in time:\n${lines.slice(-30).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }

  return { port, token, baseUrl, url: `${baseUrl}?token=${token}`, pid, exited, log: () => lines.join("\n"), stop };
}
