// `npm run bench -- selection`: picking a photo from a 20,000-photo library with every filter on
// (people any/all and excluded, favourites, minimum rating, date bounds, on this week, recency
// weight) against the plain unfiltered pick, measured in the same run, interleaved:
// 1. in memory: filterPhotos + selectNext over the records, against selectNext alone;
// 2. end to end: nextSelection (reads sync_metadata.json, filters, picks, saves the state) with
//    all filters against nextSelection with none, on a real library folder; and the same plain
//    pick on the library without `info` records (the format before issue 11): their reading cost;
// 3. pickPartner over the 20,000 for a portrait photo.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPrng } from '../../src/immich-sim/prng.js';
import { emptyMetadata, type LibraryMetadata } from '../../src/library/metadata.js';
import { instancePaths } from '../../src/library/instance.js';
import { filterPhotos, recencyWeightOf } from '../../src/library/selection/filters.js';
import { NO_FILTERS, type SelectionFilters } from '../../src/library/selection/options.js';
import { pickPartner } from '../../src/library/selection/pairs.js';
import {
  initialSelectionState,
  selectNext,
  type SelectablePhoto,
  type SelectionState,
} from '../../src/library/selection/select.js';
import { forgetLoadedPhotos, loadSelectablePhotos, nextSelection } from '../../src/library/selection/state.js';
import { writeMetadata } from '../../src/library/store.js';

const PHOTOS = 20_000;
const RUNS_MEMORY = 200;
const RUNS_DISK = 15;
const NOW = new Date('2026-12-02T12:00:00Z');
const PEOPLE = Array.from({ length: 40 }, (_, i) => ({ id: `person-${i}`, name: `Person ${i}`, hidden: i % 13 === 0 }));

const ALL_FILTERS: SelectionFilters = {
  people: ['Person 1', 'person-2', 'Person 3'],
  excludePeople: ['Person 13'],
  peopleMatch: 'any',
  favoritesOnly: true,
  minRating: 2,
  takenAfter: '2008-01-01',
  takenBefore: '2026-06-01T00:00:00Z',
  onThisDay: 'week',
  recencyWeight: 1.5,
};

function library(): LibraryMetadata {
  const prng = createPrng(20_000);
  const m = emptyMetadata();
  const start = Date.UTC(2005, 0, 1);
  const span = NOW.getTime() - start;
  for (let i = 0; i < PHOTOS; i++) {
    const id = prng.uuid();
    const at = new Date(start + Math.floor(prng.next() * span)).toISOString();
    const people = Array.from({ length: prng.int(0, 3) }, () => prng.pick(PEOPLE));
    const portrait = prng.next() < 0.3;
    m.synced_assets[id] = {
      filename: `IMG_${i}.jpg`,
      local_path: `IMG_${i}.jpg`,
      file_created_at: at,
      checksum: id,
      synced_at: NOW.toISOString(),
      rendition: 'original',
      photo_size: 'original',
      info: {
        local_date_time: at,
        time_zone: null,
        favorite: prng.next() < 0.5,
        rating: prng.next() < 0.6 ? prng.int(1, 5) : null,
        description: '',
        city: null,
        state: null,
        country: null,
        latitude: null,
        longitude: null,
        people,
        faces: people.map((p) => ({ person_id: p.id, x1: 10, y1: 10, x2: 50, y2: 60 })),
        faces_for: 'x',
        width: portrait ? 3000 : 4000,
        height: portrait ? 4000 : 3000,
        orientation: 1,
        measured_sha1: id,
        stack: null,
      },
    };
  }
  m.last_sync = NOW.toISOString();
  return m;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;

function pickInMemory(
  photos: readonly SelectablePhoto[],
  state: SelectionState,
  f: SelectionFilters | null,
  rng: () => number,
) {
  if (!f) return selectNext(photos, state, 'random', rng);
  const out = filterPhotos(photos, f, NOW, 'UTC');
  return selectNext(out.photos, state, 'random', rng, (p) => recencyWeightOf(p, f.recencyWeight, NOW));
}

export async function run(): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'selection-bench-'));
  try {
    // Three copies of one library: picks without filters, with all filters, and in the older
    // format (no info); each keeps its own selection state, as a frame would.
    const instance = async (id: string, metadata: LibraryMetadata) => {
      const where = instancePaths({ storage_dir: root, instance_id: id });
      await mkdir(where.photosDir, { recursive: true });
      await writeMetadata(where, metadata);
      // Real (tiny) files: nextSelection checks the chosen one exists.
      for (const e of Object.values(metadata.synced_assets))
        await writeFile(path.join(where.photosDir, e.local_path), 'x');
      return where;
    };
    const m = library();
    const paths = await instance('plain', m);
    const pathsF = await instance('filtered', m);
    const old = structuredClone(m);
    for (const e of Object.values(old.synced_assets)) delete e.info;
    const oldPaths = await instance('older', old);
    const photos = await loadSelectablePhotos(paths);
    const filtered = filterPhotos(photos, ALL_FILTERS, NOW, 'UTC');
    console.log(`${PHOTOS} photos; all filters let ${filtered.matched} through (${filtered.summary.slice(0, 60)}...)`);

    // 1. In memory, interleaved. Each run starts a fresh round: the deal (a shuffle of the whole
    //    set) is the most a pick costs.
    const rng = createPrng(1).next;
    const mem = { plain: [] as number[], filtered: [] as number[] };
    for (let i = 0; i < 20; i++) pickInMemory(photos, initialSelectionState(), ALL_FILTERS, rng);
    for (let i = 0; i < RUNS_MEMORY; i++) {
      let t = performance.now();
      pickInMemory(photos, initialSelectionState(), null, rng);
      mem.plain.push(performance.now() - t);
      t = performance.now();
      pickInMemory(photos, initialSelectionState(), ALL_FILTERS, rng);
      mem.filtered.push(performance.now() - t);
    }
    const mp = median(mem.plain);
    const mf = median(mem.filtered);
    console.log(
      `in memory, new round   plain selectNext ${ms(mp)}   all filters + selectNext ${ms(mf)}   ratio ${(mf / mp).toFixed(2)}x`,
    );

    // 2. End to end on disk (read the metadata, filter, pick, save the state). Cold: the first
    //    pick after a sync (the metadata parsed); warm: the service's later picks (parsed once).
    const disk = { cold: [] as number[], plain: [] as number[], filtered: [] as number[], old: [] as number[] };
    const pick = async (where: typeof paths, filters: SelectionFilters, into: number[], cold: boolean) => {
      if (cold) forgetLoadedPhotos(where);
      const t = performance.now();
      await nextSelection(where, 'random', { filters, now: () => NOW, timeZone: 'UTC' });
      into.push(performance.now() - t);
    };
    for (let i = 0; i < 3; i++) await nextSelection(pathsF, 'random', { filters: ALL_FILTERS, now: () => NOW });
    for (let i = 0; i < RUNS_DISK; i++) {
      await pick(paths, NO_FILTERS, disk.cold, true);
      await pick(oldPaths, NO_FILTERS, disk.old, true);
      await pick(paths, NO_FILTERS, disk.plain, false);
      await pick(pathsF, ALL_FILTERS, disk.filtered, false);
    }
    const [dc, dold, dp, df] = [disk.cold, disk.old, disk.plain, disk.filtered].map(median) as [
      number,
      number,
      number,
      number,
    ];
    console.log(
      `end to end, warm (nextSelection)   no filters ${ms(dp)}   all filters ${ms(df)}   ratio ${(df / dp).toFixed(2)}x`,
    );
    console.log(
      `end to end, cold (metadata parsed)   ${ms(dc)}; the same library without info (older format) ${ms(dold)}: ${(dc / dold).toFixed(2)}x`,
    );

    // 3. A partner for a portrait photo among all 20,000.
    const chosen = photos.find((p) => p.info && p.info.height! > p.info.width!)!;
    const pair: number[] = [];
    for (let i = 0; i < RUNS_MEMORY; i++) {
      const t = performance.now();
      pickPartner(chosen, photos, 'landscape', { timeZone: 'UTC' });
      pair.push(performance.now() - t);
    }
    console.log(
      `pickPartner over ${PHOTOS}   ${ms(median(pair))}   (${(median(pair) / mp).toFixed(2)}x the plain pick)`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
