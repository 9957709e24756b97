import { auditChart } from "./src/charts/audit";
import { readNotebook, VEGALITE_MIMES } from "./scripts/lib/ipynb";
import { listNotebooks } from "./scripts/lib/run-notebook";
import path from "node:path";
for (const f of listNotebooks()) {
  const nb = readNotebook(f);
  let k = 0;
  for (const c of nb.cells) for (const o of c.outputs ?? []) {
    const m = VEGALITE_MIMES.find((x) => o.data?.[x] !== undefined); if (!m) continue;
    k++;
    const p = await auditChart(o.data![m] as any);
    const byKind: Record<string, number> = {};
    for (const x of p) byKind[x.kind] = (byKind[x.kind] ?? 0) + 1;
    console.log(path.basename(f), c.id, k, JSON.stringify(byKind), p.slice(0, 3).map((x) => x.message.slice(0, 140)).join(" | "));
  }
}
