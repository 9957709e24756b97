import fs from "node:fs";
import path from "node:path";
import { parseNotebook } from "./lib/ipynb";
import { proseUnits } from "./lib/prose-claims";
const dir = path.join(import.meta.dirname, "..", "notebooks");
const out = fs.readdirSync(dir).filter((f) => /^\d\d[a-z]?-.*\.ipynb$/.test(f)).sort()
  .flatMap((f) => proseUnits(parseNotebook(fs.readFileSync(path.join(dir, f), "utf8"), f), f.replace(/\.ipynb$/, "")))
  .filter((u) => u.states && u.claims.length === 0)
  .map((u) => ({ notebook: u.notebook, hash: u.hash, excerpt: u.text.replace(/\s+/g, " ").slice(0, 100) }));
fs.writeFileSync(path.join(import.meta.dirname, "..", "test", "prose", "unbound.json"), JSON.stringify(out, null, 1) + "\n");
console.log(out.length); for (const u of out) console.log(u.notebook.slice(0,2), u.excerpt);
