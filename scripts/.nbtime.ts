import { executeNotebook } from "./lib/run-notebook";
const r = await executeNotebook(process.argv[2]!);
console.log("ok", r.ok, "total", r.seconds);
let first: number | null = null;
for (const c of r.result!.cells) {
  if (c.cell_type !== "code") continue;
  const e = (c.metadata as any).execution;
  if (!e) continue;
  const b = Date.parse(e["iopub.status.busy"]), i = Date.parse(e["iopub.status.idle"]);
  first ??= b;
  const src = (Array.isArray(c.source) ? c.source.join("") : c.source).split("\n")[0];
  const errs = (c.outputs ?? []).filter((o: any) => o.output_type === "error" || o.name === "stderr").map((o: any) => (o.text ?? o.evalue ?? "").toString().slice(0, 200));
  console.log(((b - first) / 1000).toFixed(2).padStart(6), ((i - b) / 1000).toFixed(2).padStart(6), src.slice(0, 70), errs.join(" | "));
}
