// The virtual panel: takes the frame buffer a real panel would get and writes a PNG of what its
// glass would show, each ink in its measured colour, turned the way the frame hangs.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '../src/core/errors.js';
import type { Panel } from './driver.js';
import type { PanelProfile } from './panels.js';
import { packFrame, unpackFrame } from './frame-format.js';
import { indexedPng, rotateIndices } from './indexed-png.js';

export interface VirtualPanelOptions {
  /** How far the panel is turned clockwise as it hangs (0, 90, 180, 270). */
  rotate?: number;
  /** Show the inks' nominal colours instead of the measured ones. */
  palette?: 'measured' | 'nominal';
}

/**
 * RGB (3 bytes a pixel, native orientation) of a packed frame buffer in the inks' colours. An
 * index the panel has no ink for shows as magenta, so a wrong index cannot pass unseen.
 */
export function frameToRgb(
  buffer: Uint8Array,
  panel: PanelProfile,
  palette: 'measured' | 'nominal' = 'measured',
): Uint8Array {
  const indices = unpackFrame(buffer, panel);
  const lut = new Uint8Array(16 * 3);
  for (let i = 0; i < 16; i++) lut.set([255, 0, 255], i * 3);
  for (const c of panel.colours) lut.set(palette === 'measured' ? c.measured : c.nominal, c.index * 3);
  const rgb = new Uint8Array(indices.length * 3);
  for (let i = 0; i < indices.length; i++) {
    const o = (indices[i]! & 0x0f) * 3;
    rgb[i * 3] = lut[o]!;
    rgb[i * 3 + 1] = lut[o + 1]!;
    rgb[i * 3 + 2] = lut[o + 2]!;
  }
  return rgb;
}

/** The PNG of a frame buffer, as the glass would show it: indexed (a frame has at most 16 inks), so
 * it holds the frame exactly at a fraction of the size, written without quantising (indexed-png.ts). */
export function framePng(buffer: Uint8Array, panel: PanelProfile, options: VirtualPanelOptions = {}): Promise<Buffer> {
  const palette = new Uint8Array(16 * 3);
  for (let i = 0; i < 16; i++) palette.set([255, 0, 255], i * 3);
  for (const c of panel.colours) palette.set(options.palette === 'nominal' ? c.nominal : c.measured, c.index * 3);
  const turned = rotateIndices(unpackFrame(buffer, panel), panel.width, panel.height, options.rotate ?? 0);
  return Promise.resolve(indexedPng(turned.indices, turned.width, turned.height, palette));
}

/**
 * Write the PNG of a frame buffer; the file appears whole or not at all. A frame has at most
 * 16 colours, so an indexed PNG holds it exactly and at a fraction of the size.
 */
export async function writeVirtualPanel(
  buffer: Uint8Array,
  panel: PanelProfile,
  file: string,
  options: VirtualPanelOptions = {},
): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, await framePng(buffer, panel, options));
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    throw new StorageError(`cannot write the frame picture ${file}: ${code ?? (err as Error).message}`, { cause: err });
  }
}

/** The virtual panel as a Panel: every frame it is shown becomes FILE.png, in the inks' measured colours. */
export class VirtualPanel implements Panel {
  constructor(
    private readonly profile: PanelProfile,
    private readonly file: string,
    private readonly rotate: number,
  ) {}

  show(frame: Uint8Array): Promise<void> {
    return writeVirtualPanel(frame, this.profile, this.file, { rotate: this.rotate });
  }

  clear(): Promise<void> {
    const white = this.profile.colours.find((c) => c.name === 'white')!.index;
    return this.show(packFrame(new Uint8Array(this.profile.width * this.profile.height).fill(white), this.profile));
  }

  async close(): Promise<void> {}
}
