// Finding and reading the config file: where it is (--config, ARTFRAME_IMMICH_CONFIG, the default
// path), reading it safely (no FIFO, device or huge file), masking the API key before anything can
// fail, and its JSON syntax. Free of zod: the usual config is read by config-check.ts, and only
// a config it is not sure of loads the schema (config.ts), so `status` and `next` start without it.
import { fs, nodeOs } from '../core/node-fs.js';
import { FdFile } from '../core/fs-async.js';
import path from 'node:path';
import { expandHome } from '../library/instance.js';
import { ConfigError } from '../core/errors.js';
import { jsonSyntaxProblem } from './json-syntax.js';
import { configOwner, unreadableConfigMessage } from './access.js';
import type { Redactor } from '../core/log.js';
import { quickConfig } from './config-check.js';
import type { FrameConfig } from './config.js';
const { constants } = fs;

export interface ConfigLocation {
  /** --config FILE */
  flag?: string;
  env?: NodeJS.ProcessEnv;
  /** Learns the API key, so the run's logs and errors mask it. */
  redactor?: Redactor;
}

export function configPath(loc: ConfigLocation = {}): string {
  const env = loc.env ?? process.env;
  if (loc.flag) return path.resolve(expandHome(loc.flag));
  if (env.ARTFRAME_IMMICH_CONFIG) return path.resolve(expandHome(env.ARTFRAME_IMMICH_CONFIG));
  return path.join(nodeOs().homedir(), '.config', 'artframe-immich', 'config.json');
}

/** A config file is a few hundred bytes; more than this is the wrong file (or /dev/zero). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Read at most MAX_CONFIG_BYTES + 1 bytes: a device or a huge file is refused, not slurped. */
async function readConfigText(file: string): Promise<string> {
  // Opened without blocking and checked to be a plain file: a FIFO would wait for a writer
  // forever, a device never end.
  const fh = await FdFile.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      const kind = st.isFIFO()
        ? 'a FIFO'
        : st.isDirectory()
          ? 'a folder'
          : st.isCharacterDevice() || st.isBlockDevice()
            ? 'a device'
            : st.isSocket()
              ? 'a socket'
              : 'not a plain file';
      throw new ConfigError(`config file ${file} is ${kind}, not a file; point --config at the JSON file`);
    }
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let filled = 0;
    while (filled < buf.length) {
      const bytesRead = await fh.read(buf, filled, buf.length - filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > MAX_CONFIG_BYTES) {
      throw new ConfigError(`config file ${file} is larger than ${MAX_CONFIG_BYTES / 1024} KB; is it the right file?`);
    }
    return buf.subarray(0, filled).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Read, override from the environment (IMMICH_URL, IMMICH_API_KEY) and validate. */
export async function loadConfig(loc: ConfigLocation = {}): Promise<FrameConfig & { path: string }> {
  const env = loc.env ?? process.env;
  const file = configPath(loc);
  let text: string;
  try {
    text = await readConfigText(file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError(
        `config file not found: ${file} (create it, pass --config FILE, or set ARTFRAME_IMMICH_CONFIG)`,
        { code: 'CONFIG_NOT_FOUND' },
      );
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new ConfigError(unreadableConfigMessage(file, code, configOwner(file)), { code: 'CONFIG_UNREADABLE' });
    }
    throw new ConfigError(`cannot read config file ${file}: ${code ?? String(err)}`);
  }
  // Learn the key before anything can fail: whatever is printed from here on masks it.
  // Quoted as JSON wants, or (a careless edit) in single quotes or bare.
  const found = /"immich_api_key"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'([^'\n]*)'|([^\s,}"']+))/.exec(text);
  const key = found?.[1] ?? found?.[2] ?? found?.[3];
  loc.redactor?.add(key?.trim() || undefined);
  loc.redactor?.add(env.IMMICH_API_KEY?.trim() || undefined);
  // Our own scan first: it names the line and column and quotes none of the file (V8's message
  // would quote the key), and refuses nesting that would overflow a recursive parser.
  const problem = jsonSyntaxProblem(text);
  if (problem) {
    throw new ConfigError(
      `config file ${file} is not valid JSON: ${problem.reason} at line ${problem.line}, column ${problem.column}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(`config file ${file} is not valid JSON`);
  }
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const obj = { ...(raw as Record<string, unknown>) };
    if (env.IMMICH_URL) obj.immich_url = env.IMMICH_URL;
    if (env.IMMICH_API_KEY) obj.immich_api_key = env.IMMICH_API_KEY;
    raw = obj;
  }
  // The usual config read without the schema (config-check.ts, the same result); anything else,
  // and every message about a bad one, is the schema's.
  const quick = quickConfig(raw);
  if (quick) {
    loc.redactor?.add(quick.immich_api_key);
    return { ...quick, path: file };
  }
  const { parseConfig } = await import('./config.js');
  return { ...parseConfig(raw, file, loc.redactor), path: file };
}

export interface OptionalConfigLocation extends ConfigLocation {
  /**
   * The command was given everything it needs (render or show with --panel): a config it may not
   * read (installed, the service user's) is gone without, unless --config named it. `skipped`
   * hears why, for a one-line note.
   */
  complete?: { skipped(why: string): void };
}

/**
 * The config when there is one; undefined when there is no file at the default path and none was
 * named (--config or ARTFRAME_IMMICH_CONFIG), or when the command has all it needs and may not
 * read it. Commands that work without a config (render, show, clear, panels) use it.
 */
export async function loadOptionalConfig(
  loc: OptionalConfigLocation = {},
): Promise<(FrameConfig & { path: string }) | undefined> {
  const env = loc.env ?? process.env;
  try {
    return await loadConfig(loc);
  } catch (err) {
    const named = Boolean(loc.flag || env.ARTFRAME_IMMICH_CONFIG);
    if (!named && err instanceof ConfigError && err.code === 'CONFIG_NOT_FOUND') return undefined;
    if (loc.complete && !loc.flag && err instanceof ConfigError && err.code === 'CONFIG_UNREADABLE') {
      loc.complete.skipped(`not reading ${configPath(loc)} (permission denied): the flags say all this command needs`);
      return undefined;
    }
    throw err;
  }
}
