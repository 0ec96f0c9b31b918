// `panel: "auto"`: which panel is fitted, found the way Pimoroni's inky.auto does it (the Inky
// board's EEPROM on I2C bus 1), with the board and its GPIO backend for `panels --detect`, and one
// line saying why when nothing is found (a Waveshare HAT has no EEPROM).
import { ConfigError, FrameError } from '../src/core/errors.js';
import { MODEL_PATH, readBoard, type Board } from './board.js';
import { pendingReboot, type BootSeams } from './boot-config.js';
import { probeGpio, type GpioProbe, type GpioSeams } from './gpio.js';
import { i2cOpenError, openI2cDevice, type I2cDevice, type OpenI2c } from './i2c.js';
import {
  EEPROM_ADDRESS,
  EEPROM_ADDRESS_BYTES,
  EEPROM_BUS,
  EEPROM_RECORD_BYTES,
  panelForVariant,
  parseInkyEeprom,
  type InkyEeprom,
} from './inky-eeprom.js';

/** The config's and --panel's word for "the panel the Inky EEPROM names". */
export { AUTO_PANEL } from './panels.js';

export interface DetectSeams {
  /** /proc/device-tree/model, or a fixture. */
  modelPath?: string;
  /** Opens an I2C device (a simulated EEPROM in tests). */
  openI2c?: OpenI2c;
}

export interface Detection {
  modelPath: string;
  board: Board;
  /** The EEPROM's record when one answered and parsed. */
  eeprom: InkyEeprom | undefined;
  /** The panel id picked, when one was. */
  panelId: string | undefined;
  /** Why no panel was picked: one line. */
  problem: string | undefined;
}

const NO_EEPROM_CODES = new Set(['ENXIO', 'EREMOTEIO', 'EIO', 'ETIMEDOUT']);

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

/** Read the board model and the Inky EEPROM; never throws for what a frame owner can meet. */
export function detectPanel(seams: DetectSeams = {}): Detection {
  const modelPath = seams.modelPath ?? MODEL_PATH;
  const board = readBoard(modelPath);
  const result: Detection = { modelPath, board, eeprom: undefined, panelId: undefined, problem: undefined };
  if (!board.gpio) {
    result.problem = `not a Raspberry Pi (${modelPath}: ${board.model ? `"${board.model}"` : 'none'}), so there is no HAT EEPROM to read: set "panel" in the config (artframe-immich panels lists them)`;
    return result;
  }
  let bytes: Uint8Array;
  let device: I2cDevice;
  try {
    device = (seams.openI2c ?? openI2cDevice)(EEPROM_BUS, EEPROM_ADDRESS);
  } catch (err) {
    result.problem = message(err instanceof FrameError ? err : i2cOpenError(EEPROM_BUS, err));
    return result;
  }
  try {
    try {
      try {
        device.write(Uint8Array.from(EEPROM_ADDRESS_BYTES));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code && NO_EEPROM_CODES.has(code)) {
          result.problem = `no EEPROM answered at 0x${EEPROM_ADDRESS.toString(16)} on I2C bus ${EEPROM_BUS} (${code}): a Waveshare HAT has none, so set "panel" in the config to your panel's id (artframe-immich panels lists them)`;
          return result;
        }
        throw err;
      }
      bytes = device.read(EEPROM_RECORD_BYTES);
    } finally {
      device.close();
    }
  } catch (err) {
    result.problem = message(err);
    return result;
  }
  try {
    result.eeprom = parseInkyEeprom(bytes);
    result.panelId = panelForVariant(result.eeprom);
  } catch (err) {
    result.problem = message(err);
  }
  return result;
}

/** The panel id "auto" stands for; a one-line ConfigError (PANEL_NOT_DETECTED) when none is found. */
export function resolveAutoPanel(seams: DetectSeams = {}): string {
  const found = detectPanel(seams);
  if (found.panelId) return found.panelId;
  throw new ConfigError(`panel "auto": ${found.problem}`, { code: 'PANEL_NOT_DETECTED' });
}

/** Everything `panels --detect` looks at, each replaceable in tests. */
export type HardwareSeams = DetectSeams & Omit<GpioSeams, 'modelPath'> & BootSeams;

export interface HardwareReport extends Detection {
  gpio: GpioProbe;
  /** Boot settings asked for in config.txt and not active yet, one sentence each (a reboot is owed). */
  reboot: string[];
}

/** The board, its GPIO backend and whether it opens, the EEPROM and the panel it names. */
export function detectHardware(seams: HardwareSeams = {}): HardwareReport {
  const found = detectPanel(seams);
  return { ...found, gpio: probeGpio(found.board, seams), reboot: pendingReboot(seams) };
}
