// The sync step that keeps every photo's `info` (photo-info.ts) up to date after the files are in
// place: the listing's metadata is merged in without any download; the stored file's size is read
// once per file (most arrive measured from their header by download.ts); face boxes are fetched (GET /api/faces?id=) only for photos with people whose
// people, file or size changed since the last fetch. One failure never stops the rest.
import { largestFaces } from '../immich/kept.js';
import type { AssetSource, RemoteAsset } from '../immich/types.js';
import { type Logger, silentLogger } from '../core/log.js';
import { AuthRejectedError } from '../core/errors.js';
import { failureReason } from './download.js';
import type { LibraryMetadata } from './metadata.js';
import { displayedSize, facesInFile, facesKey, mergeListedInfo, type PhotoInfo, sameInfo } from './photo-info.js';
import { photoPath } from './store.js';
import type { InstancePaths } from './instance.js';

export interface RefreshInfoReport {
  /** Records whose info changed. */
  updated: number;
  /** Files whose size and orientation were read. */
  measured: number;
  /** GET /api/faces requests made. */
  faceRequests: number;
  /** Of those, how many failed (kept their old boxes; tried again next sync). */
  faceFailures: number;
  /** Boxes that could not be placed on the stored file (another shape). */
  facesRefused: number;
}

async function measure(file: string): Promise<{ width: number; height: number; orientation: number | null } | null> {
  try {
    // Loaded only when a file's header could not be read on the way in (sync start-up skips it).
    const { default: sharp } = await import('sharp');
    const m = await sharp(file, { failOn: 'none' }).metadata();
    if (!m.width || !m.height) return null;
    const orientation = m.orientation && m.orientation >= 1 && m.orientation <= 8 ? m.orientation : null;
    const [width, height] = displayedSize(m.width, m.height, orientation);
    return { width, height, orientation };
  } catch {
    return null;
  }
}

export async function refreshInfo(options: {
  paths: InstancePaths;
  metadata: LibraryMetadata;
  /** The listing this sync made (every asset the library may hold). */
  listed: readonly RemoteAsset[];
  source: AssetSource;
  concurrency?: number;
  signal?: AbortSignal;
  logger?: Logger;
}): Promise<RefreshInfoReport> {
  const { paths, metadata, source } = options;
  const log = options.logger ?? silentLogger;
  const report: RefreshInfoReport = { updated: 0, measured: 0, faceRequests: 0, faceFailures: 0, facesRefused: 0 };
  const jobs: { id: string; asset: RemoteAsset; info: PhotoInfo; key: string }[] = [];

  const records: {
    asset: RemoteAsset & { info: NonNullable<RemoteAsset['info']> };
    info: PhotoInfo;
    /** The record as it was (never changed in place: merged into a new one). */
    before: PhotoInfo | undefined;
  }[] = [];
  for (const asset of options.listed) {
    const entry = metadata.synced_assets[asset.id];
    if (!entry || !asset.info) continue;
    records.push({
      asset: asset as RemoteAsset & { info: NonNullable<RemoteAsset['info']> },
      info: mergeListedInfo(entry.info, asset.info),
      before: entry.info,
    });
  }

  // The stored file's size and orientation: read once per file (a header read), a few at a time.
  const toMeasure = records.filter(({ asset, info }) => {
    const e = metadata.synced_assets[asset.id]!;
    return info.measured_sha1 !== (e.sha1 ?? e.checksum) || info.width === null;
  });
  await pool(toMeasure, options.concurrency ?? 4, async ({ asset, info }) => {
    const e = metadata.synced_assets[asset.id]!;
    const m = await measure(photoPath(paths, e.local_path));
    report.measured += 1;
    if (m) Object.assign(info, m, { measured_sha1: e.sha1 ?? e.checksum });
  });

  for (const { asset, info, before } of records) {
    const entry = metadata.synced_assets[asset.id]!;
    const key = facesKey(info.people, entry.sha1 ?? entry.checksum, asset.info);
    if (info.people.length === 0) {
      info.faces = [];
      info.faces_for = key;
    } else if (info.faces_for !== key && source.listFaces && info.width !== null && info.height !== null) {
      jobs.push({ id: asset.id, asset, info, key });
    }
    entry.info = info;
    if (!sameInfo(before, info)) report.updated += 1;
  }

  // Face boxes: a few requests at a time, each failure on its own.
  // A key without face.read is refused for every photo alike: the first request goes alone, and
  // one refusal ends the fetching.
  let denied = false;
  const fetchFaces = async (job: (typeof jobs)[number]) => {
    if (options.signal?.aborted || denied) return;
    report.faceRequests += 1;
    try {
      const faces = await source.listFaces!(job.id, options.signal);
      const placed = facesInFile(faces, { width: job.info.width!, height: job.info.height! });
      if (placed.refused > 0) {
        // Per photo, so at debug; the sync's summary counts them (faces_refused).
        log.debug('some face boxes do not fit the stored photo and are left out', {
          asset: job.id,
          refused: placed.refused,
        });
      }
      report.facesRefused += placed.refused;
      // Whatever the source sent, no more than the record keeps (photo-info.ts).
      job.info.faces = largestFaces(placed.faces);
      job.info.faces_for = job.key;
      report.updated += 1;
    } catch (err) {
      if (options.signal?.aborted) throw err;
      report.faceFailures += 1;
      if (err instanceof AuthRejectedError) {
        denied = true;
        log.warn('the server refuses face boxes to this API key (give it face.read); photos keep no face boxes', {
          error: log.redact(failureReason(err)),
        });
        return;
      }
      log.warn('cannot read the face boxes of a photo; it keeps the old ones until the next sync', {
        asset: job.id,
        error: log.redact(failureReason(err)),
      });
    }
  };
  await pool(jobs.slice(0, 1), 1, fetchFaces);
  await pool(jobs.slice(1), options.concurrency ?? 4, fetchFaces);
  return report;
}

/** Run `work` over `items`, at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
