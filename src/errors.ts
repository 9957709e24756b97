/**
 * The kit's error kinds and its one table of exit codes. Every loader and parser that reads what a
 * user wrote (config keys, command-line options, datasets, profiles, ftrace text) throws a subclass
 * of `UserInputError`; the CLI catches that class once and exits 2 with its one-line message, so a
 * new loader cannot slip back into "internal error" with a stack trace. `EnvironmentError` is for
 * what the machine refused or could not do (exit 3). Anything else that escapes is a bug (exit 1).
 */

/** Exit codes of every `softnet-lab` command. */
export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_ENVIRONMENT = 3;

/** The exit-code table, row by row (docs/cli.md is generated from it). */
export const EXIT_CODE_TABLE: ReadonlyArray<readonly [number, string]> = [
  [EXIT_OK, "success"],
  [EXIT_BUG, "a bug in the kit: an error the kit did not expect (or a model invariant, such as packet accounting, that failed); the stack trace is printed, please report it"],
  [EXIT_BAD_INPUT, "bad input: an unknown command or option, a missing or bad value, an unknown key or scenario, a malformed dataset, profile or trace file, an --out or --trace-out that cannot be written; one line names the option, key, file or field and what is allowed"],
  [EXIT_ENVIRONMENT, "the environment refused or failed: not Linux, not root, a missing tool, a busy lock, a run that could not complete (softnet-lab measure)"],
];

/** The exit-code table as one help paragraph (every `--help` ends with it; docs/cli.md shows it). */
export const EXIT_CODES_HELP = [
  "Exit codes: 0 ok; 1 a bug in the kit (please report it); 2 bad input (an option, a config value, a",
  "dataset, a profile or a trace file: the one-line message names it); 3 the environment refused or",
  "failed (missing tool, not root, a busy lock, a run that could not complete).",
].join("\n");

/** Bad input from the user: an option, a value, a file. The message is one line naming the culprit. */
export class UserInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserInputError";
  }
}

/**
 * A mistake on a command line (an option, not a config value: those are ConfigErrors). Exit code 2.
 * It lives here, below every layer, because option-like input is also checked outside src/cli/
 * (measurement plans, kernel sets); src/cli/args.ts re-exports it.
 */
export class UsageError extends UserInputError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The machine refused or failed: missing tool, no root, a busy lock, a run that could not complete. */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvironmentError";
  }
}

/** The exit code an error thrown out of a command stands for. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof UserInputError) return EXIT_BAD_INPUT;
  if (e instanceof EnvironmentError) return EXIT_ENVIRONMENT;
  return EXIT_BUG;
}

/** The first line of a message, for the CLI's one-line errors (details stay in the object). */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}
