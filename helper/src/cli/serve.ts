import { openEngineFromEnv } from './engine-from-env';

// `openutm serve`: holds the library, re-attaches to running VMs and watches them until told to
// stop. Stopping the helper leaves VMs running; the next helper picks them up.
export async function serve(io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const engine = await openEngineFromEnv(process.env, 'the OpenUTM helper (`openutm serve`); stop it to use the CLI until the API lands');
  engine.on('state', (s) => io.out(`${new Date().toISOString()} ${s.name} (${s.id}) ${s.state}${s.crash ? `: ${s.crash.reason}` : ''}`));
  const vms = await engine.list();
  const running = vms.filter((v) => v.status.state !== 'stopped' && v.status.state !== 'crashed');
  io.out(`openutm helper (pid ${process.pid}) owns ${engine.library.root}: ${vms.length} VM(s), ${running.length} running`);
  // Signal listeners do not keep Node alive; with no VM running nothing else would.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => resolve());
  });
  clearInterval(keepAlive);
  io.out('helper stopping; running VMs keep running');
  await engine.close();
  return 0;
}
