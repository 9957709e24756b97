/**
 * The book reads as a book (issue 13 item 8), checked on the rendered HTML without a browser: no
 * Jupyter-only instructions in any page, no "no answer yet" line of an unanswered exercise, and an
 * in-page table of contents that lists every section of the page.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../scripts/lib/repo";
import { joinText, parseNotebook } from "../scripts/lib/ipynb";
import type { Notebook } from "../scripts/lib/ipynb";
import { renderNotebook } from "../scripts/lib/book/render";
import { notebookPage, pageToc } from "../scripts/lib/book/page";

const JUPYTER_ONLY = /Shift[-+ ]?Enter|Ctrl[-+ ]?Enter|Run All|Cell\s*→|Kernel\s*→|press\s+the\s+run\s+button/i;
const dir = path.join(REPO, "notebooks");
const names = fs.readdirSync(dir).filter((f) => /^\d\d[a-z]?-.*\.ipynb$/.test(f)).sort().map((f) => f.replace(/\.ipynb$/, ""));

describe("the book is a book", () => {
  it("the rules can fail: a Jupyter instruction and a dead output are found", () => {
    expect(JUPYTER_ONLY.test("Select a cell and press **Shift-Enter**")).toBe(true);
    const nb = { cells: [{ cell_type: "code", source: "check()", metadata: {}, execution_count: 1, outputs: [{ output_type: "stream", name: "stdout", text: "… Exercise 1: no answer yet. Replace the undefined above with your answer and run the cell again.\n" }] }], metadata: {}, nbformat: 4, nbformat_minor: 5 } as unknown as Notebook;
    expect(renderNotebook(nb, "x").html).not.toContain("no answer yet");
    expect(renderNotebook(nb, "x").html).not.toContain('class="outputs"');
  });

  for (const name of names) {
    it(`${name}: no Jupyter-only instruction, no dead output, a table of contents`, () => {
      const nb = parseNotebook(fs.readFileSync(path.join(dir, `${name}.ipynb`), "utf8"), name);
      for (const c of nb.cells.filter((x) => x.cell_type === "markdown")) expect(joinText(c.source)).not.toMatch(JUPYTER_ONLY);
      const { html } = renderNotebook(nb, name);
      expect(html).not.toMatch(/no answer yet/);
      const sections = [...html.matchAll(/<h2 id="([^"]+)"/g)].map((m) => m[1]);
      const toc = pageToc(html);
      expect(toc).toContain('class="page-toc"');
      for (const id of sections) expect(toc, id).toContain(`href="#${id}"`);
      const page = notebookPage([{ name, title: name, blurb: "" }], 0, html, false, { versions: {} });
      expect(page.indexOf('class="page-toc"')).toBeLessThan(page.indexOf("<h2 "));
      expect(page.indexOf('class="page-toc"')).toBeGreaterThan(page.indexOf("<h1 "));
    });
  }
});
