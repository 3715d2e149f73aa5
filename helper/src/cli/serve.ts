import { parseOriginList } from '../api/http-guards';
import { AuthService } from '../auth/auth-service';
import { locateWebUi } from '../web-ui/locate-ui';
import { openEngineFromEnv } from './engine-from-env';
import { helperPort } from './helper-address';
import { startHelperServer } from './helper-server';
import { announcePairingLink, serveLinkFlags } from './pairing-link';
import { startHelperTray } from './serve-tray';

// `openutm serve`: the helper. Holds the library, re-attaches to running VMs, and serves the UI
// and the API on 127.0.0.1 until told to stop. Stopping it leaves VMs running; the next helper
// picks them up. The secrets file (with the CLI's token) is written before the port opens, so a
// CLI that sees the port open can read it.
export async function serve(
  io: { out: (s: string) => void; err: (s: string) => void },
  env: NodeJS.ProcessEnv = process.env,
  args: readonly string[] = [],
): Promise<number> {
  const linkFlags = serveLinkFlags(args, process.stdout.isTTY === true);
  const port = helperPort(env);
  const webUi = locateWebUi();
  const origins = [...webUi.hostedOrigins, ...parseOriginList(env.OPENUTM_ORIGINS)];
  const url = `http://127.0.0.1:${port}/`;
  const engine = await openEngineFromEnv(env, `the OpenUTM helper serving ${url}`);
  const log = (line: string) => io.err(`${new Date().toISOString()} ${line}`);
  let auth: AuthService | null = null;
  try {
    auth = AuthService.open(engine.library.root, { log });
    engine.on('state', (s) => io.out(`${new Date().toISOString()} ${s.name} (${s.id}) ${s.state}${s.crash ? `: ${s.crash.reason}` : ''}`));
    engine.on('warnings', (w) => {
      for (const warning of w.warnings) io.out(`${new Date().toISOString()} ${w.name} (${w.id}) warning: ${warning}`);
    });
    const server = await startHelperServer({
      engine,
      auth,
      port,
      origins,
      webRoot: webUi.root,
      // OPENUTM_PEER_CHECK=off lets guests' connections through to the limits (tests of those).
      ...(env.OPENUTM_PEER_CHECK === 'off' && { peerCheck: false as const }),
      log,
    });
    const vms = await engine.list();
    const running = vms.filter((v) => v.status.state !== 'stopped' && v.status.state !== 'crashed');
    io.out(`openutm helper (pid ${process.pid}) owns ${engine.library.root}: ${vms.length} VM(s), ${running.length} running; serving ${server.url}`);
    const link = announcePairingLink({ auth, port: server.port, flags: linkFlags, out: io.out, log, env });
    if (link === null) io.out(`pair a browser with \`openutm pair\`; the CLI's token is in ${auth.secretsFile}`);
    else io.out(`the CLI's token is in ${auth.secretsFile}`);
    if (origins.length > 0) io.out(`the UI hosted at ${origins.join(', ')} may connect too`);
    const quit = new AbortController();
    const tray = await startHelperTray({ engine, auth, env, port, url, log, quit: () => quit.abort() });
    await untilSignal(quit.signal);
    tray?.close();
    io.out('helper stopping; running VMs keep running');
    await server.close();
    return 0;
  } finally {
    auth?.close();
    await engine.close();
  }
}

// Waits for SIGINT, SIGTERM or SIGHUP, or the tray's Quit. Signal listeners do not keep Node
// alive by themselves.
function untilSignal(quit: AbortSignal): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  return new Promise<void>((resolve) => {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const onSignal = () => {
      for (const s of signals) process.off(s, onSignal);
      quit.removeEventListener('abort', onSignal);
      clearInterval(keepAlive);
      resolve();
    };
    for (const s of signals) process.on(s, onSignal);
    quit.addEventListener('abort', onSignal);
  });
}
