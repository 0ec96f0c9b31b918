// The one error hierarchy of the frame: every failure a frame owner can meet is a FrameError
// with a one-line message that names the culprit (config key, album, server, file, panel).
import { redact } from './log.js';

export class FrameError extends Error {
  /** Process exit code the CLI uses for this kind of failure. */
  readonly exitCode: number = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(redact(message), options);
    this.name = new.target.name;
  }
}

/** A bad or missing config value: exit 2. */
export class ConfigError extends FrameError {
  override readonly exitCode = 2;
}

/** Anything about talking to the Immich server: exit 3 (subclasses below). */
export class ServerError extends FrameError {
  override readonly exitCode: number = 3;
}
/** The server could not be reached at all (DNS, refused, timeout, reset). */
export class ServerUnreachableError extends ServerError {}
/** TLS handshake or certificate failure. */
export class TlsError extends ServerError {}
/** 401/403: the API key was rejected or lacks a permission. */
export class AuthRejectedError extends ServerError {}
/** The album id is unknown, malformed, or not shared with the key's user. */
export class AlbumNotFoundError extends ServerError {}
/** The server answered something we do not understand (shape, status). */
export class BadResponseError extends ServerError {}
/** The server is older than the oldest one we support. */
export class UnsupportedServerError extends ServerError {}

/** Local storage: disk full, permissions, corrupt files that cannot be repaired: exit 4. */
export class StorageError extends FrameError {
  override readonly exitCode = 4;
}
/** Another process (the service or a CLI sync) holds the library's sync lock. */
export class LibraryBusyError extends StorageError {}

/** A photo that cannot be decoded or rendered: exit 5. */
export class RenderError extends FrameError {
  override readonly exitCode = 5;
}

/** The panel or its transport misbehaved (busy timeout, serial NAKs, wiring): exit 6. */
export class PanelError extends FrameError {
  override readonly exitCode: number = 6;
}
export class PanelBusyTimeoutError extends PanelError {}
export class TransportError extends PanelError {}

/** The library has nothing to show (never synced, empty album): exit 7. */
export class EmptyLibraryError extends FrameError {
  override readonly exitCode = 7;
}

/** Turn anything thrown into a one-line, secret-free message. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return redact(err.message.split('\n')[0] ?? err.name);
  return redact(String(err));
}
