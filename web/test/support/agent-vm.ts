import type { VmCreateRequest } from '@openutm/shared';
import { vmFolder } from '../../../helper/src/vm-library/library-paths';
import { agentGuest, agentGuestRequest, attachAgentGuestDisk } from '../../../helper/test/support/agent-guest';
import { waitForText } from '../../../helper/test/support/wait';
import type { RealHelper } from './real-helper';

// The agent guest (scripts/agent-guest: Debian, X on QXL, spice-vdagent) as a VM of this helper,
// on a qcow2 overlay of the cached image, started. Resolves once the guest says it is ready;
// fails when its SPICE agent did not come up (its status line says so). `extra` changes the VM
// (a VNC display, say).
export async function startAgentGuest(helper: RealHelper, name: string, extra: Partial<VmCreateRequest> = {}): Promise<string> {
  const guest = agentGuest();
  const api = await helper.api();
  // No sound card: nothing here plays sound, and it costs the emulated guest time.
  const { config } = await api.call('vm.create', agentGuestRequest(name, { sound: { enabled: false }, ...extra }));
  await attachAgentGuestDisk(vmFolder(helper.home, config.id), config.disks[0]!.file);
  await api.call('vm.start', { id: config.id });
  const log = await waitForText(helper.serialLog(config.id), guest.marker, 300_000);
  const status = /agent-guest: (x=\S+ .*)/.exec(log)?.[1] ?? '(no status line)';
  if (!/vdagent=up/.test(status)) throw new Error(`the agent guest booted without its SPICE agent: ${status}`);
  return config.id;
}
