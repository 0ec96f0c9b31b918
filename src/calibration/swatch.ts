// The calibration swatch: the frame the glass shows to be photographed. One large patch of each
// ink on the white ink, four ring markers at the corners and a fifth on the top edge (a third of
// the way along, so a program finds up, and a mirrored photo, from where it sits), and the
// panel's id for the person. Laid out as the frame hangs; drawn into the panel's own buffer.
import { packFrame } from '../../drivers/frame-format.js';
import type { PanelProfile } from '../../drivers/panels.js';
import type { Rect, Size } from '../render/framing.js';
import { viewPixelToNative, viewSize } from '../render/layout.js';
import type { Rotation } from '../render/options.js';
import { rasterText, textWidth } from '../render/text.js';
import { CELL_ROWS } from '../render/font.js';

export interface Point {
  x: number;
  y: number;
}

export interface SwatchPatch {
  /** The ink's name in the panel catalogue, and its controller index. */
  name: string;
  index: number;
  /** Where the patch is, in view pixels (the frame as it hangs). */
  rect: Rect;
}

export interface SwatchLayout {
  view: Size;
  /** Outer side of a ring marker (a multiple of 4); its white hole is half as wide. */
  marker: number;
  /** Centres of the corner markers: top-left, top-right, bottom-right, bottom-left. */
  corners: [Point, Point, Point, Point];
  /** Centre of the orientation mark, a third of the way from the top-left marker to the top-right. */
  mark: Point;
  patches: SwatchPatch[];
  /** The white ink between the patches and around them: where a photo's light is measured. */
  whitePoints: Point[];
  /** The panel's id, set in the bottom band. */
  label: { text: string; rect: Rect; scale: number };
}

/** Where the orientation mark sits along the top edge (top-left marker 0, top-right 1). */
export const MARK_AT = 1 / 3;

/** The swatch's geometry for a panel hung `rotate` degrees. Pure: the same panel always gets the same swatch. */
export function swatchLayout(panel: PanelProfile, rotate: Rotation = 0): SwatchLayout {
  const view = viewSize(panel, rotate);
  const { width: W, height: H } = view;
  const s = Math.min(W, H);
  const edge = Math.round(s * 0.04);
  const marker = 4 * Math.round(s * 0.025);
  const gap = Math.round(s * 0.05);
  const half = marker / 2;
  const corners: SwatchLayout['corners'] = [
    { x: edge + half, y: edge + half },
    { x: W - edge - half, y: edge + half },
    { x: W - edge - half, y: H - edge - half },
    { x: edge + half, y: H - edge - half },
  ];
  const mark = { x: Math.round(corners[0].x + MARK_AT * (corners[1].x - corners[0].x)), y: corners[0].y };

  // The patches fill the band between the marker rows, in the grid that makes them largest, each
  // at most 0.4 of the short side so white ink is never far from any point of the glass.
  const area = { x: edge, y: edge + marker + gap, width: W - 2 * edge, height: H - 2 * (edge + marker + gap) };
  const n = panel.colours.length;
  let best = { cols: n, rows: 1, side: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const side = Math.min((area.width - (cols - 1) * gap) / cols, (area.height - (rows - 1) * gap) / rows);
    if (side > best.side) best = { cols, rows, side };
  }
  const cellW = Math.floor((area.width - (best.cols - 1) * gap) / best.cols);
  const cellH = Math.floor((area.height - (best.rows - 1) * gap) / best.rows);
  const pw = Math.min(cellW, Math.round(s * 0.4));
  const ph = Math.min(cellH, Math.round(s * 0.4));
  const patches = panel.colours.map((c, k): SwatchPatch => {
    const col = k % best.cols;
    const row = Math.floor(k / best.cols);
    const cx = area.x + col * (cellW + gap) + Math.floor((cellW - pw) / 2);
    const cy = area.y + row * (cellH + gap) + Math.floor((cellH - ph) / 2);
    return { name: c.name, index: c.index, rect: { x: cx, y: cy, width: pw, height: ph } };
  });

  const text = `${panel.id} calibration`;
  let scale = Math.max(1, Math.floor((marker * 0.5) / CELL_ROWS));
  const room = corners[1].x - corners[0].x - marker - 2 * gap;
  while (scale > 1 && textWidth(text) * scale > room) scale--;
  const tw = textWidth(text) * scale;
  const th = CELL_ROWS * scale;
  const label = {
    text,
    scale,
    rect: { x: Math.round((W - tw) / 2), y: Math.round(corners[3].y - th / 2), width: tw, height: th },
  };

  // White ink on a grid, kept clear of everything drawn (ink bleeds a little in a photo).
  const clear = Math.max(3, Math.round(gap * 0.3));
  const drawn: Rect[] = [
    ...patches.map((p) => p.rect),
    ...[...corners, mark].map((c) => ({ x: c.x - half, y: c.y - half, width: marker, height: marker })),
    label.rect,
  ];
  const step = Math.max(4, Math.round(gap / 2));
  const whitePoints: Point[] = [];
  for (let y = edge; y <= H - edge; y += step) {
    for (let x = edge; x <= W - edge; x += step) {
      if (
        drawn.every(
          (r) => x < r.x - clear || x > r.x + r.width + clear || y < r.y - clear || y > r.y + r.height + clear,
        )
      )
        whitePoints.push({ x, y });
    }
  }
  return { view, marker, corners, mark, patches, whitePoints, label };
}

export interface Swatch {
  layout: SwatchLayout;
  /** The controller index of every pixel, native orientation. */
  indices: Uint8Array;
  /** `indices` in the panel's pixel format: what the driver sends to the glass. */
  buffer: Uint8Array;
}

/** The swatch as the panel's frame buffer. */
export function drawSwatch(panel: PanelProfile, rotate: Rotation = 0): Swatch {
  const layout = swatchLayout(panel, rotate);
  const native = { width: panel.width, height: panel.height };
  const ink = (name: string) => panel.colours.find((c) => c.name === name)!.index;
  const white = ink('white');
  const black = ink('black');
  const indices = new Uint8Array(panel.width * panel.height).fill(white);
  const fill = (r: Rect, value: number) => {
    for (let y = r.y; y < r.y + r.height; y++)
      for (let x = r.x; x < r.x + r.width; x++) indices[viewPixelToNative(x, y, rotate, native)] = value;
  };
  const half = layout.marker / 2;
  for (const c of [...layout.corners, layout.mark]) {
    fill({ x: c.x - half, y: c.y - half, width: layout.marker, height: layout.marker }, black);
    fill({ x: c.x - half / 2, y: c.y - half / 2, width: half, height: half }, white);
  }
  for (const p of layout.patches) fill(p.rect, p.index);
  const { rect, scale, text } = layout.label;
  const mask = rasterText([text], scale);
  for (let y = 0; y < mask.height; y++)
    for (let x = 0; x < mask.width; x++)
      if (mask.data[y * mask.width + x]) indices[viewPixelToNative(rect.x + x, rect.y + y, rotate, native)] = black;
  return { layout, indices, buffer: packFrame(indices, panel) };
}
