/**
 * What a subcommand of `softnet-lab` looks like to the dispatcher in main.ts: a module exporting
 * `run` and `help`. Output goes through `Io` so tests can run commands in-process and read it.
 * Exit codes: `run` returns 0 on success; throwing a UsageError or ConfigError means bad usage or
 * configuration (exit 2); anything else thrown is an internal error (exit 1).
 */

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export interface CommandModule {
  run(argv: string[], io: Io): number | Promise<number>;
  /** The full `--help` text. */
  help(): string;
}
