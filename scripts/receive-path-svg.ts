/** Writes docs/receive-path.svg from src/charts/receive-path.ts (run after changing the map). */
import fs from "node:fs";
import path from "node:path";
import { receivePathSvg } from "../src/charts/receive-path";
const out = path.join(import.meta.dirname, "..", "docs", "receive-path.svg");
fs.writeFileSync(out, receivePathSvg());
console.log(`wrote ${out}`);
