import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_NAME_BYTES,
  assignUniqueNames,
  fitExtension,
  isSafeLocalName,
  nameKey,
  sanitiseFileName,
} from '../../src/library/names.js';

const ID = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';

describe('file names', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\win.ini', 'win.ini'],
    ['/absolute/path/IMG_1.jpg', 'IMG_1.jpg'],
    ['..', 'photo-a1b2c3d4'],
    ['.', 'photo-a1b2c3d4'],
    ['', 'photo-a1b2c3d4'],
    ['.hidden.jpg', 'hidden.jpg'],
    ['...jpg', 'jpg'],
    ['evil\u0000name.jpg', 'evilname.jpg'],
    ['line\nbreak\r.jpg', 'linebreak.jpg'],
    ['rtl\u202egpj.exe', 'rtlgpj.exe'],
    ['what?*:<>|".jpg', 'what_______.jpg'],
    ['  spaced  .jpg  ', 'spaced.jpg'],
    ['trailing.dot.', 'trailing.dot'],
  ])('a hostile name %j becomes the plain name %j', (input, expected) => {
    expect(sanitiseFileName(input, ID)).toBe(expected);
  });

  it('a decomposed accent is stored in NFC', () => {
    const name = sanitiseFileName('Cafe\u0301.jpg', ID);
    expect(name).toBe('Caf\u00e9.jpg');
    expect(name.normalize('NFC')).toBe(name);
  });

  it('a very long multi-byte name is cut to the byte limit on a character boundary, keeping the extension', () => {
    const name = sanitiseFileName('\u{1F600}'.repeat(200) + '.jpeg', ID);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(name.endsWith('.jpeg')).toBe(true);
    expect(name).not.toContain('\ufffd');
    expect(isSafeLocalName(name)).toBe(true);
  });

  it('no server name can produce a path outside photos/', () => {
    const dir = path.resolve('/srv/frame/photos');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.uuid(), (original, id) => {
        const name = sanitiseFileName(original, id);
        expect(isSafeLocalName(name)).toBe(true);
        expect(path.dirname(path.resolve(dir, name))).toBe(dir);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
      }),
      { numRuns: 2000 },
    );
  });

  it('two IMG_0001.JPG both get a name: the first plain, the second with its short id', () => {
    const a = { id: '11111111-aaaa-4000-8000-000000000001', originalFileName: 'IMG_0001.JPG' };
    const b = { id: '22222222-bbbb-4000-8000-000000000002', originalFileName: 'IMG_0001.JPG' };
    const names = assignUniqueNames([a, b], []);
    expect(names.get(a.id)).toBe('IMG_0001.JPG');
    expect(names.get(b.id)).toBe('IMG_0001-22222222.JPG');
  });

  it('names are unique case-insensitively, against taken names too', () => {
    const a = { id: '11111111-aaaa-4000-8000-000000000001', originalFileName: 'img_0001.jpg' };
    const names = assignUniqueNames([a], ['IMG_0001.JPG']);
    expect(names.get(a.id)).toBe('img_0001-11111111.jpg');
  });

  it('any batch of names is unique by stem, case-insensitively', () => {
    const nameArb = fc.constantFrom(
      'IMG_0001.JPG',
      'img_0001.jpg',
      'IMG_0001.HEIC',
      'a.png',
      'A.PNG',
      '..',
      '',
      'photo-1.jpg',
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ id: fc.uuid(), originalFileName: nameArb }), {
          selector: (x) => x.id,
          maxLength: 30,
        }),
        fc.array(nameArb, { maxLength: 5 }),
        (assets, taken) => {
          const names = [...assignUniqueNames(assets, taken).values()];
          const keys = names.map(nameKey);
          expect(new Set(keys).size).toBe(names.length);
          const takenKeys = new Set(taken.map(nameKey));
          for (const k of keys) expect(takenKeys.has(k)).toBe(false);
          for (const n of names) expect(isSafeLocalName(n)).toBe(true);
        },
      ),
    );
  });

  it.each([
    ['IMG_0001.JPG', 'jpeg', 'IMG_0001.JPG'],
    ['IMG_1234.HEIC', 'jpeg', 'IMG_1234.jpg'],
    ['scan.tiff', 'tiff', 'scan.tiff'],
    ['graphic.png', 'webp', 'graphic.webp'],
    ['noext', 'png', 'noext.png'],
    ['raw.dng', undefined, 'raw.dng'],
  ])('the extension of %j fits %s bytes: %j', (name, format, expected) => {
    expect(fitExtension(name, format)).toBe(expected);
  });
});
