// Whether a reboot is owed: the Pi's boot config (config.txt) asks for SPI or I2C but the running
// kernel has no device for it yet. Decided from the system's state, so it is said by whoever looks
// (install.sh, `status`, `panels --detect`), not only by the run that changed config.txt.
import { fs } from '../src/core/node-fs.js';
import path from 'node:path';
const { readFileSync, existsSync } = fs;

/** Where the firmware reads config.txt: bookworm's place first, then the older one. */
export const BOOT_CONFIG_PATHS = ['/boot/firmware/config.txt', '/boot/config.txt'] as const;
export const DEV_DIR = '/dev';

export interface BootSeams {
  /** config.txt candidates, first existing one wins (a fake one in tests). */
  bootConfigPaths?: readonly string[];
  /** Where the kernel's devices are (a folder of empty files in tests). */
  devDir?: string;
}

export interface BootRequests {
  spi: boolean;
  i2c: boolean;
}

const OFF = new Set(['off', 'false', 'no', '0']);

/**
 * What config.txt asks for: `dtparam=spi=on` (or a bare `spi`), `dtparam=i2c_arm=on` (or its
 * alias `i2c`), several per line separated by commas; the last setting of each wins, as the
 * firmware reads it. Section filters ([pi4], [all]) are not told apart.
 */
export function bootRequests(text: string): BootRequests {
  const out: BootRequests = { spi: false, i2c: false };
  for (const raw of text.split('\n')) {
    const m = /^\s*(?:dtparam|device_tree_param)=(.*)$/.exec(raw.replace(/#.*$/, '').trimEnd());
    if (!m) continue;
    for (const param of m[1]!.split(',')) {
      const [name, value = 'on'] = param.trim().split('=') as [string, string?];
      const on = !OFF.has(value.trim().toLowerCase());
      if (name === 'spi') out.spi = on;
      else if (name === 'i2c_arm' || name === 'i2c') out.i2c = on;
    }
  }
  return out;
}

/** What is asked for and not yet active, one sentence each ("SPI is enabled in ... : reboot"). */
export function pendingReboot(seams: BootSeams = {}): string[] {
  const file = (seams.bootConfigPaths ?? BOOT_CONFIG_PATHS).find((f) => existsSync(f));
  if (!file) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const wants = bootRequests(text);
  const dev = seams.devDir ?? DEV_DIR;
  const out: string[] = [];
  const spidev = path.join(dev, 'spidev0.0');
  if (wants.spi && !existsSync(spidev)) out.push(`SPI is enabled in ${file} but not active (no ${spidev}): reboot`);
  const i2cdev = path.join(dev, 'i2c-1');
  if (wants.i2c && !existsSync(i2cdev)) out.push(`I2C is enabled in ${file} but not active (no ${i2cdev}): reboot`);
  return out;
}
