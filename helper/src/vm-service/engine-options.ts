import type { Accelerator, HostFacts, HostOs, JobProgress, VmStatus } from '@openutm/shared';

// What a VmEngine is opened with and what it tells its listeners: the engine's outside contract.
export interface EngineOptions {
  home: string;
  // Said to anyone who finds the library locked: who owns it and how to reach it.
  purpose?: string;
  runtimeRoot: string;
  hostOs?: HostOs;
  // Gathered lazily: listing VMs should not wait for QEMU to be probed.
  hostFacts: () => Promise<HostFacts>;
  acceleratorOverride?: Accelerator;
  startTimeoutMs?: number;
  // 'tcp': QEMU listens on loopback ports with a display password even where unix sockets exist.
  // Windows always does; elsewhere only tests of that path ask for it (OPENUTM_QEMU_ENDPOINTS).
  endpoints?: 'unix' | 'tcp';
}

export interface EngineEvents {
  state: [VmStatus];
  changed: [{ id: string }];
  removed: [{ id: string }];
  // Long operations (create, clone) as they go: the API sends these as job.progress.
  progress: [JobProgress];
  // A start that went through with compromises (TCG, VNC on TCP, …), for the helper's log.
  warnings: [{ id: string; name: string; warnings: string[] }];
}
