// Which photo the frame shows next: a pure function of the library (from the metadata, never
// the network), a small state and the selection mode. selection-state.ts keeps the state on disk.
import type { PhotoInfo } from '../photo-info.js';

/** The orders the frame shows photos in (config key selection_mode). */
export const SELECTION_MODES = ['random', 'sequential', 'newest', 'oldest'] as const;
export type SelectionMode = (typeof SELECTION_MODES)[number];

/** Capture time in ms; an unparseable date sorts as the oldest rather than breaking the order. */
export function captureTime(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

export interface SelectablePhoto {
  id: string;
  /** Absolute path of the file. */
  path: string;
  /** Capture time (ISO 8601); '' when unknown, which sorts as the oldest. */
  capturedAt: string;
  /** The SHA-1 the sync recorded for the file (base64), for the bit-rot check; absent for adopted files. */
  sha1?: string;
  /** The metadata record (photo-info.ts); absent for adopted files and before the first sync
   * that fills it. */
  info?: PhotoInfo;
}

export interface SelectionState {
  mode: SelectionMode | null;
  /** The photo shown last: where `sequential` resumes, and what a new pass must not repeat. */
  last: { id: string; capturedAt: string } | null;
  /** Photos shown in this pass (newest, oldest, random). */
  shown: string[];
  /** random: the photos still to come in this pass, in order. */
  deck: string[];
  /** Why the last photo was picked, in words (`status`). */
  reason?: string | null;
}

export function initialSelectionState(): SelectionState {
  return { mode: null, last: null, shown: [], deck: [], reason: null };
}

type Key = { id: string; capturedAt: string };

/** Oldest first by capture time, ties by id: the one order newest, oldest and sequential share. */
function compareKeys(a: Key, b: Key): number {
  const ta = a.capturedAt === '' ? Number.NEGATIVE_INFINITY : captureTime(a.capturedAt);
  const tb = b.capturedAt === '' ? Number.NEGATIVE_INFINITY : captureTime(b.capturedAt);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function randomIndex(rng: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

function shuffle<T>(items: T[], rng: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomIndex(rng, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * `b` spread through `a` at random places, each list keeping its own order: every interleaving
 * equally likely, as inserting each of `b` at a random place would give, but in linear time (a
 * filter change can bring thousands of arrivals into a round at once).
 */
function interleave(a: string[], b: string[], rng: () => number): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const fromA = a.length - i;
    const fromB = b.length - j;
    if (fromB === 0 || (fromA > 0 && rng() * (fromA + fromB) < fromA)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** A random order in which heavier items tend to come first (Efraimidis-Spirakis: sort by
 * u^(1/w) descending); equal weights give a uniform shuffle. */
function weightedShuffle(ids: string[], weight: (id: string) => number, rng: () => number): string[] {
  const keyed = ids.map((id) => {
    const w = Math.max(weight(id), 1e-9);
    return { id, key: Math.log(Math.max(rng(), Number.MIN_VALUE)) / w };
  });
  keyed.sort((a, b) => b.key - a.key);
  return keyed.map((k) => k.id);
}

/**
 * newest/oldest walk the library by capture time; a photo not yet shown in this pass that sorts
 * first (a newly synced newest one, say) comes next. When all have shown, a new pass starts.
 */
function walkByTime(
  photos: readonly SelectablePhoto[],
  state: SelectionState,
  newestFirst: boolean,
): { photo: SelectablePhoto; shown: string[] } {
  const order = [...photos].sort((a, b) => (newestFirst ? compareKeys(b, a) : compareKeys(a, b)));
  const present = new Set(photos.map((p) => p.id));
  let shown = state.shown.filter((id) => present.has(id));
  const seen = new Set(shown);
  let photo = order.find((p) => !seen.has(p.id));
  if (!photo) {
    shown = [];
    photo = order.find((p) => p.id !== state.last?.id) ?? order[0]!;
  }
  return { photo, shown: [...shown, photo.id] };
}

/**
 * sequential goes through the photos oldest to newest and keeps its place by the last photo
 * shown, not by a position: adding or removing photos does not make it skip or repeat.
 */
function nextInSequence(photos: readonly SelectablePhoto[], state: SelectionState): SelectablePhoto {
  const order = [...photos].sort(compareKeys);
  const last = state.last;
  if (!last) return order[0]!;
  return order.find((p) => compareKeys(p, last) > 0) ?? order[0]!;
}

/**
 * random deals a shuffled deck: every photo once before any repeats. New photos are shuffled
 * into the rest of the deck, removed ones drop out, and a new deck never starts with the photo
 * that ended the last one.
 */
function dealRandom(
  photos: readonly SelectablePhoto[],
  state: SelectionState,
  rng: () => number,
  weightOf?: (p: SelectablePhoto) => number,
): { photo: SelectablePhoto; shown: string[]; deck: string[] } {
  const byId = new Map(photos.map((p) => [p.id, p]));
  let deck = state.deck.filter((id) => byId.has(id));
  let shown = state.shown.filter((id) => byId.has(id));
  const dealt = new Set([...deck, ...shown]);
  const arrivals = photos.filter((p) => !dealt.has(p.id)).map((p) => p.id);
  if (deck.length > 0) {
    if (arrivals.length > 0) deck = interleave(deck, shuffle(arrivals, rng), rng);
  } else if (shown.length > 0 && arrivals.length > 0) {
    deck = shuffle(arrivals, rng);
  } else {
    shown = [];
    const ids = photos.map((p) => p.id);
    deck = weightOf ? weightedShuffle(ids, (id) => weightOf(byId.get(id)!), rng) : shuffle(ids, rng);
    if (deck.length > 1 && deck[0] === state.last?.id) {
      const j = 1 + randomIndex(rng, deck.length - 1);
      [deck[0], deck[j]] = [deck[j]!, deck[0]!];
    }
  }
  const id = deck.shift()!;
  return { photo: byId.get(id)!, shown: [...shown, id], deck };
}

/** The photo to show now and the state to keep; null when the library is empty. */
export function selectNext(
  photos: readonly SelectablePhoto[],
  state: SelectionState,
  mode: SelectionMode,
  rng: () => number = Math.random,
  /** random: how readily a photo comes early in a new round (the recency weight). */
  weightOf?: (p: SelectablePhoto) => number,
): { photo: SelectablePhoto | null; state: SelectionState } {
  if (photos.length === 0) return { photo: null, state };
  // A new mode starts a new pass; `last` stays so the first pick is not a repeat.
  const base: SelectionState = state.mode === mode ? state : { ...state, mode, shown: [], deck: [] };
  let photo: SelectablePhoto;
  let shown: string[] = [];
  let deck: string[] = [];
  if (mode === 'newest' || mode === 'oldest') ({ photo, shown } = walkByTime(photos, base, mode === 'newest'));
  else if (mode === 'sequential') photo = nextInSequence(photos, base);
  else ({ photo, shown, deck } = dealRandom(photos, base, rng, weightOf));
  return { photo, state: { mode, last: { id: photo.id, capturedAt: photo.capturedAt }, shown, deck } };
}
