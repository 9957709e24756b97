/**
 * The messages between a book page and the model: one request in, progress and one final reply
 * out. The Web Worker (worker.ts) and the main-thread fallback both call `handleRequest`, so a page
 * behaves the same whichever runs the model. Bad input comes back as `{ op: "refused" }` with the
 * CLI's own one-line message; anything else thrown is a bug in the kit (`{ op: "failed" }`).
 */
import { UserInputError } from "../errors";
import { ConfigError } from "../config/errors";
import { resolveConfig } from "../config/parse";
import { simulate } from "../sim/simulate";
import type { VlSpec } from "../charts/spec";
import { findLiveFigure, runFigure, type TextSettings } from "../live/figures";
import { playgroundRun, type PlaygroundRun } from "./playground";
import { parseAnswer, sealedVerdict, type SealedExercise } from "./exercise-seal";

export type Request =
  | { seq: number; op: "figure"; id: string; knobs: TextSettings; title: string }
  | { seq: number; op: "playground"; settings: Array<[string, string]>; scenario?: string }
  | { seq: number; op: "digest"; settings: Array<[string, string]>; scenario?: string }
  | { seq: number; op: "exercise"; sealed: SealedExercise; text: string };

export type Reply =
  | { seq: number; op: "progress"; done: number; total: number }
  | { seq: number; op: "figure"; spec: VlSpec; digests: string[]; ms: number }
  | { seq: number; op: "playground"; run: PlaygroundRun; ms: number }
  | { seq: number; op: "digest"; digest: string; ms: number }
  | { seq: number; op: "verdict"; line: string; correct: boolean }
  | { seq: number; op: "refused"; message: string; key?: string }
  | { seq: number; op: "failed"; message: string };

/** Runs one request; `post` receives progress replies, then exactly one final reply. */
export function handleRequest(req: Request, post: (r: Reply) => void): void {
  const t0 = performance.now();
  const ms = () => Math.round((performance.now() - t0) * 10) / 10;
  if (req.op === "exercise") {
    // Web Crypto is asynchronous: the verdict is posted when the hash is ready
    sealedVerdict(req.sealed, parseAnswer(req.sealed.answer, req.text, req.sealed.valueType)).then(
      (v) => post({ seq: req.seq, op: "verdict", line: v.line, correct: v.correct }),
      (e) => post({ seq: req.seq, op: "failed", message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
    );
    return;
  }
  try {
    if (req.op === "figure") {
      const fig = findLiveFigure(req.id);
      if (!fig) throw new Error(`no live figure ${JSON.stringify(req.id)}`);
      const { spec, digests } = runFigure(fig, req.knobs, req.title, (done, total) => post({ seq: req.seq, op: "progress", done, total }));
      post({ seq: req.seq, op: "figure", spec, digests, ms: ms() });
    } else if (req.op === "playground") {
      const run = playgroundRun(req.settings, req.scenario);
      post({ seq: req.seq, op: "playground", run, ms: ms() });
    } else if (req.op === "digest") {
      const digest = simulate(resolveConfig(req.settings, { scenario: req.scenario })).digest;
      post({ seq: req.seq, op: "digest", digest, ms: ms() });
    } else {
      throw new Error(`unknown request ${JSON.stringify((req as { op?: unknown }).op)}`);
    }
  } catch (e) {
    if (e instanceof UserInputError) {
      post({ seq: req.seq, op: "refused", message: e.message, key: e instanceof ConfigError ? e.key : undefined });
    } else {
      post({ seq: req.seq, op: "failed", message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  }
}
