// The frame's one way in (DESIGN.md, "One way in"): the few commands every door hands the frame
// (buttons, the CLI, the page, MQTT, the battery wake cycle) and the one stream of events they
// learn from. No door picks, reads the library or renders: the frame service does, so a rule
// added to the pick holds for every door by construction.
import * as z from 'zod/mini';
import type { ServiceState } from './state.js';
import type { FilterPreview, PhotoPage, PhotoRecord } from '../library/listing.js';
import type { SelectionFilters } from '../library/selection/options.js';
import type { FrameOptions, RenderOptions } from '../render/options.js';
import type { FrameHealth } from './health.js';
import type { InksFile } from '../calibration/inks-file.js';

/** What a door may ask of the frame, as plain words (a payload on MQTT, a path on the page). */
export const FRAME_COMMANDS = ['next', 'previous', 'pause', 'resume', 'sync', 'show', 'hide', 'unhide'] as const;
export type FrameCommandName = (typeof FRAME_COMMANDS)[number];

/** A photo is named by its Immich asset id (or `file:NAME` for a file the library adopted), never by a path. */
const photoId = z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^(file:[^/\\]+|[0-9A-Za-z-]+)$/));

export const frameCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('next') }),
  z.object({ type: z.literal('previous') }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('sync') }),
  z.object({ type: z.literal('show'), photo: photoId }),
  z.object({ type: z.literal('hide'), photo: photoId }),
  z.object({ type: z.literal('unhide'), photo: photoId }),
]);
export type FrameCommand = z.infer<typeof frameCommandSchema>;

/** Who asked: logged with the command, and carried as the refresh's reason. */
export type Door = 'button' | 'cli' | 'web' | 'mqtt' | 'power' | 'test';

export type CommandOutcome =
  | {
      ok: true;
      /** notice: showNotice's outcome; swatch: showSwatch's. */
      command: FrameCommandName | 'notice' | 'swatch';
      /** When it takes effect (ISO): now, or the earliest the panel allows; null when already done. */
      at: string | null;
      /** One line for a person ("next photo in 2 min 10 s: the panel's minimum refresh interval"). */
      message: string;
    }
  | {
      ok: false;
      command: FrameCommandName | 'notice' | 'swatch';
      /** A stable code doors branch on (PHOTO_NOT_FOUND, STOPPED, ...). */
      code: string;
      message: string;
    };

/** One photo on the glass, with the facts a door shows beside the picture. */
export interface ShownPhoto {
  /** The Immich asset id, or `file:NAME` for an adopted file. */
  id: string;
  /** Absolute path of the file in the offline library. */
  path: string;
  capturedAt: string | null;
  localDateTime: string | null;
  people: string[];
  place: string | null;
  description: string | null;
  favorite: boolean;
  rating: number | null;
  /** The albums of the library this photo came from (album mode), when known. */
  albums: string[];
}

/** What the glass shows now: the photos (a pair shows two), why, and when. */
export interface ShownFrame {
  /** Counts refreshes since the process started: a door can tell a new frame from the last one. */
  seq: number;
  at: string;
  /** next, tick, button, start, show, ... : the door or the schedule that caused it. */
  reason: string;
  /** Why the selection picked this photo, in words. */
  why: string | null;
  photos: ShownPhoto[];
}

/** The frame's state as every door sees it: the saved service state plus what lives in memory. */
export interface FrameStatus extends ServiceState {
  paused: boolean;
  /** The earliest a manual refresh can happen (the panel's minimum interval), ISO; null = now. */
  next_possible_refresh: string | null;
  /** The frame on the glass, when it is known in this process. */
  shown: ShownFrame | null;
}

export type SyncPhase = 'listing' | 'planned' | 'download' | 'removed' | 'finished';

export type FrameEvent =
  | { type: 'refreshed'; frame: ShownFrame }
  | { type: 'refresh-failed'; at: string; message: string }
  | { type: 'sync-started'; at: string; forced: boolean }
  | { type: 'sync-progress'; at: string; phase: SyncPhase; done: number; total: number }
  | { type: 'sync-finished'; at: string; ok: boolean; summary: string }
  | { type: 'state'; status: FrameStatus }
  | { type: 'panel-trouble'; at: string; message: string };

export type FrameListener = (event: FrameEvent) => void;

/** The frame as a door sees it. */
export interface FrameControl {
  /** Do one command; resolves once it is accepted or refused (not when a refresh it queued ends). */
  command(command: FrameCommand, door: Door): Promise<CommandOutcome>;
  /** Every event from now on, until the returned function is called. A listener that throws is logged, not fatal. */
  subscribe(listener: FrameListener): () => void;
  snapshot(): FrameStatus;
  /** The library, disk, panel, board and battery in one record (offline; a few file reads). */
  health(): Promise<FrameHealth>;
  /** The PNG of what the glass shows (the frame buffer through the panel's measured inks, turned as
   * the frame hangs): what `show --transport virtual:` writes. Null before the first refresh. */
  framePng(): Promise<{ png: Buffer; frame: ShownFrame } | null>;
  /** The offline library newest first, `limit` photos from `offset` (the page's Library screen). */
  photos(offset: number, limit: number): Promise<PhotoPage>;
  /** One photo's whole record (info, stored size, edited, failures); null when the library has none. */
  photo(id: string): Promise<PhotoRecord | null>;
  /** What proposed filters would let through now, before they are saved (offline). */
  previewFilters(filters: SelectionFilters, limit: number): Promise<FilterPreview>;
  /** The PNG of the glass's photos drawn again with proposed options (captions, crop, pairs), before
   * they are saved; null when nothing is shown yet. Nothing reaches the panel. `inks` draws it with
   * the catalogue's inks or with proposed ones (the calibration screen) instead of this frame's own. */
  previewFrame(
    options: Partial<RenderOptions> & Partial<FrameOptions>,
    inks?: 'catalogue' | InksFile,
  ): Promise<Buffer | null>;
  /** Put a notice on the glass (a pairing code, say) instead of a photo; ticks leave it until a
   * door asks for a photo again. The panel's minimum interval holds as for any refresh. */
  showNotice(text: string, door: Door): Promise<CommandOutcome>;
  /** Put the calibration swatch on the glass, to be photographed; like a notice, it stays until a
   * door asks for a photo, and the panel's minimum interval holds. */
  showSwatch(door: Door): Promise<CommandOutcome>;
}

/** A door's words for a command, validated: the same rule for the page, MQTT and the CLI. */
export function parseFrameCommand(raw: unknown): FrameCommand | string {
  const parsed = frameCommandSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !(FRAME_COMMANDS as readonly string[]).includes(type))
    return `unknown command; expected one of ${FRAME_COMMANDS.join(', ')}`;
  return `${type} needs a photo id (an Immich asset id), not a path`;
}
