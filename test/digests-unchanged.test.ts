/**
 * Adding OpenWrt's backlog-threaded modes (issue 18) must not change any older mode: every named
 * scenario and a grid of softirq / threads-always / threads x none / full / rt, hotplug and more run
 * event for event as at the merge-base with main (the same grid `npm run digests` prints).
 */
import { describe, expect, it } from "vitest";
import { baseCommit, compareWith, digestGrid, digestsIn } from "../scripts/lib/digest-grid";
import { REPO } from "../scripts/lib/repo";

describe("older modes keep their event digests", () => {
  it("every case of the grid has the digest it has at the merge-base with main", () => {
    const { compared, diffs } = compareWith(baseCommit(), digestGrid());
    expect(compared).toBeGreaterThan(100);
    expect(diffs).toEqual([]);
  }, 240_000);

  it("the comparison can fail: a changed cost changes the digest", () => {
    const [c] = digestGrid().filter((x) => x.label === "loopback-stream softirq none");
    const d = digestsIn(REPO, [c!, { label: "changed", overrides: { ...c!.overrides, costs: { netif_receive_skb: 751 } } as never }]);
    expect(d.changed).not.toBe(d[c!.label]);
  }, 120_000);
});
