// Inks as people read and type them: sRGB hex, CIELAB, and how far each is (ΔE2000) from the
// catalogue's ink of the same name. One report for the command line and the page.
import type { PanelProfile, RGB } from '../../drivers/panels.js';
import { SRGB_TO_LINEAR } from '../render/colour.js';
import { deltaE2000, linearToLab, type Lab } from './cielab.js';

export interface InkRow {
  name: string;
  index: number;
  rgb: RGB;
  hex: string;
  lab: Lab;
  catalogue: { rgb: RGB; hex: string; lab: Lab };
  /** CIEDE2000 between this ink and the catalogue's, two decimals. */
  delta_e2000: number;
}

export const hexOf = (rgb: readonly number[]): string => '#' + rgb.map((v) => v.toString(16).padStart(2, '0')).join('');

/** `#rrggbb` (or `rrggbb`) as sRGB bytes; null for anything else. */
export function rgbOfHex(text: string): RGB | null {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text.trim());
  return m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : null;
}

export const labOf = (rgb: readonly number[]): Lab =>
  linearToLab(SRGB_TO_LINEAR[rgb[0]!]!, SRGB_TO_LINEAR[rgb[1]!]!, SRGB_TO_LINEAR[rgb[2]!]!);

const round2 = (v: number) => Math.round(v * 100) / 100;

/** Each of `inks` beside the catalogue's ink of its name, in the order given. */
export function inkReport(panel: PanelProfile, inks: readonly { name: string; rgb: RGB; lab?: Lab }[]): InkRow[] {
  return inks.map((ink) => {
    const c = panel.colours.find((x) => x.name === ink.name);
    if (!c) throw new Error(`the ${panel.id} has no ${ink.name} ink`);
    const lab = ink.lab ?? labOf(ink.rgb);
    const catalogueLab = labOf(c.measured);
    return {
      name: c.name,
      index: c.index,
      rgb: ink.rgb,
      hex: hexOf(ink.rgb),
      lab,
      catalogue: { rgb: c.measured, hex: hexOf(c.measured), lab: catalogueLab.map(round2) as Lab },
      delta_e2000: round2(deltaE2000(lab, catalogueLab)),
    };
  });
}
