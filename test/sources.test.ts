/**
 * Sources a lecturer can cite: the bibliography is complete and well formed, every claim's quoted
 * sentences are the commit message's own, every kernel-function link is a well-formed Elixir link at
 * the model's version, the published figures cite bibliography entries, and no notebook (source or
 * output) or document cites a file that is not in the repository.
 */
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO } from "../scripts/lib/repo";
import { joinText, parseNotebook } from "../scripts/lib/ipynb";
import { foldedMessage, identUrl, KERNEL_FUNCTIONS, KERNEL_VERSION, kernelFunctionsMarkdown, loadCommitQuotes, loadReferences, quoteFor, sourceUrl } from "../src/notebook/sources";
import { loadPublishedFigures } from "../src/measure/dataset";

const PUBLISHED = path.join(REPO, "datasets", "published");
const refs = loadReferences(PUBLISHED);
const quotes = loadCommitQuotes(PUBLISHED);

describe("the bibliography", () => {
  it("has every source the issue names, each with authors, title, year, an https link and what it supports", () => {
    for (const id of ["dad6b9770263", "rfc-2023", "lkp-2023-08-21", "4cd13c21b207", "d15121be7485", "mogul-1997", "preempt-rt-6.12"]) {
      expect(refs.map((r) => r.id), id).toContain(id);
    }
    expect(new Set(refs.map((r) => r.id)).size).toBe(refs.length);
    for (const r of refs) {
      expect(r.authors.length, r.id).toBeGreaterThan(0);
      expect(r.title.length, r.id).toBeGreaterThan(0);
      expect(r.year, r.id).toBeGreaterThan(1990);
      expect(r.supports.length, r.id).toBeGreaterThan(10);
      expect(r.checked.length, r.id).toBeGreaterThan(10);
      for (const u of [r.url, r.mirror, r.posting].filter((x): x is string => !!x)) expect(() => new URL(u), u).not.toThrow();
      for (const u of [r.url, r.mirror, r.posting].filter((x): x is string => !!x)) expect(u, r.id).toMatch(/^https:\/\//);
    }
    const mogul = refs.find((r) => r.id === "mogul-1997")!;
    expect(mogul.venue).toMatch(/ACM Transactions on Computer Systems/);
  });

  it("commits link to their id on git.kernel.org", () => {
    for (const id of ["dad6b9770263", "4cd13c21b207", "d15121be7485"]) {
      expect(refs.find((r) => r.id === id)!.url).toBe(`https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=${id}`);
    }
  });

  it("every published figure cites a bibliography entry (ref <id>) or says it was derived from one, or that it has no recorded original", () => {
    const ids = new Set(refs.map((r) => r.id));
    for (const row of loadPublishedFigures(path.join(PUBLISHED, "claims-figures.csv")).rows) {
      const src = String(row.source);
      const cited = [...src.matchAll(/\bref ([\w.-]+?)(?=[\s:,)]|$)/g)].map((m) => m[1]!);
      if (cited.length === 0) expect(src, String(row.metric)).toMatch(/no single original recorded/);
      for (const c of cited) expect(ids.has(c), `${row.metric}: ref ${c}`).toBe(true);
    }
  });
});

describe("the sentences each claim tests", () => {
  const message = foldedMessage(quotes.text);
  it("are quoted verbatim from the commit message, for C1-C13", () => {
    expect(Object.keys(quotes.quotes)).toEqual(["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11", "C12", "C13"]);
    for (const [claim, sentences] of Object.entries(quotes.quotes)) {
      for (const s of sentences) expect(message, `${claim}: ${s}`).toContain(s);
    }
    expect(message).toMatch(/^Backlog NAPI is a per-CPU NAPI struct only/);
  });

  it("are shown attributed to the author and the commit", () => {
    expect(quoteFor("C9", quotes)).toMatch(/^> Sending UDP packets over loopback[\s\S]*— Sebastian Andrzej Siewior, commit dad6b9770263/);
    expect(quoteFor("C15", quotes)).toMatch(/no sentence of the commit message/);
  });
});

describe("kernel functions", () => {
  it("each links to Elixir at the model's version, by identifier and by file", () => {
    expect(KERNEL_VERSION).toBe("v6.10");
    for (const f of KERNEL_FUNCTIONS) {
      expect(f.name, f.name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(f.file, f.name).toMatch(/^(net|kernel|drivers|include)\/[\w/.-]+\.[ch]$/);
      const u = new URL(identUrl(f.name, f.version));
      expect(u.host).toBe("elixir.bootlin.com");
      expect(u.pathname).toBe(`/linux/${f.version ?? KERNEL_VERSION}/C/ident/${f.name}`);
      expect(new URL(sourceUrl(f.file, f.version)).pathname).toBe(`/linux/${f.version ?? KERNEL_VERSION}/source/${f.file}`);
    }
    for (const name of ["netif_rx", "enqueue_to_backlog", "get_rps_cpu", "net_rps_send_ipi", "process_backlog", "__netif_receive_skb", "net_rx_action", "dev_cpu_dead", "__do_softirq"]) {
      expect(KERNEL_FUNCTIONS.map((f) => f.name)).toContain(name);
    }
    expect(kernelFunctionsMarkdown()).toContain("(https://elixir.bootlin.com/linux/v6.10/C/ident/enqueue_to_backlog)");
  });

  it("each names a file of the model that exists", () => {
    for (const f of KERNEL_FUNCTIONS) {
      const file = /^(src\/[\w/.-]+\.ts)/.exec(f.model)?.[1];
      if (file) expect(fs.existsSync(path.join(REPO, file)), `${f.name}: ${file}`).toBe(true);
    }
  });
});

/** Repository files, by path and by base name. */
const tracked = execFileSync("git", ["ls-files"], { cwd: REPO, encoding: "utf8" }).split("\n").filter(Boolean);
const untrackedNew = execFileSync("git", ["ls-files", "--others", "--exclude-standard"], { cwd: REPO, encoding: "utf8" }).split("\n").filter(Boolean);
const files = new Set([...tracked, ...untrackedNew]);
const basenames = new Set([...files].map((f) => path.basename(f)));
/** A cited file: a path with a folder, or a bare document name (`claims.md`); bare code or data names
 *  are left out (`trace.json` in a command is a file the reader makes, `r.ts` is a field). */
const FILE_REF = /(?<![\w/.:*-])((?:\.\.\/|\.\/)?\w[\w.-]*(?:\/[\w.-]+)*\.(?:md|ts|json|csv|ipynb|svg|txt|mjs|sh))\b/g;
/** Absolute paths into someone's machine (system interfaces such as /proc, /sys and scratch /tmp are not citations). */
const ABSOLUTE = /(?<![\w.])\/(?:work|home|root|Users|mnt)\/[\w./-]+/g;

/** The files a text cites that are not in the repository (resolved from the text's folder or the root). */
export function missingCitations(text: string, fromDir: string): string[] {
  const out: string[] = [];
  const noUrls = text.replace(/https?:\/\/[^\s)"'`<>]+/g, " ");
  for (const m of noUrls.matchAll(ABSOLUTE)) out.push(m[0]);
  for (const m of noUrls.matchAll(FILE_REF)) {
    const ref = m[1]!;
    if (!ref.includes("/") && !ref.endsWith(".md")) continue;
    const candidates = [path.normalize(path.join(fromDir, ref)), path.normalize(ref), path.normalize(ref.replace(/^(\.\.\/)+/, ""))];
    const ok = candidates.some((c) => files.has(c) || [...files].some((f) => f.startsWith(`${c}/`) || f.endsWith(`/${c}`))) || (!ref.includes("/") && basenames.has(ref));
    if (!ok) out.push(ref);
  }
  return out;
}

describe("no citation points outside the repository", () => {
  it("the rule finds absolute paths and files the repository does not hold", () => {
    expect(missingCitations("see /work/shared/domain/claims.md and claims.md", "")).toEqual(["/work/shared/domain/claims.md", "claims.md"]);
    expect(missingCitations("`docs/calibration-report.md`, ../datasets/published/claims-figures.csv, https://x.org/a.md", "notebooks")).toEqual([]);
  });

  const texts: { name: string; dir: string; text: string }[] = [];
  for (const f of fs.readdirSync(path.join(REPO, "notebooks")).filter((x) => x.endsWith(".ipynb")).sort()) {
    const nb = parseNotebook(fs.readFileSync(path.join(REPO, "notebooks", f), "utf8"), f);
    // markdown and outputs: what the reader is told (code is checked by running it)
    const parts = nb.cells.flatMap((c) => [c.cell_type === "markdown" ? joinText(c.source) : "", ...(c.outputs ?? []).map((o) => joinText((o.text ?? o.data?.["text/plain"] ?? o.data?.["text/markdown"] ?? "") as string | string[]))]);
    texts.push({ name: `notebooks/${f}`, dir: "notebooks", text: parts.join("\n") });
  }
  for (const f of ["README.md", "datasets/README.md", ...fs.readdirSync(path.join(REPO, "docs")).filter((x) => x.endsWith(".md")).map((x) => `docs/${x}`)]) {
    texts.push({ name: f, dir: path.dirname(f), text: fs.readFileSync(path.join(REPO, f), "utf8") });
  }
  for (const t of texts) {
    it(t.name, () => {
      expect(missingCitations(t.text, t.dir)).toEqual([]);
    });
  }
});
