// Test frames made without the render stage: seeded random colour indices from a panel's inks,
// packed by our own small packer (nibbles high first, bits MSB first).
import type { PanelProfile } from '../../drivers/panels.js';
import { createPrng } from '../../src/immich-sim/prng.js';

export function randomIndices(panel: PanelProfile, seed: number): Uint8Array {
  const inks = panel.colours.map((c) => c.index);
  const next = createPrng(seed).next;
  const out = new Uint8Array(panel.width * panel.height);
  for (let i = 0; i < out.length; i++) out[i] = inks[Math.floor(next() * inks.length)]!;
  return out;
}

export function packIndices(indices: Uint8Array, panel: PanelProfile): Uint8Array {
  if (panel.pixelFormat === 'nibble4') {
    const out = new Uint8Array(indices.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = (indices[2 * i]! << 4) | indices[2 * i + 1]!;
    return out;
  }
  const out = new Uint8Array(indices.length / 8);
  for (let i = 0; i < indices.length; i++) if (indices[i]) out[i >> 3]! |= 0x80 >> i % 8;
  return out;
}

export function whiteIndex(panel: PanelProfile): number {
  return panel.colours.find((c) => c.name === 'white')!.index;
}
