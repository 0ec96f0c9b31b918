// A simulated phone camera photographing a frame that shows the calibration swatch: the swatch
// drawn in a unit's true inks on a glass in a dark bezel, a sheet of white paper beside it on a
// wall, seen tilted through a pinhole, under uneven light with a colour cast, with sensor noise,
// saved as a JPEG by real sharp. Also simulated units whose inks differ from the catalogue's.
import sharp from 'sharp';
import type { PanelProfile, RGB } from '../../drivers/panels.js';
import { drawSwatch, swatchLayout } from '../../src/calibration/swatch.js';
import { homographyFrom, invert } from '../../src/calibration/homography.js';
import { createPrng } from '../../src/immich-sim/prng.js';
import { SRGB_TO_LINEAR, linearToSrgb } from '../../src/render/colour.js';
import { viewPixelToNative } from '../../src/render/layout.js';
import type { Rotation } from '../../src/render/options.js';

export interface Shot {
  /** Degrees the camera is turned about the horizontal and the vertical axis. */
  tiltX?: number;
  tiltY?: number;
  /** Light across the photo: +0.2 is 20% more at the right (bottom) edge than at the left (top). */
  gradient?: [number, number];
  /** The light's colour: a gain a channel. */
  cast?: [number, number, number];
  /** Linear light of the paper where the light is even (1 = clipping). */
  exposure?: number;
  /** Sensor noise, sRGB levels (standard deviation). */
  noise?: number;
  quality?: number;
  /** A phone's tone curve on top of sRGB: an S-curve this steep at mid-grey (0 = none, plain sRGB). */
  sCurve?: number;
  /** Put the sheet of paper in the picture (default yes). */
  paper?: boolean;
  /** Cover a corner marker (0..3: top-left, clockwise) or the orientation mark (4) with a grey card. */
  hide?: number;
  /** A bright reflection over this patch. */
  glareOn?: string;
  /** Show these two inks in each other's places. */
  swap?: [string, string];
  rotate?: Rotation;
  seed?: number;
  /** Photo size. */
  width?: number;
  height?: number;
}

/**
 * A hard but honest phone photo: tilted, uneven warm light, sensor noise, JPEG at quality 80, the
 * paper beside the frame.
 */
export const HARD_SHOT: Shot = {
  tiltX: 12,
  tiltY: -20,
  gradient: [0.25, -0.15],
  cast: [1.12, 1, 0.82],
  noise: 2.5,
  quality: 80,
};

/** The camera's encoding, linear light 0..1 to sRGB levels 0..255 (fractional), in 16384 steps. */
const ENCODE = Float32Array.from({ length: 16385 }, (_, i) => 255 * linearToSrgb(i / 16384));

const SCENE = { x: 0, y: 0 };

/** The unit's inks by name: what its glass really shows, sRGB bytes against white paper. */
export type UnitInks = Record<string, RGB>;

/** A unit exactly as the catalogue measured it. */
export function catalogueUnit(panel: PanelProfile): UnitInks {
  return Object.fromEntries(panel.colours.map((c) => [c.name, c.measured]));
}

/**
 * A unit off the catalogue, the way owners report them: a washed-out green, a red gone brown, a
 * darker white, every other ink nudged (seeded).
 */
export function differingUnit(panel: PanelProfile, seed = 7): UnitInks {
  const r = createPrng(seed).next;
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  const out: UnitInks = {};
  for (const c of panel.colours) {
    const [R, G, B] = c.measured;
    let v: [number, number, number] = [R, G, B].map((x) => clamp(x + (r() - 0.5) * 24)) as [number, number, number];
    if (c.name === 'green') v = [clamp(R + 40), clamp(G + 25), clamp(B + 35)];
    if (c.name === 'red') v = [clamp(R - 35), clamp(G - 5), clamp(B - 20)];
    if (c.name === 'white') v = [clamp(R - 18), clamp(G - 16), clamp(B - 10)];
    if (c.name === 'black') v = [clamp(R + 18), clamp(G + 16), clamp(B + 20)];
    out[c.name] = v;
  }
  return out;
}

/** A JPEG of the frame showing its swatch, as `shot` describes the camera and the light. */
export async function photographSwatch(panel: PanelProfile, unit: UnitInks, shot: Shot = {}): Promise<Buffer> {
  const rotate = shot.rotate ?? 0;
  const swatch = drawSwatch(panel, rotate);
  const layout = swatchLayout(panel, rotate);
  const { width: W, height: H } = layout.view;
  const native = { width: panel.width, height: panel.height };
  // Each controller index's true colour, linear light.
  const lut = new Float64Array(16 * 3);
  for (const c of panel.colours) {
    let name = c.name;
    if (shot.swap?.[0] === name) name = shot.swap[1];
    else if (shot.swap?.[1] === name) name = shot.swap[0];
    for (let k = 0; k < 3; k++) lut[c.index * 3 + k] = SRGB_TO_LINEAR[unit[name]![k]!]!;
  }

  // The scene, in swatch pixels: the glass at (0,0)-(W,H), a bezel round it, the paper to the right.
  const bezel = 0.06 * Math.min(W, H);
  const paper = { x0: W + 2.5 * bezel, y0: 0.15 * H, x1: W + 2.5 * bezel + 0.4 * Math.min(W, H), y1: 0.85 * H };
  const scene = { x0: -3 * bezel, y0: -3 * bezel, x1: paper.x1 + 2 * bezel, y1: H + 3 * bezel };
  const half = layout.marker / 2;
  const hidden =
    shot.hide === undefined ? undefined : shot.hide === 4 ? layout.mark : layout.corners[shot.hide as 0 | 1 | 2 | 3];
  const glare = shot.glareOn ? layout.patches.find((p) => p.name === shot.glareOn)!.rect : undefined;

  // The camera: the scene plane turned by the tilts, seen through a pinhole, fitted to the photo.
  const pw = shot.width ?? 1000;
  const ph = shot.height ?? 750;
  const cx = (scene.x0 + scene.x1) / 2;
  const cy = (scene.y0 + scene.y1) / 2;
  const k = 1 / (scene.x1 - scene.x0);
  const ax = ((shot.tiltX ?? 0) * Math.PI) / 180;
  const ay = ((shot.tiltY ?? 0) * Math.PI) / 180;
  const view = (x: number, y: number) => {
    const X = (x - cx) * k;
    const Y = (y - cy) * k;
    // Turn about the vertical axis, then the horizontal one; the camera 1.2 scene-widths away.
    const x1 = X * Math.cos(ay);
    const z1 = -X * Math.sin(ay);
    const y2 = Y * Math.cos(ax) - z1 * Math.sin(ax);
    const z2 = Y * Math.sin(ax) + z1 * Math.cos(ax);
    return { x: x1 / (1.2 + z2), y: y2 / (1.2 + z2) };
  };
  const cornersScene = [
    { x: scene.x0, y: scene.y0 },
    { x: scene.x1, y: scene.y0 },
    { x: scene.x1, y: scene.y1 },
    { x: scene.x0, y: scene.y1 },
  ];
  const seen = cornersScene.map((p) => view(p.x, p.y));
  const minX = Math.min(...seen.map((p) => p.x));
  const maxX = Math.max(...seen.map((p) => p.x));
  const minY = Math.min(...seen.map((p) => p.y));
  const maxY = Math.max(...seen.map((p) => p.y));
  const fit = 0.96 * Math.min(pw / (maxX - minX), ph / (maxY - minY));
  const inPhoto = seen.map((p) => ({
    x: pw / 2 + (p.x - (minX + maxX) / 2) * fit,
    y: ph / 2 + (p.y - (minY + maxY) / 2) * fit,
  }));
  const toScene = invert(homographyFrom(cornersScene, inPhoto)!);

  const rnd = createPrng(shot.seed ?? 1).next;
  // Box-Muller, both normals of each pair used.
  let spare = NaN;
  const gauss = () => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = NaN;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(1 - rnd()));
    const a = 2 * Math.PI * rnd();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
  const exposure = shot.exposure ?? 0.75;
  const cast = shot.cast ?? [1, 1, 1];
  const [gx, gy] = shot.gradient ?? [0, 0];
  const noise = shot.noise ?? 0;
  const steep = shot.sCurve ?? 0;
  const out = new Uint8Array(pw * ph * 3);
  const refl = [0, 0, 0];
  // The glass's true colours as the viewer sees it (view pixels), linear light.
  const glass = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const ink = swatch.indices[viewPixelToNative(x, y, rotate, native)]! * 3;
      for (let c = 0; c < 3; c++) glass[(y * W + x) * 3 + c] = lut[ink + c]!;
    }
  const h = toScene;
  for (let py = 0; py < ph; py++) {
    for (let px = 0; px < pw; px++) {
      const w = h[6]! * (px + 0.5) + h[7]! * (py + 0.5) + h[8]!;
      const s = SCENE;
      s.x = (h[0]! * (px + 0.5) + h[1]! * (py + 0.5) + h[2]!) / w;
      s.y = (h[3]! * (px + 0.5) + h[4]! * (py + 0.5) + h[5]!) / w;
      if (s.x >= 0 && s.x < W && s.y >= 0 && s.y < H) {
        // Bilinear between the glass's pixels: the lens blurs them a little.
        const x0 = Math.min(W - 2, Math.max(0, Math.floor(s.x - 0.5)));
        const y0 = Math.min(H - 2, Math.max(0, Math.floor(s.y - 0.5)));
        const fx = Math.min(1, Math.max(0, s.x - 0.5 - x0));
        const fy = Math.min(1, Math.max(0, s.y - 0.5 - y0));
        const o = (y0 * W + x0) * 3;
        const d = W * 3;
        for (let c = 0; c < 3; c++) {
          refl[c] =
            (glass[o + c]! * (1 - fx) + glass[o + 3 + c]! * fx) * (1 - fy) +
            (glass[o + d + c]! * (1 - fx) + glass[o + d + 3 + c]! * fx) * fy;
        }
      } else if (s.x >= -bezel && s.x < W + bezel && s.y >= -bezel && s.y < H + bezel) {
        refl.fill(0.03);
      } else if ((shot.paper ?? true) && s.x >= paper.x0 && s.x < paper.x1 && s.y >= paper.y0 && s.y < paper.y1) {
        refl.fill(1);
      } else {
        refl[0] = 0.3;
        refl[1] = 0.28;
        refl[2] = 0.25;
      }
      if (hidden && Math.abs(s.x - hidden.x) < 1.4 * half && Math.abs(s.y - hidden.y) < 1.4 * half) refl.fill(0.4);
      const light = exposure * (1 + gx * (px / pw - 0.5) + gy * (py / ph - 0.5));
      let extra = 0;
      if (glare) {
        const dx = (s.x - (glare.x + glare.width / 2)) / (glare.width * 0.4);
        const dy = (s.y - (glare.y + glare.height / 2)) / (glare.height * 0.4);
        extra = 1.2 * Math.exp(-(dx * dx + dy * dy));
      }
      for (let c = 0; c < 3; c++) {
        const v = refl[c]! * light * cast[c]! + extra;
        let e = ENCODE[Math.min(ENCODE.length - 1, Math.round(v * (ENCODE.length - 1)))]!;
        if (steep) e = 127.5 + (127.5 * Math.tanh(steep * (e / 255 - 0.5))) / Math.tanh(steep / 2);
        out[(py * pw + px) * 3 + c] = Math.max(0, Math.min(255, Math.round(e + (noise ? noise * gauss() : 0))));
      }
    }
  }
  return sharp(out, { raw: { width: pw, height: ph, channels: 3 } })
    .jpeg({ quality: shot.quality ?? 80 })
    .toBuffer();
}
