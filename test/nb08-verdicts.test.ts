/**
 * The closing table of notebooks/08-verdicts.ipynb: every claim has the verdict the course states.
 * A model change that flips one fails here, with the claim's evidence in the message. The two charts
 * that count claims say what they count (15 of the commit and R1), and the book's live verdict pass
 * at another scale and seed is the robustness grid's cell.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { claimVerdicts, type ClaimVerdict } from "../src/experiments/verdicts";
import { robustnessParagraph, robustnessSentence, robustnessTable, verdictsAndRobustness, verdictsRobustness, type ClaimRobustness } from "../src/experiments/robustness";
import { kernelFacts, realKernelEvidence } from "../src/experiments/real-kernel";
import { realKernelClaims } from "../src/experiments/real-kernels";
import { loadMeasurementDataset } from "../src/measure/dataset";
import { ROBUSTNESS_SCALES, claimSpec, claimsCounted, durationAt, isCommitClaim } from "../src/experiments/claim-verdicts";
import { specTitle } from "../src/live/figures";
import { verdictPass } from "../src/live/verdicts";

const EXPECTED: Record<string, string> = {
  C1: "reproduced", C2: "reproduced", C3: "reproduced", C4: "reproduced", C5: "reproduced",
  C6: "reproduced", C7: "reproduced", C8: "reproduced under conditions", C9: "reproduced",
  C10: "reproduced under conditions", C11: "reproduced", C12: "not reproduced",
  C13: "reproduced", C14: "reproduced", C15: "reproduced",
  // the rival patch's own claim (OpenWrt's backlog_threaded, notebook 10)
  R1: "reproduced under conditions",
};

describe("08 · every claim, one verdict", () => {
  const verdicts = claimVerdicts("datasets/published/claims-figures.csv");

  it("covers C1 to C15 and the rival patch's claim, each with evidence and a notebook that exists", () => {
    expect(verdicts.map((v) => v.claim)).toEqual(Object.keys(EXPECTED));
    for (const v of verdicts) {
      expect(v.evidence.length).toBeGreaterThan(20);
      expect(v.notebook).toMatch(/^\d\d[a-z]?-/);
      expect(existsSync(`notebooks/${v.notebook}.ipynb`), v.notebook).toBe(true);
    }
  });

  for (const [claim, verdict] of Object.entries(EXPECTED)) {
    it(`${claim}: ${verdict}`, () => {
      const v = verdicts.find((x) => x.claim === claim)!;
      expect(v.verdict, `${claim}: ${v.evidence}`).toBe(verdict);
    });
  }
});

describe("08 · the real kernel's column", () => {
  const ds = loadMeasurementDataset("datasets/real/kvm-guest-2cpu-epyc-linux6.18-lean-2026-12-06");
  const real = realKernelEvidence(ds);
  const md = JSON.parse(readFileSync("notebooks/08-verdicts.ipynb", "utf8"))
    .cells.filter((c: { cell_type: string }) => c.cell_type === "markdown")
    .map((c: { source: string[] | string }) => (Array.isArray(c.source) ? c.source.join("") : c.source))
    .join("\n");

  it("covers C1 to C15 and R1, each with evidence", () => {
    expect(real.map((r) => r.claim)).toEqual(Object.keys(EXPECTED));
    for (const r of real) expect(r.text.length).toBeGreaterThan(20);
  });

  it("the notebook's list of what the kernel shows is the computed one, status by status", () => {
    const statuses = [...new Set(real.map((r) => r.status))];
    for (const status of statuses) {
      const line = new RegExp(`- \\*\\*${status}\\*\\*: ((?:[CR]\\d+(?:, )?)+)`).exec(md);
      expect(line, `no line for "${status}" in the notebook`).not.toBeNull();
      const listed = line![1].split(", ").map((x) => x.trim());
      expect(listed, status).toEqual(real.filter((r) => r.status === status).map((r) => r.claim));
    }
  });

  it("the kernel facts come from the dataset: no thread_backlog_napi, not PREEMPT_RT", () => {
    expect(kernelFacts(ds)).toMatchObject({ rt: false, threadBacklogNapi: false, backlogThreads: 0 });
    expect(kernelFacts(ds).version).toBe(618);
  });

  it("RPS batches on the real kernel: several datagrams per RPS IPI", () => {
    const c2 = real.find((r) => r.claim === "C2")!;
    const perIpi = Number(/one per ([\d.]+) datagrams/.exec(c2.text)![1]);
    expect(perIpi).toBeGreaterThan(2);
  });

  it("a kernel booted with thread_backlog_napi would get its own evidence, not 'needs'", () => {
    const on = { ...ds, metadata: { ...ds.metadata, kernel: { ...ds.metadata.kernel, thread_backlog_napi: true, backlog_napi_threads: 2 } } };
    const r = realKernelEvidence(on);
    for (const c of ["C11", "C12", "C13"]) expect(r.find((x) => x.claim === c)!.status).not.toBe("needs thread_backlog_napi");
  });
});

describe("08 · the kernels of the change, booted in QEMU", () => {
  const booted = realKernelClaims();
  const md = JSON.parse(readFileSync("notebooks/08-verdicts.ipynb", "utf8"))
    .cells.filter((c: { cell_type: string }) => c.cell_type === "markdown")
    .map((c: { source: string[] | string }) => (Array.isArray(c.source) ? c.source.join("") : c.source))
    .join("\n");
  it("the notebook's sentence lists exactly the claims each verdict has", () => {
    const m = /The booted kernels \*\*support\*\* ([^,]+(?:, [^,]+)*?) and (C\d+), show (C\d+) \*\*in part\*\*.*?do \*\*not\s+show\*\* (C\d+)/s.exec(md);
    expect(m, "the sentence about the booted kernels").not.toBeNull();
    const supports = [...m![1].split(", "), m![2]];
    expect(supports).toEqual(booted.filter((e) => e.verdict === "supports").map((e) => e.claim));
    expect([m![3]]).toEqual(booted.filter((e) => e.verdict === "partial").map((e) => e.claim));
    expect([m![4]]).toEqual(booted.filter((e) => e.verdict === "not-shown").map((e) => e.claim));
  });
  it("every text names TCG where it depends on the boots", () => {
    for (const e of booted) if (e.verdict !== "not-shown") expect(e.text, e.claim).toMatch(/TCG/);
  });
});

describe("08 · verdicts that do not hang on a run length", () => {
  const nb = JSON.parse(readFileSync("notebooks/08-verdicts.ipynb", "utf8"));
  const outputsOf = (id: string) => {
    const cell = nb.cells.find((c: { id?: string }) => c.id === id);
    return (cell.outputs as { text?: string[] | string; data?: Record<string, string[] | string> }[]).map((o) => {
      const t = o.text ?? o.data?.["text/markdown"] ?? "";
      return Array.isArray(t) ? t.join("") : t;
    });
  };
  let robust: ClaimRobustness[] = [];
  let gridVerdicts: ClaimVerdict[] = [];
  beforeAll(async () => {
    // the notebook's call: the verdicts come from the grid's cell at 1 x the run length, seed 1
    ({ verdicts: gridVerdicts, robust } = await verdictsAndRobustness("datasets/published/claims-figures.csv"));
  }, 600_000);

  it("the verdicts the notebook takes from the grid are claimVerdicts' own, field for field", () => {
    expect(gridVerdicts).toEqual(claimVerdicts("datasets/published/claims-figures.csv"));
  });

  it("verdictsRobustness gives the same grid", async () => {
    expect(await verdictsRobustness("datasets/published/claims-figures.csv", { claims: ["C1", "C2"] })).toEqual(robust.filter((r) => r.claim === "C1" || r.claim === "C2"));
  }, 600_000);

  it("every claim is checked at three run lengths around its own and three seeds", () => {
    expect(robust.map((r) => r.claim)).toEqual(Object.keys(EXPECTED));
    for (const r of robust) {
      expect(r.durations, r.claim).toContain(r.base_ms);
      expect(r.durations.length, r.claim).toBe(3);
      expect(r.seeds).toEqual([1, 2, 3]);
      expect(r.cells.length, r.claim).toBe(9);
    }
  });

  it("the cell at the notebook's run length and seed 1 is the verdict of the table above", () => {
    for (const r of robust) {
      const c = r.cells.find((x) => x.duration_ms === r.base_ms && x.seed === 1)!;
      expect(c.verdict, r.claim).toBe(EXPECTED[r.claim]);
    }
  });

  it("'stable' exactly when every cell agrees; a flip names every run length and seed of each verdict", () => {
    for (const r of robust) {
      const verdicts = new Set(r.cells.map((c) => c.verdict));
      expect(r.stable, r.claim).toBe(verdicts.size === 1);
      if (!r.stable) for (const v of verdicts) expect(r.summary, r.claim).toContain(v);
    }
  });

  it("the notebook's table, paragraph and verdict lines are the library's, computed", () => {
    const [table, paragraph] = outputsOf("robustness-table");
    expect(table).toBe(robustnessTable(robust));
    expect(paragraph).toBe(robustnessParagraph(robust));
    const printed = outputsOf(nb.cells[1].id).join("");
    for (const r of robust) expect(printed, r.claim).toContain(`holds:    ${robustnessSentence(r)}`);
  });

  it("the book's live verdict pass at a scale and seed of the grid is the grid's cell, claim for claim", () => {
    for (const [scale, seed] of [[ROBUSTNESS_SCALES[0]!, 3], [ROBUSTNESS_SCALES[2]!, 2]] as const) {
      const live = verdictPass({ scale: String(scale), seed: String(seed), claim: "all" });
      expect(live.map((v) => v.claim)).toEqual(robust.map((r) => r.claim));
      for (const v of live) {
        const r = robust.find((x) => x.claim === v.claim)!;
        const cell = r.cells.find((c) => c.duration_ms === durationAt(claimSpec(v.claim), scale) && c.seed === seed)!;
        expect({ duration_ms: v.duration_ms, seed: v.seed, verdict: v.verdict, counts: v.counts, evidence: v.evidence }, `${v.claim} x${scale} seed ${seed}`).toEqual(cell);
      }
    }
  }, 120_000);
});

describe("08 · the charts that count claims say what they count", () => {
  const nb = JSON.parse(readFileSync("notebooks/08-verdicts.ipynb", "utf8"));
  const specs = (nb.cells as { outputs?: { data?: Record<string, unknown> }[] }[]).flatMap((c) => c.outputs ?? [])
    .map((o) => o.data?.["application/vnd.vegalite.v6+json"] ?? o.data?.["application/vnd.vegalite.v5+json"]).filter((x) => x !== undefined);
  const values = (spec: unknown) => (spec as { data: { values: { value: number }[] } }).data.values.map((v) => v.value);
  const verdicts = claimVerdicts("datasets/published/claims-figures.csv");
  const real = realKernelEvidence(loadMeasurementDataset("datasets/real/kvm-guest-2cpu-epyc-linux6.18-lean-2026-12-06"));

  it("the model's chart: its title counts the commit's claims and names R1, its bars add up to every verdict", () => {
    const spec = specs.find((x) => / in the model$/.test(specTitle(x)))!;
    expect(specTitle(spec)).toBe("The 15 claims of dad6b9770263 and the rival patch's (R1) in the model");
    expect(specTitle(spec)).toBe(`${claimsCounted(verdicts)} in the model`);
    expect(Number(/^The (\d+) claims/.exec(specTitle(spec))![1])).toBe(verdicts.filter((v) => isCommitClaim(v.claim)).length);
    expect(values(spec).reduce((a, b) => a + b, 0)).toBe(verdicts.length);
  });

  it("the kernel's chart: the same count, its bars add up to every claim's evidence", () => {
    const spec = specs.find((x) => /on this machine's kernel/.test(specTitle(x)))!;
    expect(specTitle(spec)).toMatch(/^The 15 claims of dad6b9770263 and the rival patch's \(R1\) on this machine's kernel \(Linux /);
    expect(specTitle(spec).startsWith(`${claimsCounted(real)} on this machine's kernel`)).toBe(true);
    expect(values(spec).reduce((a, b) => a + b, 0)).toBe(real.length);
  });

  it("claimsCounted names what it counts for a subset too", () => {
    expect(claimsCounted([{ claim: "C12" }])).toBe("Claim C12 of dad6b9770263");
    expect(claimsCounted([{ claim: "R1" }])).toBe("The rival patch's claim (R1)");
    expect(claimsCounted([{ claim: "C1" }, { claim: "C2" }])).toBe("The 2 claims of dad6b9770263");
  });
});
