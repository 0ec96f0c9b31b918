// The one error hierarchy of the frame: every failure a frame owner can meet is a FrameError
// with a one-line message that names the culprit (config key, album, server, file, panel), an exit
// code for the CLI, and a stable `code` that callers branch on (never the message text).
/** Stable codes, one per kind of failure (a subclass may be thrown with a narrower code). */
export type FrameErrorCode =
  | 'FRAME_ERROR'
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  /** The config exists but this user may not read it (installed: the service user's). */
  | 'CONFIG_UNREADABLE'
  | 'PANEL_NOT_DETECTED'
  | 'SERVER_ERROR'
  | 'SERVER_UNREACHABLE'
  | 'SERVER_DEADLINE'
  | 'ANSWER_TOO_LARGE'
  | 'LISTING_UNCONFIRMED'
  | 'SERVER_TLS'
  | 'AUTH_REJECTED'
  | 'ASSET_UNAVAILABLE'
  | 'ALBUM_NOT_FOUND'
  | 'BAD_RESPONSE'
  | 'UNSUPPORTED_SERVER'
  | 'STORAGE'
  | 'STORAGE_RESERVE'
  | 'LIBRARY_BUSY'
  | 'RENDER'
  | 'RENDER_DEADLINE'
  | 'STORAGE_PERMISSION'
  | 'PANEL'
  | 'PANEL_BUSY_TIMEOUT'
  | 'TRANSPORT'
  | 'LIBRARY_EMPTY'
  | 'CALIBRATION_REFUSED';

export interface FrameErrorOptions {
  cause?: unknown;
  /** A narrower code than the class's own (ConfigError with CONFIG_NOT_FOUND, say). */
  code?: FrameErrorCode;
}

export class FrameError extends Error {
  /** Process exit code the CLI uses for this kind of failure. */
  readonly exitCode: number = 1;
  readonly code: FrameErrorCode;
  /** The class's own code, when the constructor is not told a narrower one. */
  protected static readonly defaultCode: FrameErrorCode = 'FRAME_ERROR';

  constructor(message: string, options?: FrameErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options?.code ?? (new.target as unknown as { defaultCode: FrameErrorCode }).defaultCode;
  }
}

/** A bad or missing config value: exit 2. */
export class ConfigError extends FrameError {
  override readonly exitCode = 2;
  protected static override readonly defaultCode: FrameErrorCode = 'CONFIG_INVALID';
}

/** Anything about talking to the Immich server: exit 3 (subclasses below). */
export class ServerError extends FrameError {
  override readonly exitCode: number = 3;
  protected static override readonly defaultCode: FrameErrorCode = 'SERVER_ERROR';
}
/** The server could not be reached at all (DNS, refused, timeout, reset). */
export class ServerUnreachableError extends ServerError {
  protected static override readonly defaultCode: FrameErrorCode = 'SERVER_UNREACHABLE';
}
/** A request (or a whole sync) ran past its deadline: a server that answers too slowly to use. */
export class DeadlineError extends ServerUnreachableError {
  protected static override readonly defaultCode: FrameErrorCode = 'SERVER_DEADLINE';
}
/** TLS handshake or certificate failure. */
export class TlsError extends ServerError {
  protected static override readonly defaultCode: FrameErrorCode = 'SERVER_TLS';
}
/** 401/403: the API key was rejected or lacks a permission. */
export class AuthRejectedError extends ServerError {
  protected static override readonly defaultCode: FrameErrorCode = 'AUTH_REJECTED';
}
/** Why one photo could not be fetched; the sync goes on with the others. */
export type AssetFailureReason =
  /** The key lacks a permission this photo needs (asset.view for a server rendering). */
  | 'permission'
  /** The asset is gone, or no longer shared with the key's user. */
  | 'not-found'
  /** The server has not made the rendering (yet): a 404 for a thumbnail/preview. */
  | 'not-rendered'
  /** The bytes arrived but are no readable image. */
  | 'decode'
  /** The bytes do not match the server's checksum, or their announced length. */
  | 'checksum'
  /** The download broke off, or anything else. */
  | 'download'
  /** Announced larger than the most a photo may be, or than the disk has room for. */
  | 'too-large'
  /** The bytes came slower than the floor rate: the photo missed its own deadline. */
  | 'too-slow'
  /** The listing's entry for it cannot be read (a date that is no date, a field of the wrong kind). */
  | 'listing';

/** One photo cannot be fetched (its permission, a 404, bad bytes): the sync reports it and goes
 * on; `reason` says why, without parsing the message. */
export class AssetUnavailableError extends ServerError {
  protected static override readonly defaultCode: FrameErrorCode = 'ASSET_UNAVAILABLE';
  constructor(
    message: string,
    readonly reason: AssetFailureReason,
    options?: FrameErrorOptions,
  ) {
    super(message, options);
  }
}

/** The album id is unknown, malformed, or not shared with the key's user. */
export class AlbumNotFoundError extends ServerError {
  protected static override readonly defaultCode: FrameErrorCode = 'ALBUM_NOT_FOUND';
}
/** The server answered something we do not understand (shape, status). */
export class BadResponseError extends ServerError {
  protected static override readonly defaultCode: FrameErrorCode = 'BAD_RESPONSE';
}
/** The server is older than the oldest one we support. */
export class UnsupportedServerError extends ServerError {
  protected static override readonly defaultCode: FrameErrorCode = 'UNSUPPORTED_SERVER';
}

/** Local storage: disk full, permissions, corrupt files that cannot be repaired: exit 4. */
export class StorageError extends FrameError {
  override readonly exitCode = 4;
  protected static override readonly defaultCode: FrameErrorCode = 'STORAGE';
}
/** Another process (the service or a CLI sync) holds the library's sync lock. */
export class LibraryBusyError extends StorageError {
  protected static override readonly defaultCode: FrameErrorCode = 'LIBRARY_BUSY';
}

/** A photo that cannot be decoded or rendered: exit 5. */
export class RenderError extends FrameError {
  override readonly exitCode = 5;
  protected static override readonly defaultCode: FrameErrorCode = 'RENDER';
}

/** The panel or its transport misbehaved (busy timeout, serial NAKs, wiring): exit 6. */
export class PanelError extends FrameError {
  override readonly exitCode: number = 6;
  protected static override readonly defaultCode: FrameErrorCode = 'PANEL';
}
export class PanelBusyTimeoutError extends PanelError {
  protected static override readonly defaultCode: FrameErrorCode = 'PANEL_BUSY_TIMEOUT';
}
export class TransportError extends PanelError {
  protected static override readonly defaultCode: FrameErrorCode = 'TRANSPORT';
}

/** The library has nothing to show (never synced, empty album): exit 7. */
export class EmptyLibraryError extends FrameError {
  override readonly exitCode = 7;
  protected static override readonly defaultCode: FrameErrorCode = 'LIBRARY_EMPTY';
}

/** A calibration photo the frame cannot read; `reason` says why (calibration/measure.ts): exit 8. */
export class CalibrationRefusedError extends FrameError {
  override readonly exitCode = 8;
  protected static override readonly defaultCode: FrameErrorCode = 'CALIBRATION_REFUSED';
  constructor(
    message: string,
    readonly reason: string,
    options?: FrameErrorOptions,
  ) {
    super(message, options);
  }
}

/** Turn anything thrown into one line (whoever writes it out masks secrets: Logger.redact). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] || err.name;
  return String(err);
}
