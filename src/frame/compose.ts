// What one refresh puts on the glass: the chosen photo, and a partner when its shape calls for one
// (a portrait photo on a landscape frame), as the render stage's plain inputs. The one place where
// the library's facts about a photo meet the render stage's FramePhoto.
import type { PanelProfile } from '../../drivers/panels.js';
import { RenderError } from '../core/errors.js';
import { photoFacts, type PhotoFacts } from '../library/selection/facts.js';
import { pickPartner } from '../library/selection/pairs.js';
import type { SelectablePhoto } from '../library/selection/select.js';
import type { Selection } from '../library/selection/state.js';
import type { ComposedFrame, FrameRequest } from '../render/frame.js';
import { renderFrameStoppable, type StopOptions } from '../render/isolated.js';
import type { FramePhoto } from '../render/frame-input.js';
import { viewSize } from '../render/layout.js';
import type { Rotation } from '../render/options.js';

/** The render stage's view of a photo the library knows. */
export function framePhoto(facts: PhotoFacts): FramePhoto {
  return {
    source: facts.path,
    name: facts.id ?? facts.path,
    // The space of the face boxes: the file as displayed (the library measured it).
    width: facts.width ?? undefined,
    height: facts.height ?? undefined,
    faces: facts.faces.map(({ x1, y1, x2, y2 }) => ({ x1, y1, x2, y2 })),
    takenAt: facts.capturedAt ?? undefined,
    timeZone: facts.timeZone ?? undefined,
    city: facts.place.city ?? undefined,
    state: facts.place.state ?? undefined,
    country: facts.place.country ?? undefined,
    people: facts.people,
    description: facts.description ?? undefined,
  };
}

export interface ComposeOptions {
  panel: Pick<PanelProfile, 'width' | 'height'>;
  /** How the panel hangs: decides whether it is a landscape or a portrait frame. */
  rotate: Rotation;
  /** portrait_pairs: pair a photo whose shape is across the frame's with another of its shape. */
  pairs: boolean;
  /** The zone "the same day" is counted in when choosing a partner. */
  timeZone?: string;
  /** A line set on the photo in place of its caption ("battery low: charge me"); the photo shows alone. */
  notice?: string;
}

/** The photos of one frame: the selection's photo, then its partner when there is one. */
export function framePhotos(selection: Selection, o: ComposeOptions): SelectablePhoto[] {
  if (!o.pairs || o.notice) return [selection.photo];
  const view = viewSize(o.panel, o.rotate);
  const orientation = view.width >= view.height ? 'landscape' : 'portrait';
  const partner = pickPartner(selection.photo, selection.candidates, orientation, {
    timeZone: o.timeZone,
    notShown: selection.notShown,
  });
  return partner ? [selection.photo, partner] : [selection.photo];
}

export interface RenderedSelection {
  frame: ComposedFrame;
  /** The files on the glass, the chosen photo's first (a pair whose photo failed shows one). */
  paths: string[];
  /** The partner when the frame shows it: the caller marks it shown once it is on the glass. */
  partner: SelectablePhoto | null;
}

/** The selection's frame, rendered: the service's refresh and the demo both draw it this way.
 * With `stop`, it is drawn in a child process killed at its deadline or signal (isolated.ts). */
export function renderSelection(
  selection: Selection,
  o: ComposeOptions & { panel: PanelProfile; options: FrameRequest['options']; stop?: StopOptions },
): Promise<RenderedSelection> {
  return renderPhotos(framePhotos(selection, o), o);
}

/** A frame of these photos as they are (the first, then a partner): a frame drawn again. */
export async function renderPhotos(
  chosen: SelectablePhoto[],
  o: { panel: PanelProfile; options: FrameRequest['options']; stop?: StopOptions; notice?: string },
): Promise<RenderedSelection> {
  let photos = chosen.map((p) => framePhoto(photoFacts(p)));
  let options = o.options;
  if (o.notice) {
    // The notice rides on the caption machinery: set where it hides the least of the photo.
    photos = photos.slice(0, 1).map((p) => ({ ...p, description: o.notice }));
    options = { ...options, caption: ['description'] };
  }
  const request = { photos, panel: o.panel, options };
  // In this process only without a stop (the demo, `show`): the service renders in its child
  // (render/isolated.ts), and its own process never loads sharp for it.
  const frame = o.stop
    ? await renderFrameStoppable(request, o.stop)
    : await (await import('../render/frame.js')).renderFrame(request);
  return {
    frame,
    paths: frame.shown.map((i) => chosen[i]!.path),
    partner: frame.shown.includes(1) ? chosen[1]! : null,
  };
}

/** Photos tried per refresh when some cannot be rendered (a damaged file must not blank the frame). */
export const RENDER_ATTEMPTS = 3;

export interface PickedFrame {
  selection: Selection;
  rendered: RenderedSelection;
}

/**
 * One refresh's frame: `pick` a selection and render it; a photo that cannot be rendered
 * (RenderError) is reported to `onSkip` and the next pick is tried, `attempts` times in all.
 * Null when every attempt failed. Other errors (an empty library, storage) are the caller's.
 */
export async function pickAndRender(
  pick: () => Promise<Selection>,
  o: ComposeOptions & { panel: PanelProfile; options: FrameRequest['options']; stop?: StopOptions },
  onSkip: (err: RenderError) => void,
  attempts = RENDER_ATTEMPTS,
): Promise<PickedFrame | null> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const selection = await pick();
    try {
      return { selection, rendered: await renderSelection(selection, o) };
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      onSkip(err);
    }
  }
  return null;
}
