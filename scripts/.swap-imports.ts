import { readNotebook, writeNotebook } from "./lib/ipynb";
for (const f of process.argv.slice(2)) {
  const nb = readNotebook(f);
  let n = 0;
  for (const c of nb.cells) {
    if (c.cell_type !== "code") continue;
    const src = Array.isArray(c.source) ? c.source : c.source.split("\n");
    const out = src.map((line: string) => {
      if (/^\s*(import|export)\b.*from\s+"\.\/src\//.test(line)) { n++; return line.replace('"./src/', '"./lib/'); }
      return line;
    });
    c.source = Array.isArray(c.source) ? out : out.join("\n");
  }
  writeNotebook(f, nb);
  console.log(f, n);
}
