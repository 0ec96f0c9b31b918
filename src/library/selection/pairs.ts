// Portrait pairs: given the chosen photo, the filtered candidates and how the panel hangs, the
// partner to show beside it (two portraits side by side on a landscape panel, two landscapes
// stacked on a portrait one). Pure: the service renders the pair.
import { localDateOf } from './filters.js';
import { shapeOf, type PhotoShape } from './facts.js';
import type { SelectablePhoto } from './select.js';

export type PanelOrientation = 'landscape' | 'portrait';

/** Two photos from the same outing: captured within this long of each other. */
const EVENT_MS = 6 * 3_600_000;

function shape(p: SelectablePhoto): PhotoShape | null {
  return shapeOf(p.info?.width, p.info?.height);
}

/** Whether the chosen photo wants a partner on this panel: the photo is the panel's cross shape. */
export function wantsPartner(chosen: SelectablePhoto, panel: PanelOrientation): boolean {
  return shape(chosen) === (panel === 'landscape' ? 'portrait' : 'landscape');
}

/**
 * The partner for `chosen`, or null when it needs none or none fits. A partner has the chosen
 * photo's shape, is never the same photo (by id or by file), and is preferred by: taken the same
 * local day or within 6 hours (the same event), then not yet shown in this round (`notShown`),
 * then nearest in capture time; ties go to the smaller id, so the choice is stable.
 */
export function pickPartner(
  chosen: SelectablePhoto,
  candidates: readonly SelectablePhoto[],
  panel: PanelOrientation,
  options: { timeZone?: string; notShown?: ReadonlySet<string> } = {},
): SelectablePhoto | null {
  if (!wantsPartner(chosen, panel)) return null;
  const want = shape(chosen);
  const tz = options.timeZone ?? 'UTC';
  const day = localDateOf(chosen, tz);
  const dayKey = day ? `${day.year}-${day.month}-${day.day}` : null;
  const t0 = chosen.capturedAt ? Date.parse(chosen.capturedAt) : Number.NaN;
  let best: { p: SelectablePhoto; key: [number, number, number, string] } | null = null;
  for (const p of candidates) {
    if (p.id === chosen.id || p.path === chosen.path || shape(p) !== want) continue;
    const t = p.capturedAt ? Date.parse(p.capturedAt) : Number.NaN;
    const gap = Number.isNaN(t) || Number.isNaN(t0) ? Number.POSITIVE_INFINITY : Math.abs(t - t0);
    const d = localDateOf(p, tz);
    const sameEvent = (dayKey !== null && d !== null && `${d.year}-${d.month}-${d.day}` === dayKey) || gap <= EVENT_MS;
    const fresh = options.notShown ? (options.notShown.has(p.id) ? 0 : 1) : 0;
    const key: [number, number, number, string] = [sameEvent ? 0 : 1, fresh, gap, p.id];
    if (!best || compareKeys(key, best.key) < 0) best = { p, key };
  }
  return best?.p ?? null;
}

function compareKeys(a: [number, number, number, string], b: [number, number, number, string]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number) ? -1 : 1;
  return a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0;
}
