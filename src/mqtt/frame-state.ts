// What Home Assistant's sensors read, from what the frame says about itself: one JSON state object
// (every sensor picks its key with a value template) and the photo's facts as attributes. Pure: the
// door feeds it FrameStatus and FrameHealth and publishes what comes out.
import type { FrameStatus, ShownFrame } from '../frame/control.js';
import type { FrameHealth } from '../frame/health.js';

/** The part of the frame's health (FrameControl.health) the sensors show. */
export type HealthFacts = Pick<
  FrameHealth,
  'cpu_temp_c' | 'disk' | 'library' | 'panel' | 'server_reachable' | 'battery'
>;

/** HA's MQTT sensors take the payload "None" as "unknown" (a template rendering a JSON null). */
type OnOff = 'ON' | 'OFF' | null;

export interface FrameStateMessage {
  paused: boolean;
  last_refresh: string | null;
  next_refresh: string | null;
  last_sync: string | null;
  /** "ok: 3 added, ..." or "failed: why", one line. */
  last_sync_result: string | null;
  photos: number | null;
  photos_failed: number | null;
  disk_free_mb: number | null;
  cpu_temperature: number | null;
  battery_level: number | null;
  battery_charging: OnOff;
  server_reachable: OnOff;
  panel_answering: OnOff;
  /** "2019-07-14 · Lisbon · Alice, Bob": the current photo in one line. */
  photo: string | null;
}

/** What is fitted: the entities that exist only where it is (CPU temperature on a Pi, a battery board). */
export interface FrameFeatures {
  cpuTemperature: boolean;
  battery: boolean;
}

export function featuresOf(health: HealthFacts | null): FrameFeatures {
  return { cpuTemperature: health?.cpu_temp_c != null, battery: health?.battery != null };
}

const onOff = (v: boolean | null | undefined): OnOff => (v == null ? null : v ? 'ON' : 'OFF');

/** HA keeps a state of at most 255 characters. */
const MAX_STATE = 255;

export function photoLine(frame: ShownFrame | null): string | null {
  const p = frame?.photos[0];
  if (!p) return null;
  const day = (p.localDateTime ?? p.capturedAt)?.slice(0, 10);
  const line = [day, p.place, p.people.join(', ')].filter((s) => s).join(' · ') || p.id;
  return line.length > MAX_STATE ? line.slice(0, MAX_STATE - 1) + '…' : line;
}

export function frameState(status: FrameStatus, health: HealthFacts | null): FrameStateMessage {
  const sync = status.last_sync;
  const free = health?.disk.free_bytes;
  return {
    paused: status.paused,
    last_refresh: status.last_refresh?.at ?? null,
    next_refresh: status.paused ? null : status.next_refresh,
    last_sync: sync?.at ?? health?.library.last_sync ?? null,
    last_sync_result: sync ? `${sync.ok ? 'ok' : 'failed'}: ${sync.summary}`.slice(0, MAX_STATE) : null,
    photos: health?.library.photos ?? null,
    photos_failed: health?.library.failed ?? null,
    disk_free_mb: free == null ? null : Math.round(free / 1e6),
    cpu_temperature: health?.cpu_temp_c ?? null,
    battery_level: health?.battery?.level_pct ?? null,
    battery_charging: onOff(health?.battery?.charging),
    server_reachable: onOff(health?.server_reachable),
    panel_answering: health ? onOff(health.panel.answering) : status.panel_error ? 'OFF' : 'ON',
    photo: photoLine(status.shown),
  };
}

/** The photo's facts for HA's attributes: who, when, where, and a link that opens it in Immich. */
export function photoAttributes(frame: ShownFrame | null, immichUrl: string): Record<string, unknown> {
  const p = frame?.photos[0];
  if (!frame || !p) return { photo_id: null };
  // An adopted file (file:NAME) has no page in Immich.
  const link = p.id.startsWith('file:') ? null : `${immichUrl}/photos/${encodeURIComponent(p.id)}`;
  return {
    photo_id: p.id,
    who: p.people,
    when: p.localDateTime ?? p.capturedAt,
    where: p.place,
    description: p.description,
    favorite: p.favorite,
    rating: p.rating,
    immich_url: link,
    shown_at: frame.at,
    reason: frame.reason,
    why: frame.why,
    ...(frame.photos[1] ? { partner_id: frame.photos[1].id } : {}),
  };
}
