// Structured logging to stdout (journald picks it up) and the redaction of secrets. Redaction is
// an instance (one per CLI run, shared by its loggers), not module state: a value added to a
// Redactor is masked in every line of the loggers that use it and in what the CLI prints.

/** The secrets of one run (the API key): masked wherever this run writes text out. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) {
      if (out.includes(s)) out = out.split(s).join('***');
    }
    return out;
  }
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;
export type LogFormat = 'json' | 'text';

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  /** Mask this logger's secrets in text that goes out another way (a state file, stderr). */
  redact(text: string): string;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** 'json': one JSON object a line (service, pipes); 'text': `level msg k=v` (people). A function
   * is asked at the first line written (the CLI's "is stdout a terminal" costs a module load). */
  format?: LogFormat | (() => LogFormat);
  write?: (line: string) => void;
  now?: () => Date;
  /** Secrets to mask; loggers made from the same Redactor mask the same values. */
  redactor?: Redactor;
  /** Also hands every line written (already redacted) here: the page's log (web/log-ring.ts). */
  sink?: (entry: LogEntry) => void;
}

/** One line as a sink gets it: its level and the line as written, secrets masked. */
export interface LogEntry {
  level: LogLevel;
  line: string;
}

export function createLogger(options: LoggerOptions = {}, base: LogFields = {}): Logger {
  const min = order[options.level ?? 'info'];
  const given = options.format ?? 'json';
  let format: LogFormat | undefined = typeof given === 'string' ? given : undefined;
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const redactor = options.redactor ?? new Redactor();

  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (order[level] < min) return;
    const all: LogFields = { ...base, ...fields };
    for (const [k, v] of Object.entries(all)) if (v instanceof Error) all[k] = v.message;
    let line: string;
    format ??= (given as () => LogFormat)();
    if (format === 'json') {
      line = JSON.stringify({ time: now().toISOString(), level, msg, ...all });
    } else {
      const kv = Object.entries(all)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      line = `${level.padEnd(5)} ${msg}${kv ? ' ' + kv : ''}`;
    }
    const out = redactor.redact(line);
    write(out);
    options.sink?.({ level, line: out });
  };

  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, redactor }, { ...base, ...fields }),
    redact: (text) => redactor.redact(text),
  };
}

/** A logger that drops everything (library calls made without one). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
  redact: (text) => text,
};
