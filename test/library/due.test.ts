import { describe, expect, it } from 'vitest';
import { isSyncDue } from '../../src/library/due.js';
import { emptyMetadata, type LibraryMetadata } from '../../src/library/metadata.js';
import { metadataOf, remoteAsset } from '../support/library.js';

const config = {
  album_id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
  immich_url: 'https://immich.example.com',
  photo_size: 'original' as const,
  max_photos: 0,
  sync_interval_hours: 6,
};
const lastSync = '2025-01-01T00:00:00.000Z';
const hours = (h: number) => new Date(Date.parse(lastSync) + h * 3_600_000);

function synced(overrides: Partial<LibraryMetadata> = {}): LibraryMetadata {
  return {
    ...metadataOf([remoteAsset(), remoteAsset()]),
    last_sync: lastSync,
    album_id: config.album_id,
    server_host: 'immich.example.com',
    ...overrides,
  };
}

describe('when a sync is due', () => {
  it('the first run (no metadata) is due', () => {
    expect(isSyncDue({ metadata: null, config, now: hours(0) })).toEqual({ due: true, reason: 'first run' });
    expect(isSyncDue({ metadata: emptyMetadata(), config, now: hours(0) })).toEqual({ due: true, reason: 'first run' });
  });

  it('a library with no photos is due, unless the album was empty at the last sync', () => {
    const none = synced({ synced_assets: {} });
    expect(isSyncDue({ metadata: none, config, now: hours(1) })).toEqual({ due: true, reason: 'no photos yet' });
    const emptyAlbum = synced({
      synced_assets: {},
      last_result: {
        finished_at: lastSync,
        added: 0,
        updated: 0,
        removed: 0,
        kept: 0,
        adopted: 0,
        failed: 0,
        remote_total: 0,
        bytes: 0,
        seconds: 1,
        failures: [],
      },
    });
    expect(isSyncDue({ metadata: emptyAlbum, config, now: hours(1) }).due).toBe(false);
  });

  it('within the interval nothing is due, and the next due time is last_sync + interval', () => {
    expect(isSyncDue({ metadata: synced(), config, now: hours(5.9) })).toEqual({ due: false, nextDue: hours(6) });
  });

  it('the interval passing makes a sync due', () => {
    expect(isSyncDue({ metadata: synced(), config, now: hours(6) })).toEqual({ due: true, reason: 'interval passed' });
  });

  it('forcing makes a sync due at any time', () => {
    expect(isSyncDue({ metadata: synced(), config, now: hours(0), force: true })).toEqual({
      due: true,
      reason: 'forced',
    });
  });

  it.each([
    ['album changed', { album_id: '' }],
    ['server changed', { server_host: 'old.example.com' }],
    ['photo_size changed', { photo_size: 'preview' as const }],
    ['max_photos changed', { max_photos: 10 }],
    ['interrupted sync', { sync_in_progress: { started_at: lastSync } }],
  ])('%s makes a sync due at once', (reason, overrides) => {
    expect(isSyncDue({ metadata: synced(overrides), config, now: hours(0.1) })).toEqual({ due: true, reason });
  });

  it('after failed downloads the next sync comes within an hour, not the whole interval', () => {
    const failedOnce = synced({
      last_result: {
        finished_at: lastSync,
        added: 1,
        updated: 0,
        removed: 0,
        kept: 0,
        adopted: 0,
        failed: 1,
        remote_total: 2,
        bytes: 5,
        seconds: 1,
        failures: [],
      },
    });
    expect(isSyncDue({ metadata: failedOnce, config, now: hours(0.5) })).toEqual({ due: false, nextDue: hours(1) });
    expect(isSyncDue({ metadata: failedOnce, config, now: hours(1) })).toEqual({
      due: true,
      reason: 'retrying failed photos',
    });
  });

  it('a clock set back before the last sync does not postpone syncing', () => {
    expect(isSyncDue({ metadata: synced(), config, now: hours(-48) }).due).toBe(true);
  });

  it('in whole-library mode a change of include_archived or include_stacked is due; album mode ignores them', () => {
    const library = { ...config, album_id: '' };
    const kept = synced({ album_id: '', timeline: { include_archived: false, include_stacked: false } });
    expect(isSyncDue({ metadata: kept, config: library, now: hours(1) }).due).toBe(false);
    expect(isSyncDue({ metadata: kept, config: { ...library, include_archived: true }, now: hours(1) })).toEqual({
      due: true,
      reason: 'timeline changed',
    });
    expect(isSyncDue({ metadata: kept, config: { ...library, include_stacked: true }, now: hours(1) })).toEqual({
      due: true,
      reason: 'timeline changed',
    });
    // A library synced before the timeline rule kept everything: the first sync after the upgrade applies it.
    expect(isSyncDue({ metadata: synced({ album_id: '' }), config: library, now: hours(1) })).toEqual({
      due: true,
      reason: 'timeline changed',
    });
    // An album is the album page: the timeline keys change nothing there.
    expect(isSyncDue({ metadata: synced(), config: { ...config, include_archived: true }, now: hours(1) }).due).toBe(
      false,
    );
  });
});
