/**
 * The error of `softnet-lab kernels` for an environment that refused or failed (apt cannot reach a
 * suite, QEMU missing, a guest that never reported): the CLI prints its message and exits 3.
 * Bad input is a UsageError (src/cli/args.ts, exit 2); anything else is a bug (exit 1).
 */
export class KernelEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelEnvError";
  }
}
