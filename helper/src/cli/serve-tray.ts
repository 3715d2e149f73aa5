import type { AuthService } from '../auth/auth-service';
import { autostartStatus, disableAutostart, enableAutostart } from '../autostart/autostart-service';
import type { LaunchCommand } from '../autostart/launch-command';
import { startTray, type Tray } from '../tray/tray-service';
import type { VmEngine } from '../vm-service/vm-engine';
import { autostartCommandFor, autostartHostFor } from './autostart-command';
import { pairLinkUrl, pairUrl } from './helper-address';

// The helper's tray, wired to its engine, pairing and start-at-login; or null (headless, with
// the reason logged).
export async function startHelperTray(opts: { engine: VmEngine; auth: AuthService; env: NodeJS.ProcessEnv; port: number; url: string; log: (line: string) => void; quit: () => void }): Promise<Tray | null> {
  const host = autostartHostFor({ env: opts.env });
  let command: LaunchCommand | null = null;
  try {
    command = autostartCommandFor(host);
  } catch {
    // Run from its sources: the tray shows "Start at login" disabled.
  }
  const tray = await startTray({
    env: opts.env,
    url: opts.url,
    log: opts.log,
    listVms: () => opts.engine.list(),
    autostart: {
      get: async () => (command ? (await autostartStatus(host, command)).current : null),
      set: async (on) => {
        if (!command) return;
        if (on) await enableAutostart(host, command);
        else await disableAutostart(host);
      },
    },
    pairUrl: () => pairUrl(opts.port, opts.auth.createPairingCode().code),
    appUrl: () => pairLinkUrl(opts.port, opts.auth.createPairingCode().code),
    quit: opts.quit,
  });
  // State changes, and VMs created, edited or deleted, all change what the menu lists.
  if (tray) for (const event of ['state', 'changed', 'removed'] as const) opts.engine.on(event, () => tray.refresh());
  return tray;
}
