// The page's script and styles, bundled by the build (esbuild: dist/web/app.js and app.css) and
// held in memory with their gzip and brotli forms made once, served under a content hash so a
// browser keeps them until the frame is updated. No CDN, no fonts from elsewhere: works offline.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Asset {
  type: string;
  raw: Buffer;
  gzip: Buffer;
  br: Buffer;
  hash: string;
}

export interface Assets {
  'app.js': Asset;
  'app.css': Asset;
}

/** dist/web, found from this module whether it runs bundled (dist/chunks) or from src (tests). */
function webDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'web');
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the package folder of the page assets');
}

export function compressed(raw: Buffer, type: string): Asset {
  return {
    type,
    raw,
    gzip: gzipSync(raw, { level: 9 }),
    br: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    hash: createHash('sha256').update(raw).digest('hex').slice(0, 12),
  };
}

export async function loadAssets(): Promise<Assets> {
  const dir = webDir();
  const read = (name: string) => {
    const file = path.join(dir, name);
    if (!existsSync(file)) throw new Error(`the page's ${name} is missing (${file}); run npm run build`);
    return readFileSync(file);
  };
  return {
    'app.js': compressed(read('app.js'), 'text/javascript; charset=utf-8'),
    'app.css': compressed(read('app.css'), 'text/css; charset=utf-8'),
  };
}

/** Send bytes in the smallest encoding the browser takes. */
export function sendEncoded(req: IncomingMessage, res: ServerResponse, a: Asset, cache: string): void {
  const accept = String(req.headers['accept-encoding'] ?? '');
  const [body, encoding] = /\bbr\b/.test(accept)
    ? [a.br, 'br']
    : /\bgzip\b/.test(accept)
      ? [a.gzip, 'gzip']
      : [a.raw, null];
  res.writeHead(200, {
    'content-type': a.type,
    'cache-control': cache,
    vary: 'accept-encoding',
    'content-length': body.length,
    ...(encoding ? { 'content-encoding': encoding } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
