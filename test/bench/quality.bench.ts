// `npm run bench -- quality`: how close a rendered frame looks to its photo. For a set of
// generated test photos (deterministic), the mean perceptual error between the photo at panel
// size and the frame as the glass shows it (each ink in its measured colour), both blurred a
// little for viewing distance, in OKLab (x100). Our pipeline against a plain baseline:
// Floyd-Steinberg in sRGB values with RGB distance, no serpentine, to the NOMINAL palette.
import sharp from 'sharp';
import { findPanel } from '../../drivers/panels.js';
import type { PanelProfile } from '../../drivers/panels.js';
import { createPrng } from '../../src/immich-sim/prng.js';
import { SRGB_TO_LINEAR, linearToOklab } from '../../src/render/colour.js';
import { DITHER_ALGORITHMS, ditherToPalette } from '../../src/render/dither.js';
import type { RgbImage } from '../../src/render/dither.js';
import { gamutMap, gamutTable } from '../../src/render/gamut.js';
import type { RenderOptions } from '../../src/render/options.js';
import { inkPalette, paperInks, toneTable } from '../../src/render/palette.js';
import { preparePhoto, resolveOptions } from '../../src/render/pipeline.js';
import { attentionCrop } from '../../src/render/attention.js';
import { SCENE_COLOURS, scene } from '../support/attention-scenes.js';

export const W = 800;
export const H = 480;
/** Viewing distance: the eye blends neighbouring dots; about 1.5 px at arm's length on a 7.3" panel. */
export const VIEW_SIGMA = 1.5;

// ---- test photos ---------------------------------------------------------------------------

const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

function hsv(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h / 60) % 6;
    return v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5) * 255, f(3) * 255, f(1) * 255];
}

/** Seeded smooth noise: random values on a coarse grid, blown up and blurred by sharp. */
async function smoothNoise(seed: number, cell: number, sigma: number): Promise<Float32Array> {
  const r = createPrng(seed).next;
  const gw = Math.ceil(W / cell) + 1;
  const gh = Math.ceil(H / cell) + 1;
  const grid = new Uint8Array(gw * gh).map(() => Math.floor(r() * 256));
  const big = await sharp(grid, { raw: { width: gw, height: gh, channels: 1 } })
    .resize(gw * cell, gh * cell, { kernel: 'cubic' })
    .extract({ left: 0, top: 0, width: W, height: H })
    .blur(sigma)
    .raw()
    .toBuffer();
  return Float32Array.from(big, (v) => v / 255);
}

export async function testPhotos(): Promise<Record<string, RgbImage>> {
  const photos: Record<string, RgbImage> = {};
  const make = (fill: (x: number, y: number) => [number, number, number]) => {
    const data = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const c = fill(x, y);
        data[(y * W + x) * 3] = clamp8(c[0]);
        data[(y * W + x) * 3 + 1] = clamp8(c[1]);
        data[(y * W + x) * 3 + 2] = clamp8(c[2]);
      }
    }
    return { width: W, height: H, data };
  };

  // Every hue left to right, white at the top through full colour to black at the bottom.
  photos.gradients = make((x, y) => {
    const [r, g, b] = hsv((x / W) * 360, 1, 1);
    const t = y / (H - 1);
    return t < 0.5
      ? [255 + (r - 255) * 2 * t, 255 + (g - 255) * 2 * t, 255 + (b - 255) * 2 * t]
      : [r * 2 * (1 - t), g * 2 * (1 - t), b * 2 * (1 - t)];
  });

  // Skin: light to deep skin tones across, soft shading down, gentle mottling.
  const mottle = await smoothNoise(11, 40, 8);
  const skins: [number, number, number][] = [
    [241, 194, 167],
    [224, 172, 140],
    [198, 134, 99],
    [141, 85, 58],
    [94, 58, 40],
  ];
  photos['skin tones'] = make((x, y) => {
    const u = (x / W) * (skins.length - 1);
    const i = Math.min(Math.floor(u), skins.length - 2);
    const f = u - i;
    const shade = 0.8 + 0.3 * Math.sin((y / H) * Math.PI) + 0.12 * (mottle[y * W + x]! - 0.5);
    return [0, 1, 2].map((c) => (skins[i]![c]! * (1 - f) + skins[i + 1]![c]! * f) * shade) as [number, number, number];
  });

  // A colourful scene: sky over a meadow, with soft saturated blooms.
  const r = createPrng(7).next;
  const blooms = Array.from({ length: 26 }, () => ({
    x: r() * W,
    y: H * 0.35 + r() * H * 0.65,
    rad: 20 + r() * 70,
    c: hsv(r() * 360, 0.7 + r() * 0.3, 0.6 + r() * 0.4),
  }));
  const grass = await smoothNoise(23, 12, 2);
  photos['colourful scene'] = make((x, y) => {
    const sky = y < H * 0.4;
    let c: [number, number, number] = sky
      ? [110 + (y / H) * 200, 160 + (y / H) * 150, 235]
      : [60 + 50 * grass[y * W + x]!, 120 + 70 * grass[y * W + x]!, 40 + 30 * grass[y * W + x]!];
    for (const b of blooms) {
      const d = Math.hypot(x - b.x, y - b.y) / b.rad;
      if (d < 1) {
        const a = (1 - d * d) ** 2;
        c = [c[0] * (1 - a) + b.c[0] * a, c[1] * (1 - a) + b.c[1] * a, c[2] * (1 - a) + b.c[2] * a];
      }
    }
    return c;
  });

  // A dark scene: night blues with a few warm lights.
  const dark = await smoothNoise(31, 60, 10);
  const lights = Array.from({ length: 9 }, () => ({ x: r() * W, y: r() * H, rad: 8 + r() * 30 }));
  photos['dark scene'] = make((x, y) => {
    const n = dark[y * W + x]!;
    let c: [number, number, number] = [10 + 20 * n, 14 + 22 * n, 30 + 40 * n];
    for (const l of lights) {
      const a = Math.exp(-((x - l.x) ** 2 + (y - l.y) ** 2) / (2 * l.rad * l.rad));
      c = [c[0] + 245 * a, c[1] + 180 * a, c[2] + 90 * a];
    }
    return c;
  });

  // A "photo" from noise: three octaves per channel, blurred, fairly saturated.
  const oct = await Promise.all(
    [101, 102, 103, 201, 202, 203, 301, 302, 303].map((s, i) =>
      smoothNoise(s, [80, 20, 5][Math.floor(i / 3)]!, [6, 2, 0.6][Math.floor(i / 3)]!),
    ),
  );
  photos['noise photo'] = make((x, y) => {
    const p = y * W + x;
    return [0, 1, 2].map(
      (c) => 255 * (0.55 * oct[c]![p]! + 0.3 * oct[3 + c]![p]! + 0.15 * oct[6 + c]![p]!) * 1.6 - 100,
    ) as [number, number, number];
  });
  return photos;
}

// ---- the baseline ----------------------------------------------------------------------------

/** The plain approach: Floyd-Steinberg on sRGB values, nearest by RGB distance, left to right. */
function baselineFloydSteinberg(img: RgbImage, panel: PanelProfile): Uint8Array {
  const { width: w, height: h, data } = img;
  const inks = panel.colours.map((c) => c.nominal);
  const buf = Float32Array.from(data);
  const out = new Uint8Array(w * h);
  const spread = (x: number, y: number, e: number[], f: number) => {
    if (x < 0 || x >= w || y >= h) return;
    const o = (y * w + x) * 3;
    for (let c = 0; c < 3; c++) buf[o + c] = buf[o + c]! + e[c]! * f;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      const px = [0, 1, 2].map((c) => Math.min(255, Math.max(0, buf[o + c]!)));
      let best = 0;
      let bestD = Infinity;
      inks.forEach((ink, k) => {
        const d = (px[0]! - ink[0]) ** 2 + (px[1]! - ink[1]) ** 2 + (px[2]! - ink[2]) ** 2;
        if (d < bestD) {
          bestD = d;
          best = k;
        }
      });
      out[y * w + x] = panel.colours[best]!.index;
      const e = [0, 1, 2].map((c) => px[c]! - inks[best]![c]!);
      spread(x + 1, y, e, 7 / 16);
      spread(x - 1, y + 1, e, 3 / 16);
      spread(x, y + 1, e, 5 / 16);
      spread(x + 1, y + 1, e, 1 / 16);
    }
  }
  return out;
}

// ---- the metric ------------------------------------------------------------------------------

export type Planes = [Float32Array, Float32Array, Float32Array];

export function toLinearPlanes(rgb: Uint8Array): Planes {
  const n = rgb.length / 3;
  const planes: Planes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) planes[c]![i] = SRGB_TO_LINEAR[rgb[i * 3 + c]!]!;
  return planes;
}

/** Separable Gaussian blur in linear light (the eye averages light, not sRGB numbers). */
export function blur(planes: Planes, sigma: number): Planes {
  const r = Math.ceil(sigma * 3);
  const k = Float32Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  for (let i = 0; i < k.length; i++) k[i] = k[i]! / sum;
  return planes.map((p) => {
    const tmp = new Float32Array(p.length);
    const out = new Float32Array(p.length);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += k[i + r]! * p[y * W + Math.min(W - 1, Math.max(0, x + i))]!;
        tmp[y * W + x] = s;
      }
    }
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += k[i + r]! * tmp[Math.min(H - 1, Math.max(0, y + i)) * W + x]!;
        out[y * W + x] = s;
      }
    }
    return out;
  }) as Planes;
}

export function meanOklabDistance(a: Planes, b: Planes): number {
  const la = [0, 0, 0];
  const lb = [0, 0, 0];
  let total = 0;
  for (let i = 0; i < a[0].length; i++) {
    linearToOklab(a[0][i]!, a[1][i]!, a[2][i]!, la);
    linearToOklab(b[0][i]!, b[1][i]!, b[2][i]!, lb);
    total += Math.hypot(la[0]! - lb[0]!, la[1]! - lb[1]!, la[2]! - lb[2]!);
  }
  return (100 * total) / a[0].length;
}

/** The photo as a perfect panel with these inks' black and white would show it (the eye adapts to the paper). */
export function adaptToPaper(planes: Planes, panel: PanelProfile): Planes {
  const p = inkPalette(panel);
  const { black, white } = paperInks(p);
  return planes.map((plane, c) => {
    const lo = p.linear[black * 3 + c]!;
    const hi = p.linear[white * 3 + c]!;
    return plane.map((v) => lo + v * (hi - lo));
  }) as Planes;
}

export function shownInMeasuredInks(indices: Uint8Array, panel: PanelProfile): Uint8Array {
  const rgb = new Uint8Array(indices.length * 3);
  const byIndex = new Map(panel.colours.map((c) => [c.index, c.measured]));
  for (let i = 0; i < indices.length; i++) rgb.set(byIndex.get(indices[i]!)!, i * 3);
  return rgb;
}

// ---- the run ---------------------------------------------------------------------------------

async function ours(photo: RgbImage, panel: PanelProfile, options: Partial<RenderOptions>): Promise<Uint8Array> {
  const o = resolveOptions(options);
  const raw = Buffer.from(photo.data.buffer, photo.data.byteOffset, photo.data.length);
  const input = await sharp(raw, { raw: { width: W, height: H, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  const prepared = await preparePhoto(input, panel, o);
  const palette = inkPalette(panel, o.palette);
  const table = o.gamut === 'map' ? gamutTable(palette, o.tone) : null;
  return table
    ? ditherToPalette(gamutMap(prepared, table), palette, o.dither, { tone: toneTable(palette, 'none') })
    : ditherToPalette(prepared, palette, o.dither, { tone: toneTable(palette, o.tone) });
}

export async function run(): Promise<void> {
  await attentionAgreement(120);
  const photos = await testPhotos();
  const names = Object.keys(photos);
  const neutral = { saturation: 1, contrast: 1, brightness: 1 };
  for (const panelId of ['waveshare-7in3e', 'waveshare-7in3f']) {
    const panel = findPanel(panelId);
    const refs = Object.fromEntries(
      names.map((n) => {
        const src = toLinearPlanes(photos[n]!.data);
        return [n, { absolute: blur(src, VIEW_SIGMA), adapted: blur(adaptToPaper(src, panel), VIEW_SIGMA) }];
      }),
    );
    const score = (n: string, indices: Uint8Array) => {
      const seen = blur(toLinearPlanes(shownInMeasuredInks(indices, panel)), VIEW_SIGMA);
      return {
        absolute: meanOklabDistance(refs[n]!.absolute, seen),
        adapted: meanOklabDistance(refs[n]!.adapted, seen),
      };
    };
    const rows: [string, (n: string) => Promise<Uint8Array>][] = [
      ['baseline: FS, sRGB distance, nominal palette', async (n) => baselineFloydSteinberg(photos[n]!, panel)],
      ['ours, defaults (gamut map, paper tone, OKLab, FS)', (n) => ours(photos[n]!, panel, {})],
      ['ours, no gamut mapping', (n) => ours(photos[n]!, panel, { gamut: 'none' })],
      ['ours, boost sat 1.2 contrast 1.1', (n) => ours(photos[n]!, panel, { saturation: 1.2, contrast: 1.1 })],
      ['ours, no paper tone map', (n) => ours(photos[n]!, panel, { ...neutral, tone: 'none' })],
      ['ours, nominal palette', (n) => ours(photos[n]!, panel, { ...neutral, palette: 'nominal' })],
      ...DITHER_ALGORITHMS.filter((a) => a !== 'floyd-steinberg').map(
        (a) =>
          [`ours, defaults, ${a}`, (n: string) => ours(photos[n]!, panel, { dither: a })] as [
            string,
            (n: string) => Promise<Uint8Array>,
          ],
      ),
    ];
    console.log(`\n${panel.id}: mean OKLab distance x100 after a ${VIEW_SIGMA}px blur, lower is better`);
    console.log(`  "vs photo": to the photo itself; "vs paper": to the photo on this panel's own black..white`);
    console.log(`  ${''.padEnd(52)} ${names.map((n) => n.padStart(16)).join('')} ${'mean'.padStart(8)}`);
    for (const [label, render] of rows) {
      const scores = [];
      for (const n of names) scores.push(score(n, await render(n)));
      for (const kind of ['absolute', 'adapted'] as const) {
        const vals = scores.map((s) => s[kind]);
        const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
        const tag = kind === 'absolute' ? 'vs photo' : 'vs paper';
        console.log(
          `  ${(label + ` [${tag}]`).padEnd(52)} ${vals.map((v) => v.toFixed(2).padStart(16)).join('')} ${mean.toFixed(2).padStart(8)}`,
        );
      }
    }
    if (panelId !== 'waveshare-7in3e') continue;
    // The boost defaults come from here: mean error vs paper over the photos, FS, paper tone.
    console.log(`\n  boost sweep on ${panel.id} (mean vs paper; rows saturation, columns contrast):`);
    const contrasts = [0.9, 1, 1.1, 1.2];
    console.log(`  ${'saturation'.padEnd(12)}${contrasts.map((c) => `contrast ${c}`.padStart(14)).join('')}`);
    for (const saturation of [0.9, 1, 1.1, 1.2, 1.3]) {
      const cells = [];
      for (const contrast of contrasts) {
        let total = 0;
        for (const n of names)
          total += score(n, await ours(photos[n]!, panel, { saturation, contrast, brightness: 1 })).adapted;
        cells.push(total / names.length);
      }
      console.log(`  ${String(saturation).padEnd(12)}${cells.map((v) => v.toFixed(2).padStart(14)).join('')}`);
    }
  }
}

/**
 * The attention crop (render/attention.ts) against sharp's own attention strategy, on generated
 * scenes with one subject at a random place: how often the cut is the same pixel, within one cell
 * of the 32x32 summary, and how often each keeps the subject in the frame.
 */
export async function attentionAgreement(count: number): Promise<void> {
  const r = createPrng(11).next;
  const kinds = Object.keys(SCENE_COLOURS) as (keyof typeof SCENE_COLOURS)[];
  const target = { width: W, height: H };
  let same = 0;
  let nearby = 0;
  const kept = { sharp: 0, ours: 0 };
  for (let i = 0; i < count; i++) {
    const shape = i % 3 === 0 ? [800, 1200] : i % 3 === 1 ? [1200, 800] : [2000, 800];
    const [w, h] = shape as [number, number];
    const kind = kinds[i % kinds.length]!;
    const subject = {
      cx: r() * w,
      cy: r() * h,
      radius: 40 + r() * 80,
      colour: SCENE_COLOURS[kind],
      checkered: kind === 'white',
    };
    const background = [30 + r() * 200, 30 + r() * 200, 30 + r() * 200];
    const png = await sharp(scene(w, h, subject, background), { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toBuffer();
    const cover = await sharp(png).resize(W, H, { fit: 'outside' }).raw().toBuffer({ resolveWithObject: true });
    const ours = attentionCrop({ width: cover.info.width, height: cover.info.height, data: cover.data }, target);
    const { info } = await sharp(png)
      .resize(W, H, { position: sharp.strategy.attention })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const theirs = { left: -(info.cropOffsetLeft ?? 0) || 0, top: -(info.cropOffsetTop ?? 0) || 0 };
    const cell = Math.max(cover.info.width, cover.info.height) / 32;
    if (ours.left === theirs.left && ours.top === theirs.top) same++;
    if (Math.abs(ours.left - theirs.left) <= cell && Math.abs(ours.top - theirs.top) <= cell) nearby++;
    const scale = cover.info.width / w;
    const holds = (c: { left: number; top: number }) =>
      subject.cx * scale >= c.left &&
      subject.cx * scale < c.left + W &&
      subject.cy * scale >= c.top &&
      subject.cy * scale < c.top + H;
    if (holds(theirs)) kept.sharp++;
    if (holds(ours)) kept.ours++;
  }
  console.log(
    `\nattention crop vs sharp's attention strategy, ${count} generated scenes (portrait, landscape, panorama; skin, red, busy, green subject):`,
  );
  console.log(`  same cut ${same}/${count}, within one summary cell ${nearby}/${count}`);
  console.log(`  subject's centre in the frame: sharp's ${kept.sharp}/${count}, ours ${kept.ours}/${count}`);
}
