/**
 * Atomic file and folder writes: content goes to a temporary sibling first and is renamed into place,
 * so a reader (or a crash) never sees half a file.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UserInputError } from "../errors";

/** Writes `text` to `path` through `<path>.tmp-<pid>` + fsync + rename. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const fd = openSync(tmp, "w", 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Builds a folder through `fill(tmpDir)` in a temporary sibling, then renames it to `dir`. When `dir`
 * exists it is refused unless `replace`, in which case the old folder is swapped out only after the new
 * one is complete. On any error the temporary folder is removed.
 */
export function writeDirAtomic(dir: string, fill: (tmpDir: string) => void, replace = false): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    fill(tmp);
    let old: string | null = null;
    try {
      renameSync(tmp, dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw e;
      if (!replace) throw new UserInputError(`${dir} already exists; choose another --out or pass --force to replace it`);
      old = join(parent, `.${basename(dir)}.old-${process.pid}`);
      renameSync(dir, old);
      renameSync(tmp, dir);
    }
    if (old) rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
