import { makeConfig } from "./src/config/parse";
import { simulate } from "./src/sim/simulate";
const r = simulate(makeConfig({ scenario: "loopback-stream", backlog_napi: "backlog-threaded", duration_ms: 2, trace: true }));
const recs = r.trace!.records.filter(x => x.ts > 1_660_000 && x.ts < 1_676_000 && (x.event.startsWith("sched") || x.event.startsWith("napi") || x.event==="ipi:ipi_send_cpu"|| x.event.startsWith("irq:irq")));
for (const x of recs) console.log(x.ts, x.cpu, x.comm, x.event, JSON.stringify(x.fields));
