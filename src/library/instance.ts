// Every path under one frame instance, in one place (the seed's storage layout plus our state
// files): <storage_dir>/plugins/immich/<instance_id>/{photos/, sync_metadata.json, ...}.
import { nodeOs } from '../core/node-fs.js';
import path from 'node:path';

export interface InstancePaths {
  /** <storage_dir>/plugins/immich/<instance_id> */
  instanceDir: string;
  /** The offline copy of the photos. */
  photosDir: string;
  /** The seed's metadata file. */
  metadataPath: string;
  /** Held while a sync runs (service or CLI). */
  lockPath: string;
  /** What the selection remembers (order, position, shown set). */
  selectionStatePath: string;
  /** What the running service remembers (the photo on the panel, last sync, failures). */
  serviceStatePath: string;
  /** The last sync attempt, success and failure, whoever ran them (attempts.ts). */
  syncAttemptsPath: string;
  /** What the last sync that changed nothing saw (no-change.ts): the next one that sees the same skips the listing's parse. */
  noChangePath: string;
  /** Photos the owner never wants shown (hidden.ts): kept offline, survives syncs. */
  hiddenPath: string;
  /** The page's small thumbnails of the photos (web/thumbnails.ts): made once, remade when a photo changes. */
  thumbnailsDir: string;
  /** The running frame's local door (local-door/): `artframe-immich frame next` talks to it. */
  controlSocketPath: string;
  /** This frame's own inks, measured from a photo of its swatch (calibration/inks-file.ts). */
  calibratedInksPath: string;
}

/** "~" and "~/..." are the user's home folder, as in a shell. */
export function expandHome(p: string): string {
  if (p === '~') return nodeOs().homedir();
  if (p.startsWith('~/')) return path.join(nodeOs().homedir(), p.slice(2));
  return p;
}

export function instancePaths(where: { storage_dir: string; instance_id: string }): InstancePaths {
  const instanceDir = path.resolve(expandHome(where.storage_dir), 'plugins', 'immich', where.instance_id);
  return {
    instanceDir,
    photosDir: path.join(instanceDir, 'photos'),
    metadataPath: path.join(instanceDir, 'sync_metadata.json'),
    lockPath: path.join(instanceDir, 'sync.lock'),
    selectionStatePath: path.join(instanceDir, 'selection_state.json'),
    serviceStatePath: path.join(instanceDir, 'service_state.json'),
    syncAttemptsPath: path.join(instanceDir, 'sync_attempts.json'),
    noChangePath: path.join(instanceDir, 'sync_no_change.json'),
    hiddenPath: path.join(instanceDir, 'hidden.json'),
    thumbnailsDir: path.join(instanceDir, 'thumbnails'),
    controlSocketPath: path.join(instanceDir, 'control.sock'),
    calibratedInksPath: path.join(instanceDir, 'calibrated_inks.json'),
  };
}
