/**
 * Exercises in the book without their answers in the page: the book build seals each expected
 * answer (computed by the exercise registry in Node) as a salted SHA-256 of its canonical form, or,
 * for numbers with a tolerance, as the accepted interval encoded with a key derived from the salt;
 * the page judges an answer with the same rules and prints the same lines as `check` in Jupyter
 * (src/notebook/exercises.ts). Web Crypto (crypto.subtle) in the browser and in Node 20.
 */
import { malformed, type AnswerKind, type Exercise } from "../notebook/exercises";

/** What a page holds for one exercise: everything but the answer. */
export interface SealedExercise {
  id: string;
  answer: AnswerKind;
  form: string;
  hint: string;
  explanation: string;
  /** Exact answers: the type a notebook cell would hold (the form says as much), so typed text is read as it. */
  valueType?: "string" | "number" | "boolean";
  /** Hex salt, fresh for every book build. */
  salt: string;
  /** sha256(salt + canonical expected answer), hex; absent for numbers with a tolerance. */
  hash?: string;
  /** Numbers with a tolerance: [low, high] as JSON, XOR-ed with sha256("interval" + salt), base64. */
  interval?: string;
}

function norm(x: string): string {
  return x.trim().toLowerCase();
}

/** The canonical text of a value under `kind`: two values match (exercises.ts `matches`, tolerance 0) iff their texts are equal. */
export function canonical(kind: AnswerKind, v: unknown): string {
  const one = (x: unknown) => (typeof x === "string" ? "s:" + norm(x) : typeof x === "number" ? "n:" + String(x) : typeof x === "boolean" ? "b:" + String(x) : "j:" + JSON.stringify(x));
  if (kind.kind === "set") return "set:" + [...new Set((v as unknown[]).map(one))].sort().join("\u0000");
  return one(v);
}

const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function xor(data: Uint8Array, key: Uint8Array): Uint8Array {
  return data.map((b, i) => b ^ key[i % key.length]!);
}

function toBase64(b: Uint8Array): string {
  let s = "";
  b.forEach((x) => (s += String.fromCharCode(x)));
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

/** The accepted interval of a number within a relative tolerance (exercises.ts `matches`). */
function interval(expected: number, tolerance: number): [number, number] {
  const scale = Math.max(Math.abs(expected), 1e-12);
  return [expected - tolerance * scale, expected + tolerance * scale];
}

/** Seals an exercise whose expected answer is `expected` (computed in Node by the registry). */
export async function sealExercise(ex: Exercise, expected: unknown, salt: string): Promise<SealedExercise> {
  const valueType = ex.answer.kind === "exact" && ["string", "number", "boolean"].includes(typeof expected) ? (typeof expected as "string" | "number" | "boolean") : undefined;
  const base = { id: ex.id, answer: ex.answer, form: ex.form, hint: ex.hint, explanation: ex.explanation, ...(valueType ? { valueType } : {}), salt };
  if (ex.answer.kind === "number" && ex.answer.tolerance > 0) {
    if (typeof expected !== "number") throw new Error(`exercise ${ex.id}: a number answer expects a number, the registry gave ${JSON.stringify(expected)}`);
    const data = new TextEncoder().encode(JSON.stringify(interval(expected, ex.answer.tolerance)));
    return { ...base, interval: toBase64(xor(data, await sha256("interval" + salt))) };
  }
  return { ...base, hash: hex((await sha256(salt + canonical(ex.answer, expected))).buffer as ArrayBuffer) };
}

/** Reads what a reader typed the way a notebook cell would hold it: numbers, true/false, "quoted" or bare text, lists. */
export function parseAnswer(kind: AnswerKind, text: string, valueType?: SealedExercise["valueType"]): unknown {
  const t = text.trim();
  if (t === "") return undefined;
  const json = (s: string): unknown => {
    try {
      return JSON.parse(s);
    } catch {
      return s;
    }
  };
  switch (kind.kind) {
    case "number":
      return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : t;
    case "choice":
      return typeof json(t) === "string" ? (json(t) as string) : t;
    case "set": {
      const v = json(t);
      if (Array.isArray(v)) return v;
      return t.split(",").map((x) => x.trim()).filter((x) => x !== "").map((x) => json(x));
    }
    case "exact": {
      const v = json(t);
      if (valueType === "string") return typeof v === "string" ? v : t;
      if (valueType === "number") return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : v;
      if (valueType === "boolean") return t === "true" ? true : t === "false" ? false : v;
      return typeof v === "number" || typeof v === "boolean" || typeof v === "string" ? v : t;
    }
  }
}

/** Whether `answer` is right, by the sealed answer. */
export async function sealedMatches(s: SealedExercise, answer: unknown): Promise<boolean> {
  if (s.interval !== undefined) {
    if (typeof answer !== "number" || !Number.isFinite(answer)) return false;
    const [lo, hi] = JSON.parse(new TextDecoder().decode(xor(fromBase64(s.interval), await sha256("interval" + s.salt)))) as [number, number];
    return answer >= lo && answer <= hi;
  }
  return hex((await sha256(s.salt + canonical(s.answer, answer))).buffer as ArrayBuffer) === s.hash;
}

/** The line `check` prints in Jupyter for this answer (exercises.ts `exerciseVerdict`), and whether it is right. */
export async function sealedVerdict(s: SealedExercise, answer: unknown): Promise<{ line: string; correct: boolean }> {
  const name = `Exercise ${s.id}`;
  if (answer === undefined || answer === null) return { line: `… ${name}: no answer yet. Type your answer and press Check.`, correct: false };
  const bad = malformed(s.answer, answer);
  if (bad) return { line: `✗ ${name}: ${JSON.stringify(answer)} cannot be judged: ${bad}.`, correct: false };
  if (await sealedMatches(s, answer)) return { line: `✓ ${name}: correct. ${s.explanation}`, correct: true };
  return { line: `✗ ${name}: ${JSON.stringify(answer)} is not it. Hint: ${s.hint}`, correct: false };
}
