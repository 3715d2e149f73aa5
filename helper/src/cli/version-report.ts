import { PROTOCOL_VERSION } from '@openutm/shared';
import { HELPER_VERSION } from '../version';
import { webUiVersion } from '../web-ui/locate-ui';

// What `openutm --version` says: the helper, the protocol it speaks, and the UI it serves
// ('none' when it has none), so a bug report names all three.
export function versionReport(json: boolean): string {
  const v = { helper: HELPER_VERSION, protocol: PROTOCOL_VERSION, ui: webUiVersion() };
  return json ? JSON.stringify(v) : `openutm ${v.helper} (protocol ${v.protocol}, ui ${v.ui})`;
}
