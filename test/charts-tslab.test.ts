/**
 * The chart module inside tslab, in-process: tslab's own TypeScript 5.0.4 compiles a cell that imports
 * `./src/charts/index` (and with it every chart source file), and `show()` must reach the kernel's display
 * writer with one output holding the three MIME types. Real Jupyter runs are the notebook tests' job.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { format } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const root = path.resolve(__dirname, "..");
const notebooks = path.join(root, "notebooks");

interface Executor {
  execute(src: string): Promise<boolean>;
  close(): void;
}
type DisplayMsg = { data: Record<string, unknown> };

describe("charts in tslab", () => {
  const errors: string[] = [];
  const shown: DisplayMsg[] = [];
  let executor: Executor;
  let jupyter: { lastWriteDisplayData: unknown };
  const cwd = process.cwd();

  beforeAll(() => {
    // tslab compiles relative to the current directory, as the kernel does in the notebook's folder.
    process.chdir(notebooks);
    const { createConverter } = require("tslab/dist/converter");
    const { createExecutor } = require("tslab/dist/executor");
    jupyter = require("tslab/dist/jupyter");
    jupyter.lastWriteDisplayData = (msg: DisplayMsg) => shown.push(msg);
    const convs = { node: createConverter(), browser: createConverter({ isBrowser: true }), close: () => {} };
    convs.close = () => {
      convs.node.close();
      convs.browser.close();
    };
    const sink = (...args: unknown[]) => errors.push(format(...args));
    executor = createExecutor(notebooks, convs, { log: () => {}, error: sink });
  });

  afterAll(() => {
    executor?.close();
    jupyter.lastWriteDisplayData = null;
    process.chdir(cwd);
  });

  it("compiles src/charts with tslab's TypeScript 5.0 and shows one three-MIME output", async () => {
    const ok1 = await executor.execute('import { show, timelineSpec, barsSpec } from "./src/charts/index";');
    expect(errors).toEqual([]);
    expect(ok1).toBe(true);
    const cell = `
      const trace = {
        spans: [
          { cpu: 0, start: 0, end: 1800, ctx: "task" as const, task: "udp-client", fn: "udp_sendmsg" },
          { cpu: 0, start: 1800, end: 3200, ctx: "softirq" as const, task: "udp-client", fn: "process_backlog" },
          { cpu: 1, start: 0, end: 4300, ctx: "idle" as const, task: "swapper/1", fn: "do_idle" },
          { cpu: 1, start: 4300, end: 4700, ctx: "hardirq" as const, task: "swapper/1", fn: "sysvec_call_function_single" },
        ],
        records: [{ ts: 3050, cpu: 0, comm: "udp-client", pid: 1000, event: "ipi:ipi_send_cpu" as const, fields: { cpu: 1 } }],
        end_ns: 5000,
      };
      await show(timelineSpec(trace, { title: "in tslab" }));
      await show(barsSpec([{ label: "a", series: "model", value: 1 }], { yTitle: "y" }));
    `;
    const ok2 = await executor.execute(cell);
    expect(errors).toEqual([]);
    expect(ok2).toBe(true);
    expect(shown).toHaveLength(2);
    for (const msg of shown) {
      expect(Object.keys(msg.data).sort()).toEqual(["application/vnd.vegalite.v6+json", "image/svg+xml", "text/plain"]);
      expect(String(msg.data["image/svg+xml"])).toMatch(/^<svg/);
    }
    expect(String(shown[0].data["text/plain"])).toMatch(/^in tslab: CPUs 0, 1/);
  });
});
