/**
 * Prose bound to data: every hand-written sentence of a notebook that reads results and states a
 * direction or a measured number carries a claim marker, and the marker's check
 * (test/prose/checks.ts) recomputes it from the library. Sentences not bound yet are listed, by
 * hash, in test/prose/unbound.json: the list may only shrink (a new or edited unbound sentence fails).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseNotebook } from "../scripts/lib/ipynb";
import { allMarkers, proseUnits, splitUnits, statesSomething } from "../scripts/lib/prose-claims";
import type { ProseUnit } from "../scripts/lib/prose-claims";
import { CHECKS } from "./prose/checks";
import { REPO } from "../scripts/lib/repo";
import { changeSentence, direction, listing, pct } from "../src/notebook/prose";

const dir = path.join(REPO, "notebooks");
const files = fs.readdirSync(dir).filter((f) => /^\d\d[a-z]?-.*\.ipynb$/.test(f)).sort();
const units: ProseUnit[] = files.flatMap((f) => proseUnits(parseNotebook(fs.readFileSync(path.join(dir, f), "utf8"), f), f.replace(/\.ipynb$/, "")));
const markers = files.flatMap((f) => allMarkers(parseNotebook(fs.readFileSync(path.join(dir, f), "utf8"), f)));
const unbound: { notebook: string; hash: string; excerpt: string }[] = JSON.parse(fs.readFileSync(path.join(REPO, "test/prose/unbound.json"), "utf8"));

describe("the prose helpers", () => {
  it("render a direction with its size, and no change within the tolerance", () => {
    expect(direction(114, 100)).toBe("higher");
    expect(direction(99.5, 100, 0.01)).toBe("same");
    expect(pct(114, 100)).toBe("14 %");
    expect(changeSentence({ cause: "RPS to the reader's CPU", quantity: "throughput", value: 114, base: 100 })).toBe("RPS to the reader's CPU raises throughput by 14 %");
    expect(changeSentence({ cause: "RPS", quantity: "throughput", value: 97, base: 100 })).toBe("RPS lowers throughput by 3 %");
    expect(changeSentence({ cause: "RPS", quantity: "throughput", value: 100.4, base: 100 })).toBe("RPS leaves throughput unchanged (within 1 %)");
    expect(listing(["a", "b", "c"])).toBe("a, b and c");
  });

  it("the detector finds directions and measured numbers, not notebook numbers or code", () => {
    expect(statesSomething("RPS raises throughput.")).toBe(true);
    expect(statesSomething("the sender spent 47 % of its time")).toBe(true);
    expect(statesSomething("Next: [01 · The backlog](01-backlog-napi.ipynb) follows the mechanism.")).toBe(false);
    expect(statesSomething("`netdev_max_backlog` bounds the queue")).toBe(false);
    expect(splitUnits("a\n\n- b\n- c\n```\nx 5 %\n```")).toEqual(["a", "- b", "- c"]);
  });
});

describe("every sentence that states a direction or a number is bound to a check", () => {
  it("every marker names a check, and every check is used", () => {
    const unknown = [...new Set(markers.filter((m) => !(m in CHECKS)))];
    expect(unknown, "markers without a check in test/prose/checks.ts").toEqual([]);
    const unused = Object.keys(CHECKS).filter((k) => !markers.includes(k));
    expect(unused, "checks no sentence uses").toEqual([]);
  });

  it("no unbound sentence outside the shrinking list", () => {
    const open = units.filter((u) => u.states && u.claims.length === 0);
    const listed = new Set(unbound.map((u) => `${u.notebook}:${u.hash}`));
    const fresh = open.filter((u) => !listed.has(`${u.notebook}:${u.hash}`));
    expect(fresh.map((u) => `${u.notebook} cell ${u.cell}: ${u.text.replace(/\s+/g, " ").slice(0, 140)}`),
      "sentences stating a direction or a number with no <!-- claim: id --> (render them with src/notebook/prose.ts or add a check)").toEqual([]);
    const stale = unbound.filter((u) => !open.some((o) => o.notebook === u.notebook && o.hash === u.hash));
    expect(stale.map((u) => `${u.notebook} ${u.hash}`), "listed in test/prose/unbound.json but now bound or gone: remove them").toEqual([]);
    console.log(`prose: ${units.filter((u) => u.claims.length > 0).length} bound sentences, ${open.length} still unbound (test/prose/unbound.json)`);
  });

  const byId = new Map<string, ProseUnit[]>();
  for (const u of units) for (const c of u.claims) byId.set(c, [...(byId.get(c) ?? []), u]);
  for (const [id, us] of byId) {
    if (!(id in CHECKS)) continue;
    it(`${id}: ${us.map((u) => u.notebook.slice(0, 2)).join(", ")}`, () => {
      for (const u of us) CHECKS[id]!(u.text);
    }, 300_000);
  }
});
