/**
 * `npm start`: serves notebooks/ in Jupyter's classic Notebook with the TypeScript kernel (tslab)
 * on 127.0.0.1, prints the URL with its token, and stops Jupyter and its kernels on Ctrl-C.
 * Port: $PORT, else 8888, else any free port. Token: $JUPYTER_TOKEN, else a random one.
 */
import { portFromEnv, startNotebookServer } from "./lib/notebook-server";

async function main(): Promise<void> {
  const server = await startNotebookServer({
    port: portFromEnv(process.env.PORT),
    token: process.env.JUPYTER_TOKEN || undefined,
    echoLog: true,
  });
  const bar = "=".repeat(72);
  process.stdout.write(
    `\n${bar}\n  softnet-lab notebooks are running (classic Notebook, TypeScript kernel tslab)\n\n` +
      `  Open this URL:  ${server.url}\n\n` +
      `  Serving notebooks/ on 127.0.0.1 only. Stop with Ctrl-C.\n${bar}\n\n`,
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping Jupyter and its kernels...\n`);
    server.stop().then(
      () => {
        process.stdout.write("Jupyter stopped.\n");
        process.exit(0);
      },
      (err) => {
        process.stderr.write(`could not stop Jupyter cleanly: ${err}\n`);
        process.exit(1);
      },
    );
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => shutdown(sig));
  const code = await server.exited;
  if (!stopping) {
    process.stderr.write(`Jupyter exited on its own (code ${code}).\n`);
    process.exit(code ?? 1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
