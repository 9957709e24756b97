// softnet-lab book: the living charts. Starts the model (assets/model-source.js, bundled from
// src/browser/) as a Web Worker from a Blob, which works from a server and from file:// alike; falls
// back to running it on the page's main thread, and says so, only when workers are unavailable.
// Every chart with a knob form (figure.chart.live) re-runs its figure when a knob changes, redraws in
// place and shows how long it took; a knob moved during a sweep cancels the sweep (the worker is
// replaced). window.bookModel is the model client, window.bookLive the state of every live chart
// (tests and the benchmark read it).
(function () {
  "use strict";

  function Model(source) {
    this.source = source;
    this.mode = null;
    this.worker = null;
    this.url = null;
    this.queue = [];
    this.current = null;
    this.seq = 0;
    this.reason = "";
    /** Runs stopped by cancel() (a worker replaced mid-run). */
    this.cancelledRuns = 0;
    this.start();
  }

  Model.prototype.start = function () {
    var self = this;
    if (typeof Worker === "function" && typeof Blob === "function" && typeof URL !== "undefined" && URL.createObjectURL) {
      try {
        if (!this.url) this.url = URL.createObjectURL(new Blob([this.source], { type: "text/javascript" }));
        this.worker = new Worker(this.url);
        this.worker.onmessage = function (ev) { self.onReply(ev.data); };
        this.worker.onerror = function (ev) {
          ev.preventDefault();
          self.onReply({ seq: self.current ? self.current.req.seq : -1, op: "failed", message: "the model's worker stopped: " + (ev.message || "unknown error") });
        };
        this.mode = "worker";
        return;
      } catch (err) {
        this.reason = String(err && err.message ? err.message : err);
      }
    } else {
      this.reason = "this browser has no Web Worker";
    }
    // No worker: the same bundle defines self.SoftnetModel when it finds a document.
    (0, eval)(this.source);
    this.mode = "main-thread";
  };

  /** Sends a request; resolves with the final reply (or {op:"cancelled"}). `owner` groups requests for cancel(). */
  Model.prototype.request = function (owner, req, onProgress) {
    var self = this;
    req.seq = ++this.seq;
    return new Promise(function (resolve) {
      self.queue.push({ owner: owner, req: req, resolve: resolve, onProgress: onProgress });
      self.pump();
    });
  };

  Model.prototype.pump = function () {
    var self = this;
    if (this.current || this.queue.length === 0) return;
    this.current = this.queue.shift();
    var req = this.current.req;
    if (this.mode === "worker") {
      this.worker.postMessage(req);
    } else {
      // Let the page paint the "running" state first; the run then blocks the main thread.
      setTimeout(function () {
        window.SoftnetModel.handleRequest(req, function (reply) { self.onReply(reply); });
      }, 0);
    }
  };

  Model.prototype.onReply = function (reply) {
    var cur = this.current;
    if (!cur || reply.seq !== cur.req.seq) return;
    if (reply.op === "progress") {
      if (cur.onProgress) cur.onProgress(reply.done, reply.total);
      return;
    }
    this.current = null;
    cur.resolve(reply);
    this.pump();
  };

  /** Cancels `owner`'s queued and running requests; a running one in the worker is stopped by replacing the worker. */
  Model.prototype.cancel = function (owner) {
    this.queue = this.queue.filter(function (q) {
      if (q.owner !== owner) return true;
      q.resolve({ seq: q.req.seq, op: "cancelled" });
      return false;
    });
    var cur = this.current;
    if (cur && cur.owner === owner && this.mode === "worker") {
      this.worker.terminate();
      this.cancelledRuns += 1;
      this.current = null;
      cur.resolve({ seq: cur.req.seq, op: "cancelled" });
      this.start();
      this.pump();
    }
  };

  function specTitle(spec) {
    var t = spec && spec.title;
    if (typeof t === "string") return t;
    if (t && typeof t.text === "string") return t.text;
    return "";
  }

  var EMBED_OPTIONS = { renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } };

  /** The spec without its named datasets and description: equal shapes differ only in data. */
  function shapeOf(spec) {
    var copy = {};
    Object.keys(spec).forEach(function (k) { if (k !== "datasets" && k !== "description") copy[k] = spec[k]; });
    return JSON.stringify(copy);
  }

  /**
   * Redraws a chart in place with a new spec; resolves when the new view has rendered. When only the
   * named datasets changed (same CPUs and window, same encodings), the view's data is replaced and
   * re-run, which is several times faster than compiling and embedding the spec again.
   */
  function redraw(chartId, spec, previous) {
    var el = document.querySelector('.chart-view[data-chart="' + chartId + '"]');
    var old = window.bookViews && window.bookViews[chartId];
    if (old && previous && spec.datasets && previous.datasets && shapeOf(spec) === shapeOf(previous) &&
        Object.keys(spec.datasets).join() === Object.keys(previous.datasets).join()) {
      // Datasets no layer of this shape reads are not in the compiled view (vega says "Unrecognized data set").
      var used = Object.keys(spec.datasets).filter(function (name) {
        try { old.data(name); return true; } catch (err) { return false; }
      });
      if (used.length > 0) {
        used.forEach(function (name) { old.data(name, spec.datasets[name]); });
        return old.runAsync().then(function () { return old; });
      }
    }
    return vegaEmbed(el, spec, EMBED_OPTIONS).then(function (result) {
      if (old) old.finalize();
      window.bookViews = window.bookViews || {};
      window.bookViews[chartId] = result.view;
      el.setAttribute("data-state", "rendered");
      return result.view;
    });
  }

  /** A line above a re-run chart saying which settings it shows (empty: the notebook's own output). */
  function caption(chartId, text) {
    var fig = document.getElementById(chartId);
    var p = fig.querySelector(".rerun-caption");
    if (!p) {
      p = document.createElement("p");
      p.className = "rerun-caption";
      fig.insertBefore(p, fig.firstChild);
    }
    p.textContent = text;
    p.hidden = text === "";
  }

  function formValues(form) {
    var out = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-key]"), function (c) { out[c.getAttribute("data-key")] = c.value.trim(); });
    return out;
  }

  function setStatus(form, state, text) {
    var out = form.querySelector(".live-status");
    out.setAttribute("data-state", state);
    out.textContent = text;
  }

  function markInvalid(form, key) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-key]"), function (c) {
      if (c.getAttribute("data-key") === key) c.setAttribute("aria-invalid", "true");
      else c.removeAttribute("aria-invalid");
    });
  }

  function setupFigure(model, form) {
    var id = form.getAttribute("data-live");
    var chartId = form.getAttribute("data-chart");
    var committed = JSON.parse(document.querySelector('script.chart-spec[data-chart="' + chartId + '"]').textContent);
    var title = specTitle(committed);
    var initial = formValues(form);
    var reset = form.querySelector(".knobs-reset");
    // what a step of this figure's work is: a run of the model, or a claim of 08's verdict pass
    var unit = form.getAttribute("data-unit") || "run";
    var state = window.bookLive[id] = { id: id, chart: chartId, state: "committed", spec: committed, knobs: initial, digests: null, timing: null, message: "" };

    function changedKeys(values) {
      return Object.keys(values).filter(function (k) { return values[k] !== initial[k]; });
    }

    function run(t0) {
      var knobs = formValues(form);
      var changed = changedKeys(knobs);
      reset.disabled = changed.length === 0;
      model.cancel(id);
      if (changed.length === 0 && state.state !== "committed") {
        state.state = "running";
        return redraw(chartId, committed, state.spec).then(function () {
          state.state = "committed"; state.spec = committed; state.knobs = knobs; state.digests = null;
          caption(chartId, "");
          markInvalid(form, null);
          setStatus(form, "committed", "The notebook's output again.");
        });
      }
      state.state = "running";
      setStatus(form, "running", "Running the model…");
      return model.request(id, { op: "figure", id: id, knobs: knobs, title: title }, function (done, total) {
        setStatus(form, "running", "Running the model: " + done + " of " + total + " " + unit + "s done (change a value to cancel)…");
      }).then(function (reply) {
        if (reply.op === "cancelled") return;
        if (reply.op === "refused") {
          state.state = "refused"; state.message = reply.message;
          markInvalid(form, reply.key);
          setStatus(form, "refused", "softnet-lab simulate: " + reply.message);
          return;
        }
        if (reply.op === "failed") {
          state.state = "failed"; state.message = reply.message;
          setStatus(form, "failed", "The model failed (a bug in the kit): " + reply.message);
          console.error("live figure " + id + ": " + reply.message);
          return;
        }
        var t1 = performance.now();
        return redraw(chartId, reply.spec, state.spec).then(function () {
          var t2 = performance.now();
          state.state = "redrawn"; state.spec = reply.spec; state.knobs = knobs; state.digests = reply.digests;
          state.timing = { model_ms: reply.ms, reply_ms: t1 - t0, total_ms: t2 - t0 };
          markInvalid(form, null);
          // a figure whose lesson is absent from this run (e.g. no BH-lock boost to frame) retitles its chart to say so
          caption(chartId, "Re-run with " + changed.map(function (k) { return k + "=" + knobs[k]; }).join(", ") + ": " +
            (specTitle(reply.spec) === title ? "the title is the notebook's run; the chart is this one." : "the title says what this run shows."));
          var where = model.mode === "worker" ? "in a Web Worker" : "on the page's main thread";
          setStatus(form, "redrawn", "Re-run " + where + " with " + changed.map(function (k) { return k + "=" + knobs[k]; }).join(", ") +
            ": " + reply.digests.length + " " + unit + (reply.digests.length > 1 ? "s" : "") + ", model " + Math.round(reply.ms) + " ms, chart redrawn " +
            Math.round(t2 - t0) + " ms after the change.");
        });
      });
    }

    form.addEventListener("change", function () { state.pending = run(performance.now()); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    form.querySelector(".knobs-try").addEventListener("click", function (ev) {
      var tryThis = JSON.parse(ev.target.getAttribute("data-try"));
      Array.prototype.forEach.call(form.querySelectorAll("[data-key]"), function (c) {
        var k = c.getAttribute("data-key");
        if (tryThis[k] !== undefined) c.value = tryThis[k];
      });
      state.pending = run(performance.now());
    });
    reset.addEventListener("click", function () {
      Array.prototype.forEach.call(form.querySelectorAll("[data-key]"), function (c) { c.value = initial[c.getAttribute("data-key")]; });
      state.pending = run(performance.now());
    });
  }

  /** An exercise form: the answer goes to the model's worker with the sealed answer; the verdict line comes back. */
  function setupExercise(model, form) {
    var id = form.getAttribute("data-exercise");
    var sealed = JSON.parse(form.querySelector("script.exercise-seal").textContent);
    var out = form.querySelector(".verdict");
    var state = window.bookExercises[id] = { state: "empty", line: "", correct: false };
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      state.state = "checking";
      state.pending = model.request("exercise:" + id, { op: "exercise", sealed: sealed, text: form.querySelector("input[name=answer]").value }).then(function (reply) {
        if (reply.op !== "verdict") {
          state.state = "failed"; state.line = reply.message || reply.op;
          out.setAttribute("data-state", "failed");
          out.textContent = "The check failed (a bug in the kit): " + state.line;
          console.error("exercise " + id + ": " + state.line);
          return;
        }
        state.state = reply.correct ? "correct" : "wrong"; state.line = reply.line; state.correct = reply.correct;
        out.setAttribute("data-state", state.state);
        out.textContent = reply.line;
      });
    });
  }

  function start() {
    window.bookLive = window.bookLive || {};
    window.bookExercises = window.bookExercises || {};
    var model = window.bookModel = new Model(self.SOFTNET_MODEL_SOURCE);
    if (model.mode !== "worker") {
      var notice = document.createElement("p");
      notice.className = "live-notice";
      notice.textContent = "Web Workers are not available here (" + model.reason + "): the model runs on the page's main thread, so the page pauses while it runs and a long sweep cannot be cancelled.";
      var main = document.querySelector("main article") || document.body;
      main.insertBefore(notice, main.firstChild);
    }
    Array.prototype.forEach.call(document.querySelectorAll("form.knobs[data-live]"), function (form) { setupFigure(model, form); });
    Array.prototype.forEach.call(document.querySelectorAll("form.exercise[data-exercise]"), function (form) { setupExercise(model, form); });
    window.bookLiveReady = true;
  }

  window.bookLiveTools = { redraw: redraw, formValues: formValues, setStatus: setStatus, markInvalid: markInvalid };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
