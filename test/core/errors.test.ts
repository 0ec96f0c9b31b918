import { describe, expect, it } from 'vitest';
import {
  AlbumNotFoundError,
  AuthRejectedError,
  ConfigError,
  EmptyLibraryError,
  FrameError,
  LibraryBusyError,
  PanelBusyTimeoutError,
  ServerUnreachableError,
  StorageError,
  TransportError,
} from '../../src/core/errors.js';

describe('FrameError codes', () => {
  it('every class carries its own stable code and exit code', () => {
    const cases: [FrameError, string, number][] = [
      [new ConfigError('x'), 'CONFIG_INVALID', 2],
      [new ServerUnreachableError('x'), 'SERVER_UNREACHABLE', 3],
      [new AuthRejectedError('x'), 'AUTH_REJECTED', 3],
      [new AlbumNotFoundError('x'), 'ALBUM_NOT_FOUND', 3],
      [new StorageError('x'), 'STORAGE', 4],
      [new LibraryBusyError('x'), 'LIBRARY_BUSY', 4],
      [new PanelBusyTimeoutError('x'), 'PANEL_BUSY_TIMEOUT', 6],
      [new TransportError('x'), 'TRANSPORT', 6],
      [new EmptyLibraryError('x'), 'LIBRARY_EMPTY', 7],
    ];
    for (const [err, code, exit] of cases) {
      expect([err.name, err.code, err.exitCode]).toEqual([err.constructor.name, code, exit]);
    }
  });

  it('a narrower code can be given without a new class; the cause is kept', () => {
    const cause = new Error('ENOENT');
    const err = new ConfigError('config file not found: /x', { code: 'CONFIG_NOT_FOUND', cause });
    expect(err.code).toBe('CONFIG_NOT_FOUND');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(ConfigError);
  });
});
