// The client's pure rules: which rendition to fetch, what each server version allows, retry
// delays, paging guards, error wording, and which listed assets the frame keeps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthRejectedError, BadResponseError, ServerUnreachableError, TlsError } from '../../src/core/errors.js';
import { capabilitiesOf, searchPasses } from '../../src/immich/capabilities.js';
import { keepInListing, toRemoteAsset } from '../../src/immich/client.js';
import { httpFailure, networkFailure, rejectsProperty, serverMessage } from '../../src/immich/failures.js';
import { collectPages, nextPageNumber } from '../../src/immich/paging.js';
import { chooseRendition } from '../../src/immich/rendition.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay } from '../../src/immich/retry.js';
import type { ImmichAsset } from '../../src/immich/schemas.js';

const v = (major: number, minor: number, patch = 0) => ({ major, minor, patch });

describe('chooseRendition', () => {
  it.each([
    ['image/jpeg', 'IMG_1.jpg', 'original'],
    ['image/png', 'a.png', 'original'],
    ['image/webp', 'a.webp', 'original'],
    ['image/gif', 'a.gif', 'original'],
    ['image/avif', 'a.avif', 'original'],
    ['image/tiff', 'scan.tif', 'original'],
    ['image/heic', 'IMG_2.HEIC', 'fullsize'],
    ['image/heif', 'IMG_3.heif', 'fullsize'],
    ['image/x-adobe-dng', 'R.dng', 'fullsize'],
    ['image/x-canon-cr3', 'R.CR3', 'fullsize'],
    ['image/x-nikon-nef', 'R.NEF', 'fullsize'],
    ['image/x-sony-arw', 'R.ARW', 'fullsize'],
    ['image/jxl', 'a.jxl', 'fullsize'],
    ['image/bmp', 'a.bmp', 'fullsize'],
    [null, 'R.ORF', 'fullsize'],
    [null, 'R.rw2', 'fullsize'],
    [null, 'R.RAF', 'fullsize'],
    ['application/octet-stream', 'IMG.HEIC', 'fullsize'],
    [null, 'photo.JPG', 'original'],
    [null, 'no-extension', 'original'],
  ] as const)('photo_size original: %s %s -> %s', (mime, name, expected) => {
    expect(chooseRendition(mime, name, 'original')).toBe(expected);
  });

  it('photo_size fullsize and preview always take that rendering', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string()),
        fc.string(),
        fc.constantFrom('fullsize' as const, 'preview' as const),
        (mime, name, size) => {
          expect(chooseRendition(mime, name, size)).toBe(size);
        },
      ),
    );
  });

  it('photo_size original is the original or, failing sharp, the fullsize rendering', () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.string(), (mime, name) => {
        expect(['original', 'fullsize']).toContain(chooseRendition(mime, name, 'original'));
      }),
    );
  });
});

describe('what each server version allows', () => {
  it.each([
    [
      v(1, 106, 4),
      { searchByAlbum: false, albumRouteHasAssets: true, archivedInSearch: 'with-archived-flag', fullsize: false },
    ],
    [
      v(1, 130, 3),
      { searchByAlbum: false, albumRouteHasAssets: true, archivedInSearch: 'with-archived-flag', fullsize: false },
    ],
    [
      v(1, 131, 0),
      { searchByAlbum: false, albumRouteHasAssets: true, archivedInSearch: 'with-archived-flag', fullsize: true },
    ],
    [
      v(1, 133, 0),
      { searchByAlbum: false, albumRouteHasAssets: true, archivedInSearch: 'visibility-passes', fullsize: true },
    ],
    [
      v(1, 134, 9),
      { searchByAlbum: false, albumRouteHasAssets: true, archivedInSearch: 'visibility-passes', fullsize: true },
    ],
    [
      v(1, 135, 0),
      { searchByAlbum: false, albumRouteHasAssets: true, archivedInSearch: 'visibility-passes', fullsize: true },
    ],
    [
      v(2, 7, 5),
      { searchByAlbum: false, albumRouteHasAssets: true, archivedInSearch: 'visibility-passes', fullsize: true },
    ],
    [v(3, 0, 0), { searchByAlbum: true, albumRouteHasAssets: false, archivedInSearch: 'by-default', fullsize: true }],
  ])('%o', (version, caps) => {
    expect(capabilitiesOf(version)).toEqual(caps);
  });

  it('the searches of an album cover archived assets the way each version needs', () => {
    expect(searchPasses(capabilitiesOf(v(1, 120)), 'A')).toEqual([
      { albumIds: ['A'], type: 'IMAGE', withArchived: true },
    ]);
    expect(searchPasses(capabilitiesOf(v(2, 5)), 'A')).toEqual([
      { albumIds: ['A'], type: 'IMAGE', visibility: 'timeline' },
      { albumIds: ['A'], type: 'IMAGE', visibility: 'archive' },
    ]);
    expect(searchPasses(capabilitiesOf(v(3, 1)), null)).toEqual([{ type: 'IMAGE' }]);
  });
});

describe('retry delays', () => {
  it('Retry-After in seconds or as an HTTP-date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(['7', '1'], now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it("the server's Retry-After wins, capped", () => {
    expect(retryDelay(1, 2000, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(2000);
    expect(retryDelay(1, 3_600_000, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(DEFAULT_RETRY_POLICY.maxRetryAfterMs);
  });

  it('without Retry-After: full jitter below a doubling ceiling, capped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (retry, r) => {
        const d = retryDelay(retry, null, DEFAULT_RETRY_POLICY, () => r);
        const ceiling = Math.min(DEFAULT_RETRY_POLICY.maxDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (retry - 1));
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
      }),
    );
    expect(retryDelay(3, null, DEFAULT_RETRY_POLICY, () => 0.999)).toBe(1998);
  });
});

describe('paging', () => {
  it('follows nextPage as a string or number, ends on null', () => {
    expect(nextPageNumber(1, '2', 's')).toBe(2);
    expect(nextPageNumber(2, 3, 's')).toBe(3);
    expect(nextPageNumber(4, null, 's')).toBeNull();
  });

  it.each([['1'], ['0'], ['abc'], ['2.5']])('refuses a nextPage of %s after page 1 or 2', (next) => {
    expect(() => nextPageNumber(2, next, 'the search')).toThrow(BadResponseError);
  });

  it('walks until nextPage is null whatever total says, keeping the first copy of each id', async () => {
    const pages = [
      {
        items: [
          { id: 'a', n: 1 },
          { id: 'b', n: 1 },
        ],
        nextPage: '2',
        total: 2,
      },
      { items: [{ id: 'b', n: 2 }], nextPage: '3', total: 1 },
      { items: [{ id: 'c', n: 3 }], nextPage: null, total: 1 },
    ];
    const asked: number[] = [];
    const got = await collectPages(async ({ page: p }) => {
      asked.push(p);
      return pages[p - 1]!;
    }, 's');
    expect(asked).toEqual([1, 2, 3]);
    expect([...got.values()]).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 1 },
      { id: 'c', n: 3 },
    ]);
  });

  it('refuses a server that keeps paging without new assets', async () => {
    await expect(
      collectPages(async ({ page: p }) => ({ items: [{ id: 'same' }], nextPage: String(p + 1) }), 'the search'),
    ).rejects.toThrow(/3 pages in a row brought no new asset/);
  });

  it('refuses a server that pages past the limit', async () => {
    await expect(
      collectPages(async ({ page: p }) => ({ items: [{ id: `i${p}` }], nextPage: String(p + 1) }), 'the search', {
        maxPages: 50,
        maxStalePages: 3,
        maxItems: 200_000,
        maxKeptBytes: 1 << 30,
        askTotalAfter: 10_000,
      }),
    ).rejects.toThrow(/still paging after 50 pages/);
  });

  it('follows nextCursor where the server offers one (v3.2), page numbers otherwise', async () => {
    const asked: { page: number; cursor?: string }[] = [];
    const got = await collectPages(async (at) => {
      asked.push(at);
      if (at.page === 1) return { items: [{ id: 'a' }], nextPage: '2', nextCursor: 'c2' };
      if (at.cursor === 'c2') return { items: [{ id: 'b' }], nextPage: '3', nextCursor: null };
      return { items: [{ id: 'c' }], nextPage: null };
    }, 's');
    expect(asked).toEqual([{ page: 1 }, { page: 2, cursor: 'c2' }, { page: 3 }]);
    expect([...got.keys()]).toEqual(['a', 'b', 'c']);
  });

  it('refuses a cursor that comes round again', async () => {
    await expect(
      collectPages(
        async ({ page }) => ({ items: [{ id: `i${page}` }], nextPage: null, nextCursor: page % 2 ? 'x' : 'y' }),
        'the search',
      ),
    ).rejects.toThrow(/names a cursor it named before/);
  });
});

describe('error wording', () => {
  const ctx = { serverUrl: 'https://photos.example', method: 'GET', route: '/api/server/version' };
  const timeouts = { headers: 30_000, body: 30_000 };

  it.each([
    ['ECONNREFUSED', ServerUnreachableError, 'connection refused'],
    ['ENOTFOUND', ServerUnreachableError, 'host name not found (DNS)'],
    ['EAI_AGAIN', ServerUnreachableError, 'host name not found (DNS)'],
    ['UND_ERR_CONNECT_TIMEOUT', ServerUnreachableError, 'connection timed out'],
    ['UND_ERR_HEADERS_TIMEOUT', ServerUnreachableError, 'no answer within 30 s'],
    ['ECONNRESET', ServerUnreachableError, 'connection reset'],
    ['EHOSTUNREACH', ServerUnreachableError, 'network unreachable'],
    ['CERT_HAS_EXPIRED', TlsError, 'certificate has expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', TlsError, "Hostname/IP does not match certificate's altnames"],
  ])('%s is a %s', (code, cls, words) => {
    const err = Object.assign(new Error(words), { code });
    const mapped = networkFailure(Object.assign(new TypeError('fetch failed'), { cause: err }), ctx, timeouts);
    expect(mapped).toBeInstanceOf(cls);
    expect(mapped.message).toContain(words);
    expect(mapped.message).toContain('https://photos.example');
  });

  it.each([[429], [502], [503], [504]])('HTTP %i after every retry means the server is not there for us', (status) => {
    const err = httpFailure(status, { message: 'busy' }, ctx);
    expect(err).toBeInstanceOf(ServerUnreachableError);
    expect(err.message).toMatch(
      new RegExp(
        `^cannot reach the Immich server at https://photos.example: it kept answering HTTP ${status} \\(busy\\)`,
      ),
    );
  });

  it('HTTP 500 is a fault of the server, not of the network', () => {
    expect(httpFailure(500, { message: 'Internal server error' }, ctx)).toBeInstanceOf(BadResponseError);
  });

  it('a 403 without a permission name still says to check the key', () => {
    const err = httpFailure(403, { message: 'Forbidden' }, ctx);
    expect(err).toBeInstanceOf(AuthRejectedError);
    expect(err.message).toBe(
      "the Immich server at https://photos.example refused the API key for GET /api/server/version (Forbidden): check the key's permissions in Account Settings > API Keys",
    );
  });

  it("reads both dialects' error bodies", () => {
    expect(
      serverMessage({ message: ['size must not be greater than 1000'], error: 'Bad Request', statusCode: 400 }),
    ).toBe('size must not be greater than 1000');
    expect(
      serverMessage({ message: 'Validation failed', errors: [{ path: ['page'], message: 'Invalid input' }] }),
    ).toBe('Validation failed: page: Invalid input');
    expect(serverMessage('<html>502 Bad Gateway</html>')).toBe('<html>502 Bad Gateway</html>');
  });

  it('recognises a rejected property in either dialect, and nothing else', () => {
    expect(
      rejectsProperty(
        { message: ['property albumIds should not exist'], error: 'Bad Request', statusCode: 400 },
        'albumIds',
      ),
    ).toBe(true);
    expect(
      rejectsProperty(
        {
          message: 'Validation failed',
          errors: [
            { code: 'unrecognized_keys', keys: ['albumIds'], path: [], message: 'Unrecognized key: "albumIds"' },
          ],
        },
        'albumIds',
      ),
    ).toBe(true);
    expect(rejectsProperty({ message: 'Not found or no album.read access' }, 'albumIds')).toBe(false);
    expect(
      rejectsProperty(
        { message: 'Validation failed', errors: [{ path: ['albumIds', 0], message: 'Invalid UUID' }] },
        'albumIds',
      ),
    ).toBe(false);
  });
});

describe('what the frame keeps from a listing', () => {
  const asset = (over: Partial<ImmichAsset>): ImmichAsset => ({
    id: 'x',
    type: 'IMAGE',
    originalFileName: 'x.jpg',
    originalMimeType: 'image/jpeg',
    fileCreatedAt: '2020-01-01T00:00:00.000Z',
    localDateTime: '2020-01-01T00:00:00.000Z',
    updatedAt: '2020-01-02T00:00:00.000Z',
    checksum: 'c',
    isTrashed: false,
    ...over,
  });

  it('images only, trashed never, hidden and locked never, archived kept', () => {
    expect(keepInListing(asset({}))).toBe(true);
    expect(keepInListing(asset({ type: 'VIDEO' }))).toBe(false);
    expect(keepInListing(asset({ isTrashed: true }))).toBe(false);
    expect(keepInListing(asset({ visibility: 'hidden' }))).toBe(false);
    expect(keepInListing(asset({ visibility: 'locked' }))).toBe(false);
    expect(keepInListing(asset({ visibility: 'archive', isArchived: true }))).toBe(true);
  });

  it('archived from visibility (v1.133+) or from isArchived (older)', () => {
    expect(toRemoteAsset(asset({ visibility: 'archive' })).archived).toBe(true);
    expect(toRemoteAsset(asset({ isArchived: true })).archived).toBe(true);
    expect(toRemoteAsset(asset({ isArchived: false, visibility: 'timeline' })).archived).toBe(false);
    expect(toRemoteAsset(asset({ originalMimeType: undefined, localDateTime: null }))).toMatchObject({
      originalMimeType: null,
      localDateTime: null,
    });
  });
});
