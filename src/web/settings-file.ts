// The config file as the page reads and writes it: secrets never leave (the API key is write-only),
// changes are merged over the file as written, checked by the config's own parseConfig (the same
// one-line messages as `config check`), and saved whole or not at all with the previous file kept.
import { FILE_ONLY_KEYS } from './settings-form.js';
import { copyFile, readFile } from 'node:fs/promises';
import { parseConfig, type FrameConfig } from '../config/config.js';
import { ConfigError } from '../core/errors.js';
import type { Redactor } from '../core/log.js';
import { writeFileAtomic } from '../library/atomic-file.js';

/** Keys the running frame cannot swap without the process starting again (the panel, its wiring, the page). */
export const RESTART_KEYS = ['panel', 'transport', 'panel_pins', 'button_pins', 'web'] as const;

/** The settings as the page may see them: every key but the API key, which only says whether it is set. */
export function maskedSettings(config: FrameConfig): Record<string, unknown> {
  const { immich_api_key, mqtt, ...rest } = config;
  // Secrets never leave the frame: the API key, and the MQTT broker's password.
  const broker = mqtt ? (({ password, ...m }) => ({ ...m, password_set: Boolean(password) }))(mqtt) : undefined;
  return { ...rest, ...(broker ? { mqtt: broker } : {}), immich_api_key_set: immich_api_key.length > 0 };
}

async function readRaw(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the config file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  try {
    const raw = JSON.parse(text) as unknown;
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return raw as Record<string, unknown>;
  } catch {
    // said below
  }
  throw new ConfigError(
    `the config file ${file} is not a JSON object; fix it by hand (config check) before saving here`,
  );
}

/** The file's settings with `changes` over them; an empty or absent API key keeps the saved one. */
async function merged(file: string, changes: Record<string, unknown>): Promise<Record<string, unknown>> {
  const raw = await readRaw(file);
  // Blocks the page does not edit (FILE_ONLY_KEYS: MQTT, with its password) stay as saved.
  const edited = Object.fromEntries(Object.entries(changes).filter(([k]) => !FILE_ONLY_KEYS.includes(k)));
  const out = { ...raw, ...edited };
  if (typeof changes.immich_api_key !== 'string' || changes.immich_api_key.trim() === '')
    out.immich_api_key = raw.immich_api_key;
  return out;
}

/** Check `changes` without saving: the parsed settings, or a ConfigError of one line per problem. */
export async function checkSettings(
  file: string,
  changes: Record<string, unknown>,
  redactor: Redactor,
): Promise<FrameConfig> {
  return parseConfig(await merged(file, changes), 'config', redactor);
}

/** Check and save: the previous file becomes config.json.prev, the new one appears whole (mode 600). */
export async function saveSettings(
  file: string,
  changes: Record<string, unknown>,
  redactor: Redactor,
): Promise<{ config: FrameConfig; restartNeeded: string[]; before: FrameConfig | null }> {
  const raw = await merged(file, changes);
  const config = parseConfig(raw, 'config', redactor);
  let before: FrameConfig | null = null;
  try {
    before = parseConfig(await readRaw(file), 'config', redactor);
  } catch {
    // a file that no longer parses: everything counts as changed
  }
  await copyFile(file, `${file}.prev`);
  await writeFileAtomic(file, JSON.stringify(raw, null, 2) + '\n', { mode: 0o600 });
  const restartNeeded = RESTART_KEYS.filter((k) => !before || JSON.stringify(before[k]) !== JSON.stringify(config[k]));
  return { config, restartNeeded, before };
}
