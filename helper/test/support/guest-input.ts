import type { VmEngine } from '../../src/vm-service/vm-engine';

// Types a line into the guest's serial port through the VM's serial hub, as a console would.
// Wait for the shell's prompt first (waitForPrompt): input typed during its start-up may be lost.
export function typeInGuest(engine: Pick<VmEngine, 'serialHub'>, id: string, line: string): void {
  const typing = engine.serialHub(id).subscribe({ send: () => undefined, close: () => undefined });
  typing.write(`${line}\n`);
  typing.unsubscribe();
}
