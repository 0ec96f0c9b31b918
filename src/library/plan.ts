// The sync plan: a pure diff of the server's listing against the local metadata (add, update,
// adopt, keep, remove, discard). A value you can print (`sync --dry-run`); apply.ts carries it out.
import { chooseRendition } from '../immich/rendition.js';
import type { Rendition, RemoteAsset } from '../immich/types.js';
import type { AdoptedFile, LibraryMetadata, SyncedAsset } from './metadata.js';
import { assignUniqueNames, nameCandidates, nameKey, sanitiseFileName } from './names.js';
import { chooseSubset, sortByCaptureTime } from './subset.js';
import { type PhotoSize } from '../immich/types.js';
import { type SelectionMode } from './selection/select.js';

/** checksum: the bytes changed; updated_at: an external-library asset (whose checksum hashes its
 * path, so never changes with its bytes) was updated; edits: the asset was edited in Immich, its
 * edits changed (updatedAt moved) or were removed; photo_size: the setting changed. */
export type UpdateReason = 'checksum' | 'updated_at' | 'edits' | 'photo_size';
/** gone: no longer in the listing (out of the album, trashed, deleted); over_limit: beyond
 * max_photos; archived / stacked: whole-library mode shows the timeline, which hides them. */
export type RemoveReason = 'gone' | 'over_limit' | 'archived' | 'stacked';

export interface PlannedAdd {
  asset: RemoteAsset;
  /** The name to store it under (its extension is fitted to the bytes once they arrive). */
  name: string;
}
export interface PlannedUpdate extends PlannedAdd {
  previous: SyncedAsset;
  reason: UpdateReason;
}
/** A file already in photos/ that the metadata did not know, recognised as this asset. */
export interface PlannedAdopt extends PlannedAdd {
  file: AdoptedFile;
  /** How it was recognised: its SHA-1 is the asset's checksum, or it has the asset's name. */
  match: 'checksum' | 'name';
  rendition: Rendition;
}
/** What keeping a photo takes of its asset: the facts a kept record is brought up to date with
 * (apply.ts). A no-change sync builds these from the records themselves (no-change.ts). */
export type KeptAsset = Pick<RemoteAsset, 'id' | 'originalFileName' | 'fileCreatedAt' | 'updatedAt' | 'checksum'>;
export interface PlannedKeep {
  asset: KeptAsset;
  entry: SyncedAsset;
}
export interface PlannedRemove {
  id: string;
  entry: SyncedAsset;
  reason: RemoveReason;
}

export interface SyncPlan {
  albumId: string;
  photoSize: PhotoSize;
  maxPhotos: number;
  /** Images the server listed (less those the timeline hides), before max_photos. */
  remoteTotal: number;
  /** Whole-library mode: listed images the timeline hides (include_archived / include_stacked). */
  hidden: { archived: number; stacked: number };
  add: PlannedAdd[];
  update: PlannedUpdate[];
  adopt: PlannedAdopt[];
  keep: PlannedKeep[];
  remove: PlannedRemove[];
  /** Unknown files in photos/ that no asset claimed: deleted once the downloads are done. */
  discard: string[];
}

export interface PlanInput {
  albumId: string;
  remote: readonly RemoteAsset[];
  metadata: LibraryMetadata;
  photoSize: PhotoSize;
  maxPhotos: number;
  mode: SelectionMode;
  /** Whole-library mode only (albumId ''): keep archived photos, and every member of a stack
   * rather than its primary alone. Default false: what Immich's Photos page shows. */
  includeArchived?: boolean;
  includeStacked?: boolean;
}

/** Why the timeline hides an asset in whole-library mode, or null when it shows it. */
function hiddenFromTimeline(asset: RemoteAsset, input: PlanInput): 'archived' | 'stacked' | null {
  if (input.albumId !== '') return null;
  if (asset.archived && !input.includeArchived) return 'archived';
  if (asset.stackPrimaryId !== undefined && !input.includeStacked) return 'stacked';
  return null;
}

/** Whether the asset's checksum is the SHA-1 of its bytes (not so for external libraries). */
function hashesContent(asset: RemoteAsset): boolean {
  return asset.checksumIsContentHash !== false;
}

/** A listing may repeat an asset when the album changes between pages; keep the first. */
function uniqueById(remote: readonly RemoteAsset[]): RemoteAsset[] {
  const seen = new Set<string>();
  return remote.filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
}

/**
 * Match unknown files to assets the metadata lacks. By content first: a file whose SHA-1 is an
 * asset's checksum is that asset's original (only when originals are wanted, and never for an
 * external-library asset, whose checksum hashes its path). Then by name, for files that are no
 * asset's original (a rendering, or an external photo, that landed before a checkpoint):
 * the name must be the asset's `-<short id>` name, or its plain name when no other wanted asset
 * shares that name, so a file is never credited to the wrong one of two IMG_0001.JPG.
 */
function matchAdopted(
  unknown: RemoteAsset[],
  adopted: Record<string, AdoptedFile>,
  allRemote: readonly RemoteAsset[],
  photoSize: PhotoSize,
): Map<string, { name: string; match: 'checksum' | 'name' }> {
  const out = new Map<string, { name: string; match: 'checksum' | 'name' }>();
  const free = new Set(Object.keys(adopted).sort());
  if (free.size === 0) return out;

  if (photoSize === 'original') {
    const bySha = new Map<string, string>();
    for (const name of free) if (!bySha.has(adopted[name]!.sha1)) bySha.set(adopted[name]!.sha1, name);
    for (const asset of unknown) {
      // An edited asset's file is the edited image, never its original.
      if (!hashesContent(asset) || asset.edited) continue;
      const name = bySha.get(asset.checksum);
      if (name !== undefined && free.has(name)) {
        out.set(asset.id, { name, match: 'checksum' });
        free.delete(name);
      }
    }
  }

  const originals = new Set(allRemote.filter(hashesContent).map((a) => a.checksum));
  const byKey = new Map<string, string>();
  for (const name of free) if (!originals.has(adopted[name]!.sha1)) byKey.set(nameKey(name), name);
  if (byKey.size === 0) return out;
  const plainCount = new Map<string, number>();
  for (const a of allRemote) {
    const k = nameKey(sanitiseFileName(a.originalFileName, a.id));
    plainCount.set(k, (plainCount.get(k) ?? 0) + 1);
  }
  for (const asset of unknown) {
    if (out.has(asset.id)) continue;
    const [plain, suffixed] = nameCandidates(asset);
    const keys = [nameKey(suffixed)];
    if (plainCount.get(nameKey(plain)) === 1) keys.push(nameKey(plain));
    for (const k of keys) {
      const name = byKey.get(k);
      if (name !== undefined && free.has(name)) {
        out.set(asset.id, { name, match: 'name' });
        free.delete(name);
        break;
      }
    }
  }
  return out;
}

/** The stored file no longer shows what Immich shows: the asset was edited since, its edits were
 * removed, or it is edited and was updated (a change of edits moves updatedAt; so do some other
 * changes, which then cost one download of the edited image). */
function editsChanged(entry: SyncedAsset, asset: RemoteAsset): boolean {
  const isEdited = asset.edited === true;
  if ((entry.edited === true) !== isEdited) return true;
  return isEdited && entry.updated_at !== undefined && entry.updated_at !== asset.updatedAt;
}

export function planSync(input: PlanInput): SyncPlan {
  const { metadata, photoSize, maxPhotos, mode } = input;
  const listed = uniqueById(input.remote);
  const hidden = new Map<string, 'archived' | 'stacked'>();
  for (const a of listed) {
    const why = hiddenFromTimeline(a, input);
    if (why) hidden.set(a.id, why);
  }
  const remote = listed.filter((a) => !hidden.has(a.id));
  const wanted = sortByCaptureTime(chooseSubset(remote, maxPhotos, mode));
  const wantedIds = new Set(wanted.map((a) => a.id));
  const remoteIds = new Set(remote.map((a) => a.id));
  const entries = metadata.synced_assets;

  const plan: SyncPlan = {
    albumId: input.albumId,
    photoSize,
    maxPhotos,
    remoteTotal: remote.length,
    hidden: { archived: 0, stacked: 0 },
    add: [],
    update: [],
    adopt: [],
    keep: [],
    remove: [],
    discard: [],
  };

  for (const id of Object.keys(entries).sort()) {
    if (!wantedIds.has(id)) {
      plan.remove.push({
        id,
        entry: entries[id]!,
        reason: hidden.get(id) ?? (remoteIds.has(id) ? 'over_limit' : 'gone'),
      });
    }
  }

  const unknown: RemoteAsset[] = [];
  for (const asset of wanted) {
    const entry = entries[asset.id];
    if (!entry) unknown.push(asset);
    else if (entry.checksum !== asset.checksum) {
      plan.update.push({ asset, name: entry.local_path, previous: entry, reason: 'checksum' });
    } else if (!hashesContent(asset) && entry.updated_at !== undefined && entry.updated_at !== asset.updatedAt) {
      plan.update.push({ asset, name: entry.local_path, previous: entry, reason: 'updated_at' });
    } else if (editsChanged(entry, asset)) {
      plan.update.push({ asset, name: entry.local_path, previous: entry, reason: 'edits' });
    } else if (entry.photo_size !== photoSize) {
      plan.update.push({ asset, name: entry.local_path, previous: entry, reason: 'photo_size' });
    } else plan.keep.push({ asset, entry });
  }

  for (const why of hidden.values()) plan.hidden[why] += 1;

  const matched = matchAdopted(unknown, metadata.adopted, remote, photoSize);
  const toAdd: RemoteAsset[] = [];
  for (const asset of unknown) {
    const m = matched.get(asset.id);
    if (!m) {
      toAdd.push(asset);
      continue;
    }
    plan.adopt.push({
      asset,
      name: m.name,
      file: metadata.adopted[m.name]!,
      match: m.match,
      rendition:
        m.match === 'checksum'
          ? 'original'
          : chooseRendition(asset.originalMimeType, asset.originalFileName, photoSize),
    });
  }
  const claimed = new Set(plan.adopt.map((a) => a.name));
  plan.discard = Object.keys(metadata.adopted)
    .filter((n) => !claimed.has(n))
    .sort();

  // Every file present now stays until the downloads are done, so no new name may shadow one.
  const taken = [...Object.values(entries).map((e) => e.local_path), ...Object.keys(metadata.adopted)];
  const names = assignUniqueNames(toAdd, taken);
  for (const asset of toAdd) plan.add.push({ asset, name: names.get(asset.id)! });
  return plan;
}

/** True when applying the plan changes nothing on disk. */
export function isNoop(plan: SyncPlan): boolean {
  return plan.add.length + plan.update.length + plan.remove.length + plan.discard.length === 0;
}

/**
 * What the library holds once the plan is applied: asset id -> checksum. The executor must
 * arrive at exactly this; the property tests hold planSync to it.
 */
export function planOutcome(metadata: LibraryMetadata, plan: SyncPlan): Map<string, string> {
  const out = new Map(Object.entries(metadata.synced_assets).map(([id, e]) => [id, e.checksum]));
  for (const r of plan.remove) out.delete(r.id);
  for (const a of [...plan.add, ...plan.update, ...plan.adopt]) out.set(a.asset.id, a.asset.checksum);
  return out;
}

export function planCounts(plan: SyncPlan) {
  return {
    add: plan.add.length,
    update: plan.update.length,
    adopt: plan.adopt.length,
    keep: plan.keep.length,
    remove: plan.remove.length,
    discard: plan.discard.length,
  };
}

/** The plan as plain JSON (ids and names, not whole assets): `sync --dry-run --json`. */
export function planToJson(plan: SyncPlan) {
  return {
    album_id: plan.albumId,
    photo_size: plan.photoSize,
    max_photos: plan.maxPhotos,
    remote_total: plan.remoteTotal,
    hidden: plan.hidden,
    counts: planCounts(plan),
    add: plan.add.map((a) => ({ id: a.asset.id, name: a.name })),
    update: plan.update.map((u) => ({ id: u.asset.id, name: u.name, reason: u.reason })),
    adopt: plan.adopt.map((a) => ({ id: a.asset.id, name: a.name, match: a.match })),
    remove: plan.remove.map((r) => ({ id: r.id, name: r.entry.local_path, reason: r.reason })),
    discard: plan.discard,
    keep: plan.keep.length,
  };
}

/** The plan for people: one line per change, then the counts. */
export function formatPlan(plan: SyncPlan): string {
  const lines: string[] = [];
  const album = plan.albumId === '' ? 'the whole library' : `album ${plan.albumId}`;
  const limit = plan.maxPhotos > 0 ? `, max_photos ${plan.maxPhotos}` : '';
  const hiddenText = [
    plan.hidden.archived ? `${plan.hidden.archived} archived` : '',
    plan.hidden.stacked ? `${plan.hidden.stacked} stacked behind their primary` : '',
  ].filter(Boolean);
  lines.push(
    `plan for ${album}: ${plan.remoteTotal} images on the server (photo_size ${plan.photoSize}${limit})` +
      (hiddenText.length ? `; not shown, as on Immich's timeline: ${hiddenText.join(', ')}` : ''),
  );
  for (const a of plan.add) lines.push(`  add      ${a.name}  (${a.asset.id})`);
  for (const u of plan.update) {
    const why =
      u.reason === 'photo_size'
        ? 'photo_size changed'
        : u.reason === 'edits'
          ? u.asset.edited
            ? 'edited in Immich'
            : 'edits removed in Immich'
          : 'changed on the server';
    lines.push(`  update   ${u.name}  (${u.asset.id}, ${why})`);
  }
  for (const a of plan.adopt)
    lines.push(`  adopt    ${a.name}  (${a.asset.id}, already on disk, matched by ${a.match})`);
  for (const r of plan.remove) {
    const why =
      r.reason === 'gone'
        ? plan.albumId === ''
          ? 'no longer in the library: deleted, trashed or hidden'
          : 'no longer in the album (taken out of it, trashed or deleted)'
        : r.reason === 'archived'
          ? 'archived (include_archived keeps archived photos)'
          : r.reason === 'stacked'
            ? 'not the primary photo of its stack (include_stacked keeps every one)'
            : 'beyond max_photos';
    lines.push(`  remove   ${r.entry.local_path}  (${r.id}, ${why})`);
  }
  for (const d of plan.discard) lines.push(`  discard  ${d}  (unknown file, matches no asset)`);
  const c = planCounts(plan);
  lines.push(
    `${c.add} to add, ${c.update} to update, ${c.adopt} to adopt, ${c.keep} to keep, ` +
      `${c.remove} to remove, ${c.discard} unknown files to delete`,
  );
  return lines.join('\n');
}
