/**
 * Finds the hand-written sentences of a notebook that state a direction or a number about results,
 * and the claim markers that bind them to a check. A markdown cell that reads results (it follows a
 * code cell with outputs, or is a Summary / "Where ..." section) is split into units (paragraphs and
 * list items); a unit that uses a direction word or a measured number must carry
 * `<!-- claim: id -->`, and test/prose/checks.ts holds the check for each id.
 */
import { createHash } from "node:crypto";
import { joinText } from "./ipynb";
import type { Notebook } from "./ipynb";

/** Words that state a direction or an outcome. */
export const DIRECTION_WORDS = /\b(raise[sd]?|lowers?|lowered|rises?|rose|falls?|fell|drops?|dropped|higher|lower|more|less|fewer|faster|slower|never|nothing|no packet|within|the same|agrees?|agreed|disagrees?|reproduced|collapses?|loses?|lost|wins?|won|increases?|decreases?|grows?|every run|longer|shorter|far apart|close|apart|part)\b/i;
/** A number with a unit of measure, or "N of M". */
export const MEASURED_NUMBER = /\d[\d,.]*\s*(?:%|(?:percent|ms|µs|us|kpps|pps|Mpps|times|x)\b)|\b\d+\s+of\s+\d+/;
export const CLAIM_MARKER = /<!--\s*claim:\s*([a-z0-9][a-z0-9-]*)\s*-->/g;

export interface ProseUnit {
  notebook: string;
  cell: number;
  text: string;
  /** Claim ids marked on the unit. */
  claims: string[];
  /** States a direction or a measured number. */
  states: boolean;
  /** sha256 of the whitespace-normalised text without markers, first 12 hex digits. */
  hash: string;
}

export function normalise(text: string): string {
  return text.replace(CLAIM_MARKER, "").replace(/\s+/g, " ").trim();
}

export function unitHash(text: string): string {
  return createHash("sha256").update(normalise(text)).digest("hex").slice(0, 12);
}

/** Paragraphs and list items of a markdown text, fenced code and lone headings left out. */
export function splitUnits(markdown: string): string[] {
  const noCode = markdown.replace(/```[\s\S]*?```/g, "");
  return noCode.split(/\n\s*\n|\n(?=\s*[-*] )/).map((u) => u.trim())
    .filter((u) => u !== "" && !(/^#/.test(u) && !u.includes("\n")));
}

export function statesSomething(unit: string): boolean {
  const t = normalise(unit).replace(/`[^`]*`/g, "").replace(/\([^)]*\.ipynb[^)]*\)/g, "");
  return DIRECTION_WORDS.test(t) || MEASURED_NUMBER.test(t);
}

/**
 * The prose units of the cells that read results: a markdown cell right after a code cell that has
 * outputs, or a "## Summary" / "## Where ..." section, up to the "## Exercises" heading.
 */
export function proseUnits(nb: Notebook, name: string): ProseUnit[] {
  const out: ProseUnit[] = [];
  let exercises = false;
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== "markdown") return;
    if (exercises) return;
    const full = joinText(cell.source);
    // Exercises are questions, not statements: everything from the "## Exercises" heading on is left out.
    const ex = /^##\s*Exercises/m.exec(full);
    const src = ex ? full.slice(0, ex.index) : full;
    if (ex) exercises = true;
    if (src.trim() === "") return;
    const prev = i > 0 ? nb.cells[i - 1] : undefined;
    const reads = prev !== undefined && prev.cell_type === "code" && (prev.outputs ?? []).length > 0;
    if (!reads && !/^\s*##\s*(Summary|Where)/.test(src)) return;
    const units = splitUnits(src);
    const next = nb.cells[i + 1];
    units.forEach((text, k) => {
      const claims = [...text.matchAll(CLAIM_MARKER)].map((m) => m[1]!);
      // The last paragraph of a cell that ends with ":" right above a code cell introduces that code:
      // its numbers are the settings printed in the cell below, not results.
      const introducesCode = k === units.length - 1 && /:\s*$/.test(normalise(text)) && next?.cell_type === "code";
      out.push({ notebook: name, cell: i, text, claims, states: !introducesCode && statesSomething(text), hash: unitHash(text) });
    });
  });
  return out;
}

/** Every claim marker anywhere in a notebook's markdown (to find markers outside the checked cells). */
export function allMarkers(nb: Notebook): string[] {
  return nb.cells.filter((c) => c.cell_type === "markdown").flatMap((c) => [...joinText(c.source).matchAll(CLAIM_MARKER)].map((m) => m[1]!));
}
