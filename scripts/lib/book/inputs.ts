/**
 * The book's inputs: the executed copy of every notebook in build/executed/, re-run first when
 * missing or older than the notebook, anything under src/ or the lock file (make-style mtimes).
 */
import fs from "node:fs";
import path from "node:path";
import { readNotebook } from "../ipynb";
import { formatProblems } from "../notebook-checks";
import { defaultParallelism, listNotebooks, mapLimit, notebookName, prepareRuns, runNotebook } from "../notebook-run";
import type { RunResult } from "../notebook-run";
import { PATHS, REPO } from "../repo";
import type { BookSource } from "./build";

function newestMtime(target: string): number {
  const st = fs.statSync(target, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

export interface BookInputs {
  sources: BookSource[];
  /** The notebooks that had to be executed (empty when every executed copy was current). */
  ran: RunResult[];
}

export async function bookInputs(opts: { fresh?: boolean; notebooksDir?: string } = {}): Promise<BookInputs> {
  const files = listNotebooks(opts.notebooksDir);
  if (files.length === 0) throw new Error(`no notebooks under ${opts.notebooksDir ?? PATHS.notebooks}`);
  const codeMtime = Math.max(newestMtime(path.join(REPO, "src")), newestMtime(path.join(REPO, "package-lock.json")));
  const executedPath = (f: string) => path.join(PATHS.executed, `${notebookName(f)}.ipynb`);
  const stale = files.filter((f) => {
    if (opts.fresh) return true;
    const done = fs.statSync(executedPath(f), { throwIfNoEntry: false });
    return !done || done.mtimeMs < Math.max(fs.statSync(f).mtimeMs, codeMtime);
  });
  let ran: RunResult[] = [];
  if (stale.length > 0) {
    prepareRuns();
    ran = await mapLimit(stale, defaultParallelism(), (f) => runNotebook(f));
    const failed = ran.filter((r) => r.problems.length > 0);
    if (failed.length > 0) {
      throw new Error(`cannot build the book, notebooks have problems:\n\n${failed.map((r) => formatProblems(r.name, r.problems)).join("\n\n")}`);
    }
  }
  const sources = files.map((f) => ({ name: notebookName(f), notebook: readNotebook(executedPath(f)) }));
  return { sources, ran };
}
