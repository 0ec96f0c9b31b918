// This frame's own inks, kept beside its library: the small JSON file a calibration saves, the
// same file exported and imported, and the panel profile the render takes with them (its
// `measured` colours replaced). The render path reads it, so zod/mini and no sharp.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod/mini';
import type { PanelProfile, RGB } from '../../drivers/panels.js';
import { ConfigError, StorageError } from '../core/errors.js';
import { writeFileAtomic } from '../library/atomic-file.js';
import type { InstancePaths } from '../library/instance.js';
import { makeFolders } from '../core/folders.js';

const byte = z.int().check(z.minimum(0)).check(z.maximum(255));

export const inksFileSchema = z.object({
  format: z.literal('artframe-immich-inks'),
  version: z.literal(1),
  /** The panel id the inks were measured on. */
  panel: z.string(),
  /** When, as an ISO 8601 instant. */
  measured_at: z.string(),
  /** How: read from a photo of the swatch, imported from a file, or typed in. */
  source: z.enum(['photo', 'import', 'hand']),
  /** Every ink of the panel once: sRGB bytes against white paper, as the catalogue's `measured`. */
  inks: z.array(z.object({ name: z.string(), rgb: z.tuple([byte, byte, byte]) })),
});

export type InksFile = z.infer<typeof inksFileSchema>;

/** An inks file for `panel`, checked: every ink of the panel exactly once, nothing else. */
export function inksFile(
  panel: PanelProfile,
  inks: readonly { name: string; rgb: RGB }[],
  source: InksFile['source'],
  at: Date = new Date(),
): InksFile {
  const file: InksFile = {
    format: 'artframe-immich-inks',
    version: 1,
    panel: panel.id,
    measured_at: at.toISOString(),
    source,
    inks: inks.map((i) => ({ name: i.name, rgb: [i.rgb[0], i.rgb[1], i.rgb[2]] })),
  };
  return parseInksFile(file, panel, 'the measured inks');
}

/** `json` as an inks file for `panel`; a ConfigError naming `label` and what is wrong. */
export function parseInksFile(json: unknown, panel: PanelProfile, label: string): InksFile {
  const parsed = inksFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'the file';
    throw new ConfigError(`${label} is not an inks file of this frame: ${where}: ${issue.message}`);
  }
  const file = parsed.data;
  if (file.panel !== panel.id) {
    throw new ConfigError(`${label} holds the inks of a ${file.panel}, and this frame is a ${panel.id}`);
  }
  const names = file.inks.map((i) => i.name);
  for (const c of panel.colours) {
    const n = names.filter((x) => x === c.name).length;
    if (n !== 1) throw new ConfigError(`${label} has the ${panel.id}'s ${c.name} ink ${n} times; it needs it once`);
  }
  const stray = names.find((n) => !panel.colours.some((c) => c.name === n));
  if (stray) throw new ConfigError(`${label} has an ink "${stray}" the ${panel.id} does not have`);
  return file;
}

/** The panel as this unit shows its inks: the catalogue's entry with `measured` from the file. */
export function calibratedPanel(panel: PanelProfile, file: InksFile): PanelProfile {
  return {
    ...panel,
    colours: panel.colours.map((c) => ({ ...c, measured: file.inks.find((i) => i.name === c.name)!.rgb })),
    measuredSource: `this unit, ${file.source === 'photo' ? 'calibrated from a photo' : file.source === 'import' ? 'imported' : 'set by hand'} on ${file.measured_at}`,
  };
}

/** The frame's saved inks file, or null when it has none. A damaged or foreign file is a ConfigError naming it. */
export async function readInksFile(paths: InstancePaths, panel: PanelProfile): Promise<InksFile | null> {
  const file = paths.calibratedInksPath;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StorageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${file} is not JSON; calibrate again or run artframe-immich calibrate --reset`);
  }
  return parseInksFile(json, panel, file);
}

/** Keep `file` as this frame's inks (replaced whole, never half-written). */
export async function saveInksFile(paths: InstancePaths, file: InksFile): Promise<void> {
  try {
    await makeFolders(path.dirname(paths.calibratedInksPath));
    await writeFileAtomic(paths.calibratedInksPath, JSON.stringify(file, null, 2) + '\n');
  } catch (err) {
    throw new StorageError(
      `cannot save ${paths.calibratedInksPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

/** Back to the catalogue's inks. True when there was a saved file. */
export async function resetInks(paths: InstancePaths): Promise<boolean> {
  try {
    await rm(paths.calibratedInksPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new StorageError(
      `cannot remove ${paths.calibratedInksPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

/**
 * The panel every render of this frame uses: with its saved inks when it has them, else the
 * catalogue's. A damaged or foreign file never stops the frame: `warn` is told, the catalogue's
 * inks are used.
 */
export async function framePanel(
  panel: PanelProfile,
  paths: InstancePaths,
  warn: (message: string) => void,
): Promise<PanelProfile> {
  try {
    const file = await readInksFile(paths, panel);
    return file ? calibratedPanel(panel, file) : panel;
  } catch (err) {
    warn(`${(err as Error).message}; using the catalogue's inks`);
    return panel;
  }
}
