/**
 * The book's model bundle (assets/model-source.js wraps it as a string): inside a Web Worker it
 * answers the page's requests (protocol.ts); loaded on the main thread (no Worker available) it
 * exposes the same handler as `self.SoftnetModel`, which the page then calls directly.
 */
import { handleRequest, type Reply, type Request } from "./protocol";
import * as core from "./core";

interface WorkerScope {
  postMessage(r: Reply): void;
  onmessage: ((ev: { data: Request }) => void) | null;
  SoftnetModel?: typeof core;
  document?: unknown;
}

const scope = globalThis as unknown as WorkerScope;
if (typeof scope.document === "undefined" && typeof (globalThis as { importScripts?: unknown }).importScripts === "function") {
  scope.onmessage = (ev) => handleRequest(ev.data, (r) => scope.postMessage(r));
} else {
  scope.SoftnetModel = core;
}
