/**
 * `npm run book [-- --fresh]`: builds build/book/ (index.html + one page per notebook, interactive
 * charts, no network needed) from the executed notebooks in build/executed/, executing in Jupyter
 * those that are missing or out of date first. --fresh re-executes every notebook.
 */
import path from "node:path";
import { buildBook } from "./lib/book/build";
import { bookInputs } from "./lib/book/inputs";
import { REPO } from "./lib/repo";

async function main(argv: string[]): Promise<void> {
  const unknown = argv.filter((a) => a !== "--fresh");
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(", ")} (allowed: --fresh)`);
  const started = Date.now();
  const { sources, ran } = await bookInputs({ fresh: argv.includes("--fresh") });
  for (const r of ran) process.stdout.write(`executed ${r.name} in Jupyter (${r.seconds.toFixed(1)} s)\n`);
  const book = buildBook(sources);
  process.stdout.write(
    `book: ${book.pages.length} pages, ${book.charts} charts in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
      `open ${path.relative(process.cwd(), path.join(book.outDir, "index.html")) || book.outDir} in a browser (works from disk, no server needed)\n`,
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`npm run book: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
