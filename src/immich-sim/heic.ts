// A stand-in for an iPhone HEIC: a well-formed HEIF container (ISO BMFF boxes: ftyp "heic", meta
// with an "hvc1" primary item, hvcC and ispe properties, iloc, mdat) whose payload is not a real
// HEVC stream. sharp's prebuilt libvips reads its header (format heif, the size from ispe) and
// then fails to decode it, exactly as it fails on a real HEVC HEIC, whose codec it lacks.

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
  const vf = Buffer.alloc(4);
  vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, vf, ...payload);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** A minimal HEVC decoder configuration record (Main profile, level 3.1, no parameter sets). */
function hvcC(): Buffer {
  return box(
    'hvcC',
    Buffer.from([
      1, // configurationVersion
      0x01, // profile space 0, tier 0, profile idc 1 (Main)
      0x60,
      0,
      0,
      0, // profile compatibility flags
      0x90,
      0,
      0,
      0,
      0,
      0, // constraint indicator flags
      93, // level idc 3.1
      0xf0,
      0x00, // min spatial segmentation
      0xfc, // parallelism type
      0xfd, // chroma format 4:2:0
      0xf8, // bit depth luma 8
      0xf8, // bit depth chroma 8
      0x00,
      0x00, // avg frame rate
      0x0f, // constant frame rate 0, num temporal layers 1, temporal id nested 1, length size 4
      0, // numOfArrays
    ]),
  );
}

/** HEIC-looking bytes of the given size; `seed` varies the payload so checksums differ. */
export function heicStandIn(width: number, height: number, seed: number): Buffer {
  // The payload: a 4-byte length then bytes that are not a decodable HEVC slice.
  const payloadLength = 1024 + (seed % 512);
  const slice = Buffer.alloc(payloadLength);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < slice.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    slice[i] = x >>> 24;
  }
  const mdatPayload = Buffer.concat([u32(slice.length), slice]);

  const ftyp = box('ftyp', Buffer.from('heic', 'latin1'), u32(0), Buffer.from('mif1heic', 'latin1'));
  const hdlr = fullBox('hdlr', 0, 0, u32(0), Buffer.from('pict', 'latin1'), Buffer.alloc(12), Buffer.from([0]));
  const pitm = fullBox('pitm', 0, 0, u16(1));
  const infe = fullBox('infe', 2, 0, u16(1), u16(0), Buffer.from('hvc1', 'latin1'), Buffer.from([0]));
  const iinf = fullBox('iinf', 0, 0, u16(1), infe);
  const ispe = fullBox('ispe', 0, 0, u32(width), u32(height));
  const ipco = box('ipco', hvcC(), ispe);
  // item 1 -> properties 1 (hvcC, essential) and 2 (ispe)
  const ipma = fullBox('ipma', 0, 0, u32(1), u16(1), Buffer.from([2, 0x81, 0x02]));
  const iprp = box('iprp', ipco, ipma);

  // iloc (version 0, offset/length sizes 4, base offset size 0): one extent for item 1. The offset
  // points into mdat, which follows meta; its value is patched in once meta's size is known.
  const ilocFor = (offset: number) =>
    fullBox(
      'iloc',
      0,
      0,
      Buffer.from([0x44, 0x00]),
      u16(1),
      u16(1),
      u16(0),
      u16(1),
      u32(offset),
      u32(mdatPayload.length),
    );
  const metaFor = (offset: number) => fullBox('meta', 0, 0, hdlr, pitm, ilocFor(offset), iinf, iprp);
  const metaSize = metaFor(0).length;
  const mdatOffset = ftyp.length + metaSize + 8;
  return Buffer.concat([ftyp, metaFor(mdatOffset), box('mdat', mdatPayload)]);
}
