import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { runQemuImg, assertAbsolute } from '../disk-images/qemu-img';
import type { QmpClient } from '../qmp/qmp-client';
import type { ImageSnapshot } from './snapshot-reconcile';

const SnapshotJson = z.array(z.object({ name: z.string(), 'vm-state-size': z.number().int().min(0) })).default([]);
const InfoJson = z.object({ snapshots: SnapshotJson });
const NodesJson = z.array(z.object({ 'node-name': z.string().optional(), image: z.object({ snapshots: SnapshotJson }).optional() }));

const toImageSnapshots = (list: z.infer<typeof SnapshotJson>): ImageSnapshot[] => list.map((s) => ({ tag: s.name, vmStateBytes: s['vm-state-size'] }));

// The internal snapshots of a qcow2 image at rest. -U: an image QEMU holds is still readable,
// which keeps a list that races a start from failing.
export async function imageSnapshots(qemuImg: string, file: string): Promise<ImageSnapshot[]> {
  assertAbsolute(file);
  const { stdout } = await runQemuImg(qemuImg, ['info', '--output=json', '-f', 'qcow2', '-U', '--', file]);
  return toImageSnapshots(InfoJson.parse(JSON.parse(stdout)).snapshots);
}

// The same, as the running QEMU sees its format nodes (query-named-block-nodes), per node name.
export async function liveSnapshots(qmp: Pick<QmpClient, 'execute'>, nodes: readonly string[]): Promise<Map<string, ImageSnapshot[]>> {
  const all = NodesJson.parse(await qmp.execute('query-named-block-nodes', { flat: true }));
  return new Map(nodes.map((n) => [n, toImageSnapshots(all.find((x) => x['node-name'] === n)?.image?.snapshots ?? [])]));
}

// `qemu-img snapshot` on an image at rest: -c creates, -a applies (reverts to), -d deletes. It
// has no -f, so the format is stated through --image-opts (commas in the path doubled, as QEMU's
// option syntax wants) and never probed.
export async function offlineSnapshot(qemuImg: string, op: '-c' | '-a' | '-d', tag: string, file: string): Promise<void> {
  assertAbsolute(file);
  const opts = `driver=qcow2,file.driver=file,file.filename=${file.replaceAll(',', ',,')}`;
  await runQemuImg(qemuImg, ['snapshot', '-q', '--image-opts', op, tag, '--', opts]);
}

// Bytes the file takes on the host's disk (allocated blocks), for "the space a snapshot holds".
export async function allocatedBytes(files: readonly string[]): Promise<number> {
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => (s.blocks > 0 ? s.blocks * 512 : s.size), () => 0)));
  return sizes.reduce((a, b) => a + b, 0);
}
