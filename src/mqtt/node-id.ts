// Who this frame is on the broker when the config does not say: stable across restarts and
// unique per frame (the machine's id and the instance), in the characters Home Assistant allows.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** systemd's per-install id (machine-id(5)); the host name where there is none. */
export function machineId(file = '/etc/machine-id'): string {
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (id) return id;
  } catch {
    // no machine-id (a container, another OS): fall back to the host name
  }
  return os.hostname();
}

/** `artframe_<10 hex>` from the machine and the instance: two frames on one Pi differ, a restart does not. */
export function defaultNodeId(instanceId: string, machine = machineId()): string {
  const digest = createHash('sha256').update(`${machine}\0${instanceId}`).digest('hex');
  return `artframe_${digest.slice(0, 10)}`;
}
