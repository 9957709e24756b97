// softnet-lab book: the playground. Any configuration (a scenario and any keys), kept in the page's
// address (#scenario=...&key=value...), run by the model in a Web Worker (assets/live.js starts it):
// the per-CPU timeline, the per-CPU counters, the CLI's summary and the equivalent command line.
// window.playground holds the last run (tests and screenshots read it).
(function () {
  "use strict";

  function $(sel) { return document.querySelector(sel); }
  function esc(s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }

  function start() {
    var data = JSON.parse($("script.playground-data").textContent);
    var form = $("form.playground");
    var controls = Array.prototype.slice.call(form.querySelectorAll("[data-key]:not([data-key=scenario])"));
    var scenarioSel = form.querySelector("[data-key=scenario]");
    var status = $("article .live-status");
    var state = window.playground = { state: "pending", settings: [], scenario: "", run: null, message: "", timing: null };
    var model = window.bookModel;

    function scenarioOf(name) {
      for (var i = 0; i < data.scenarios.length; i++) if (data.scenarios[i].name === name) return data.scenarios[i];
      return null;
    }

    /** Placeholders show what an empty field means: the scenario's value, else the default. */
    function placeholders() {
      var sc = scenarioOf(scenarioSel.value);
      $(".scenario-description").textContent = sc ? sc.description : "";
      controls.forEach(function (c) {
        var k = c.getAttribute("data-key");
        var v = sc && sc.settings[k] !== undefined ? sc.settings[k] : data.keys[k];
        if (c.tagName === "SELECT") c.options[0].textContent = (v === "" ? "(empty)" : v) + (sc && sc.settings[k] !== undefined ? " (scenario)" : " (default)");
        else c.placeholder = v === "" ? "(empty)" : v;
      });
    }

    function fromHash() {
      var params = new URLSearchParams(location.hash.replace(/^#/, ""));
      scenarioSel.value = params.get("scenario") || "";
      if (scenarioSel.value !== (params.get("scenario") || "")) scenarioSel.value = "";
      controls.forEach(function (c) {
        var v = params.get(c.getAttribute("data-key"));
        c.value = v === null ? "" : v;
      });
      placeholders();
    }

    function settingsOf() {
      var out = [];
      controls.forEach(function (c) { if (c.value.trim() !== "") out.push([c.getAttribute("data-key"), c.value.trim()]); });
      return out;
    }

    function toHash(settings, scenario) {
      var params = new URLSearchParams();
      if (scenario) params.set("scenario", scenario);
      settings.forEach(function (kv) { params.append(kv[0], kv[1]); });
      var hash = params.toString();
      if (location.hash.replace(/^#/, "") !== hash) history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    }

    function countersTable(r) {
      var cols = [
        ["cpu", function (c) { return c.cpu; }],
        ["processed", function (c) { return c.softnet.processed; }],
        ["dropped", function (c) { return c.softnet.dropped; }],
        ["time_squeeze", function (c) { return c.softnet.time_squeeze; }],
        ["received_rps", function (c) { return c.softnet.received_rps; }],
        ["NET_RX", function (c) { return c.net_rx_softirqs; }],
        ["CAL (IPI)", function (c) { return c.ipi_cal; }],
        ["RES (IPI)", function (c) { return c.ipi_res; }],
        ["LOC", function (c) { return c.timer_irqs; }],
        ["context switches", function (c) { return c.context_switches; }],
        ["ksoftirqd wakeups", function (c) { return c.ksoftirqd_wakeups; }],
        ["backlog thread wakeups", function (c) { return c.backlog_thread_wakeups; }],
      ];
      var head = "<tr>" + cols.map(function (c) { return "<th>" + esc(c[0]) + "</th>"; }).join("") + "</tr>";
      var rows = r.per_cpu.map(function (cpu) { return "<tr>" + cols.map(function (c) { return "<td>" + esc(c[1](cpu)) + "</td>"; }).join("") + "</tr>"; }).join("");
      var p = r.packets;
      var drops = Object.keys(p.dropped).map(function (k) { return esc(k) + " " + esc(p.dropped[k]); }).join(", ");
      return '<table class="per-cpu"><caption>softnet_stat columns (/proc/net/softnet_stat), NET_RX (/proc/softirqs), CAL/RES/LOC (/proc/interrupts), switches (/proc/stat ctxt)</caption>' +
        "<thead>" + head + "</thead><tbody>" + rows + "</tbody></table>" +
        '<p class="packets">Packets: sent ' + esc(p.sent) + ", delivered " + esc(p.delivered) + ", dropped by kind: " + drops + ", still in flight " + esc(p.in_flight) +
        ". Digest <code>" + esc(r.digest) + "</code>.</p>";
    }

    function run() {
      var settings = settingsOf();
      var scenario = scenarioSel.value;
      var t0 = performance.now();
      toHash(settings, scenario);
      state.settings = settings; state.scenario = scenario; state.state = "running";
      status.setAttribute("data-state", "running");
      status.textContent = "Running the model…";
      model.cancel("playground");
      return model.request("playground", { op: "playground", settings: settings, scenario: scenario || undefined }).then(function (reply) {
        if (reply.op === "cancelled") return;
        controls.forEach(function (c) { c.removeAttribute("aria-invalid"); });
        if (reply.op === "refused" || reply.op === "failed") {
          state.state = reply.op; state.message = reply.message;
          if (reply.key) controls.forEach(function (c) { if (c.getAttribute("data-key") === reply.key) c.setAttribute("aria-invalid", "true"); });
          status.setAttribute("data-state", reply.op);
          status.textContent = reply.op === "refused" ? "softnet-lab simulate: " + reply.message : "The model failed (a bug in the kit): " + reply.message;
          if (reply.op === "failed") console.error("playground: " + reply.message);
          return;
        }
        var r = reply.run;
        $("code.cli").textContent = r.cli;
        $(".counters").innerHTML = countersTable(r.result);
        $("pre.cli-summary").textContent = r.summary;
        return window.bookLiveTools.redraw("playground-chart-1", r.timeline, state.run && state.run.timeline).then(function () {
          var t = performance.now() - t0;
          state.state = "done"; state.run = r; state.timing = { model_ms: reply.ms, total_ms: t };
          status.setAttribute("data-state", "done");
          status.textContent = "Ran " + r.config.duration_ms + " ms of simulated time in " + (model.mode === "worker" ? "a Web Worker" : "the page's main thread") +
            ": model " + Math.round(reply.ms) + " ms, drawn " + Math.round(t) + " ms after the change. The timeline shows the first " +
            (r.result.config.trace && r.result.config.trace_ns > 0 ? r.result.config.trace_ns : Math.min(100000, r.config.duration_ms * 1e6)) / 1000 + " µs.";
        });
      });
    }

    form.addEventListener("change", function (ev) {
      if (ev.target === scenarioSel) placeholders();
      state.pending = run();
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    form.querySelector(".playground-clear").addEventListener("click", function () {
      scenarioSel.value = "";
      controls.forEach(function (c) { c.value = ""; });
      placeholders();
      state.pending = run();
    });
    window.addEventListener("hashchange", function () { fromHash(); state.pending = run(); });
    fromHash();
    state.pending = run();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
