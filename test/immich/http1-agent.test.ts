// The photo path's HTTP/1.1 client (http1-agent.ts, http1-parser.ts) against raw loopback servers
// that write answers byte by byte as a test needs them: framing split at every byte, chunked
// bodies with extensions and trailers, bad lengths, early closes, keep-alive reuse, no pipelining,
// timeouts, aborts, and TLS checked against Node's CA store; bodies through reused memory (a chunk
// held is never overwritten by a later read, one handed back is reused).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Agent, type Http1Answer } from '../../src/immich/http1-agent.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A raw server: `answer` gets each request's head (as text) and the socket it came on. */
interface Raw {
  url: URL;
  /** Connections accepted so far. */
  connections: number;
  /** Request heads received, in order. */
  requests: string[];
}

async function rawServer(
  answer: (socket: net.Socket, request: string, n: number) => void | Promise<void>,
): Promise<Raw> {
  const raw: Raw = { url: new URL('http://127.0.0.1'), connections: 0, requests: [] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    raw.connections += 1;
    sockets.add(socket);
    // Each write its own segment at once (no Nagle wait for the ACK of the one before).
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n\r\n')) !== -1) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        raw.requests.push(head);
        void answer(socket, head, raw.requests.length);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  raw.url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return raw;
}

function agent(connections = 2, keepAliveMs = 10_000): Http1Agent {
  const a = new Http1Agent({ connections, connectMs: 2000, keepAliveMs });
  cleanups.push(() => a.close());
  return a;
}

const opts = (o: Partial<{ signal: AbortSignal; headersMs: number; bodyMs: number }> = {}) => ({
  headers: { accept: 'application/json' },
  headersMs: o.headersMs ?? 2000,
  bodyMs: o.bodyMs ?? 2000,
  ...(o.signal ? { signal: o.signal } : {}),
});

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Write `bytes` in two parts cut at `at`, apart in time so they arrive as two reads. */
async function writeSplit(socket: net.Socket, bytes: Buffer, at: number): Promise<void> {
  socket.write(bytes.subarray(0, at));
  await sleep(2);
  socket.write(bytes.subarray(at));
}

const BODY = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
const LENGTH_ANSWER = Buffer.from(
  `HTTP/1.1 200 OK\r\ncontent-type: image/jpeg\r\ncontent-length: ${BODY.length}\r\nx-multi: a\r\nX-Multi: b\r\n\r\n${BODY.toString()}`,
);
const CHUNKED_ANSWER = Buffer.from(
  'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n' +
    'a;name=value;other\r\n0123456789\r\n' +
    '1A \t; quoted="x;y"\r\nabcdefghijklmnopqrstuvwxyz\r\n' +
    '0;last\r\nx-checksum: abc\r\nx-more: 1\r\n\r\n',
);

describe('the answer parser, split at every byte', () => {
  it('a Content-Length answer cut anywhere reads whole, on one kept-alive connection', async () => {
    let cut = 0;
    const s = await rawServer((socket) => writeSplit(socket, LENGTH_ANSWER, cut));
    const a = agent(1);
    for (cut = 1; cut < LENGTH_ANSWER.length; cut++) {
      const res = await a.get(s.url, '/p', opts());
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-length']).toBe(String(BODY.length));
      expect(res.headers['x-multi']).toEqual(['a', 'b']);
      expect((await readAll(res.body)).equals(BODY)).toBe(true);
    }
    expect(s.connections).toBe(1);
  });

  it('a chunked answer with extensions and trailers cut anywhere reads whole, on one connection', async () => {
    let cut = 0;
    const s = await rawServer((socket) => writeSplit(socket, CHUNKED_ANSWER, cut));
    const a = agent(1);
    for (cut = 1; cut < CHUNKED_ANSWER.length; cut++) {
      const res = await a.get(s.url, '/p', opts());
      expect((await readAll(res.body)).equals(BODY)).toBe(true);
    }
    expect(s.connections).toBe(1);
  });

  it('an interim 103 answer is skipped for the real one; a 204 has no body', async () => {
    const s = await rawServer((socket, _r, n) => {
      if (n === 1)
        socket.write('HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      else socket.write('HTTP/1.1 204 No Content\r\n\r\n');
    });
    const a = agent(1);
    const first = await a.get(s.url, '/p', opts());
    expect([first.statusCode, (await readAll(first.body)).toString()]).toEqual([200, 'ok']);
    const second = await a.get(s.url, '/p', opts());
    expect([second.statusCode, (await readAll(second.body)).length]).toEqual([204, 0]);
    expect(s.connections).toBe(1);
  });
});

describe('bad framing is refused, and costs only its own request', () => {
  const cases: [string, string][] = [
    ['a Content-Length that is no number', 'HTTP/1.1 200 OK\r\ncontent-length: 12x\r\n\r\n'],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\nabcd'],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n'],
    ['a bad status line', 'HTTP/1.1 2000 OK\r\ncontent-length: 0\r\n\r\n'],
    ['not HTTP at all', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
    ['a header without a name', 'HTTP/1.1 200 OK\r\n: x\r\ncontent-length: 0\r\n\r\n'],
    ['a folded header line', 'HTTP/1.1 200 OK\r\nx-a: 1\r\n  folded\r\ncontent-length: 0\r\n\r\n'],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n'],
    ['a chunk not followed by CRLF', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n'],
  ];
  it.each(cases)('%s', async (_name, answer) => {
    const s = await rawServer((socket, _r, n) => {
      socket.write(n === 1 ? answer : 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    const a = agent(1);
    const outcome = await a.get(s.url, '/p', opts()).then(
      (res) =>
        readAll(res.body).then(
          () => 'read',
          (err: unknown) => err,
        ),
      (err: unknown) => err,
    );
    expect(outcome).toMatchObject({ code: 'HTTP1_PROTOCOL' });
    // The next request is answered on a new connection: the broken one is never reused.
    const next = await a.get(s.url, '/p', opts());
    expect((await readAll(next.body)).toString()).toBe('ok');
    expect(s.connections).toBe(2);
  });

  it('a head past 64 KiB is refused', async () => {
    const s = await rawServer((socket) => void socket.write(`HTTP/1.1 200 OK\r\nx-big: ${'x'.repeat(70_000)}\r\n\r\n`));
    await expect(agent().get(s.url, '/p', opts())).rejects.toMatchObject({ code: 'HTTP1_PROTOCOL' });
  });

  it('Content-Length next to chunked: the chunked framing is read, the length dropped, the connection not reused', async () => {
    const s = await rawServer(
      (socket) =>
        void socket.write(
          'HTTP/1.1 200 OK\r\ncontent-length: 100\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
        ),
    );
    const a = agent(1);
    const res = await a.get(s.url, '/p', opts());
    expect(res.headers['content-length']).toBeUndefined();
    expect((await readAll(res.body)).toString()).toBe('abc');
    await readAll((await a.get(s.url, '/p', opts())).body);
    expect(s.connections).toBe(2);
  });

  it('bytes after the answer (a length that lied short) fail that connection, not the next request', async () => {
    const s = await rawServer((socket, _r, n) => {
      socket.write(
        n === 1
          ? 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA'
          : 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nyes',
      );
    });
    const a = agent(1);
    expect((await readAll((await a.get(s.url, '/p', opts())).body)).toString()).toBe('ok');
    expect((await readAll((await a.get(s.url, '/p', opts())).body)).toString()).toBe('yes');
    expect(s.connections).toBe(2);
  });
});

describe('connections', () => {
  it("a body cut short by a close is that request's stream error (UND_ERR_SOCKET)", async () => {
    const s = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part');
      socket.destroy();
    });
    const res = await agent().get(s.url, '/p', opts());
    await expect(readAll(res.body)).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
  });

  it('a chunked body cut short by a close fails; a body without framing ends at the close', async () => {
    const s = await rawServer((socket, _r, n) => {
      if (n === 1) socket.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab');
      else socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the close');
    });
    const a = agent(1);
    await expect(readAll((await a.get(s.url, '/p', opts())).body)).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect((await readAll((await a.get(s.url, '/p', opts())).body)).toString()).toBe('until the close');
  });

  it('a fresh connection closed before any answer rejects (not sent again)', async () => {
    const s = await rawServer((socket) => void socket.destroy());
    await expect(agent().get(s.url, '/p', opts())).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(s.requests).toHaveLength(1);
  });

  it('a kept-alive connection the server drops unanswered: the GET goes again, once, on a fresh one', async () => {
    const s = await rawServer((socket, _r, n) => {
      if (n === 2) socket.destroy();
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    const a = agent(1);
    await readAll((await a.get(s.url, '/p', opts())).body);
    expect((await readAll((await a.get(s.url, '/p', opts())).body)).toString()).toBe('ok');
    expect([s.requests.length, s.connections]).toEqual([3, 2]);
  });

  it('connection: close and HTTP/1.0 answers are not reused; keep-alive ones are', async () => {
    const answers = [
      'HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\na',
      'HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nb',
      'HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 1\r\n\r\nc',
      'HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\nd',
      'HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\ne',
    ];
    const s = await rawServer((socket, _r, n) => void socket.write(answers[n - 1]!));
    const a = agent(1);
    let text = '';
    for (let i = 0; i < answers.length; i++)
      text += (await readAll((await a.get(s.url, '/p', opts())).body)).toString();
    expect(text).toBe('abcde');
    // a and b and c share one; d a second; e a third.
    expect(s.connections).toBe(3);
  });

  it('no pipelining: a connection carries its next request only after the answer before has ended', async () => {
    const sent = new Map<net.Socket, number>();
    const overlapped: number[] = [];
    const s = await rawServer(async (socket, _r, n) => {
      const open = (sent.get(socket) ?? 0) + 1;
      sent.set(socket, open);
      if (open > 1) overlapped.push(n);
      await sleep(5);
      sent.set(socket, open - 1);
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${String(n).length}\r\n\r\n${n}`);
    });
    const a = agent(2);
    const all = await Promise.all(
      Array.from({ length: 12 }, async () => (await readAll((await a.get(s.url, '/p', opts())).body)).toString()),
    );
    expect(all.sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
    expect(overlapped).toEqual([]);
    expect(s.connections).toBe(2);
  });

  it('the request is one write: the request line, host, connection and the given headers', async () => {
    const s = await rawServer((socket) => void socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    await readAll(
      (await agent().get(s.url, '/api/assets/x/original?edited=true', { ...opts(), headers: { 'x-api-key': 'k' } }))
        .body,
    );
    expect(s.requests[0]).toBe(
      `GET /api/assets/x/original?edited=true HTTP/1.1\r\nhost: ${s.url.host}\r\nconnection: keep-alive\r\nx-api-key: k`,
    );
  });

  it('a header value with a line break, or a target with a space, is refused before anything is sent', async () => {
    const s = await rawServer(() => {});
    const a = agent();
    await expect(a.get(s.url, '/p', { ...opts(), headers: { 'x-a': 'v\r\nx-b: 1' } })).rejects.toMatchObject({
      code: 'HTTP1_PROTOCOL',
    });
    await expect(a.get(s.url, '/p q', opts())).rejects.toMatchObject({ code: 'HTTP1_PROTOCOL' });
    expect(s.connections).toBe(0);
  });
});

describe('timeouts and aborts', () => {
  it('no head within headersMs: UND_ERR_HEADERS_TIMEOUT', async () => {
    const s = await rawServer(() => {});
    await expect(agent().get(s.url, '/p', opts({ headersMs: 100 }))).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
  });

  it('a body silent for bodyMs: UND_ERR_BODY_TIMEOUT; one that trickles faster is read whole', async () => {
    const s = await rawServer(async (socket, _r, n) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nab');
      if (n === 1) return;
      for (const c of 'cdef') {
        await sleep(60);
        socket.write(c);
      }
    });
    const a = agent(1);
    await expect(readAll((await a.get(s.url, '/p', opts({ bodyMs: 150 }))).body)).rejects.toMatchObject({
      code: 'UND_ERR_BODY_TIMEOUT',
    });
    expect((await readAll((await a.get(s.url, '/p', opts({ bodyMs: 150 }))).body)).toString()).toBe('abcdef');
  });

  it('a reader that holds back is not a silent server: the timer waits while the socket is paused', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 1);
    const s = await rawServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\n\r\n`);
      socket.write(big);
    });
    const res = await agent().get(s.url, '/p', opts({ bodyMs: 100 }));
    await sleep(300);
    expect((await readAll(res.body)).length).toBe(big.length);
  });

  it("an abort before the head rejects with the signal's reason; during the body, the body fails with it", async () => {
    const s = await rawServer((socket, _r, n) => {
      if (n === 2) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
    });
    const a = agent();
    const first = new AbortController();
    const pending = a.get(s.url, '/p', opts({ signal: first.signal }));
    setTimeout(() => first.abort(new Error('deadline')), 30);
    await expect(pending).rejects.toThrow('deadline');
    const second = new AbortController();
    const res = await a.get(s.url, '/p', opts({ signal: second.signal }));
    setTimeout(() => second.abort(new Error('stop now')), 30);
    await expect(readAll(res.body)).rejects.toThrow('stop now');
  });

  it('a request that ends leaves no listener on its signal; an aborted one neither', async () => {
    const s = await rawServer((socket) => void socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    const a = agent();
    const signal = new AbortController().signal;
    for (let i = 0; i < 20; i++) await readAll((await a.get(s.url, '/p', opts({ signal }))).body);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    const res = await a.get(s.url, '/p', opts({ signal }));
    res.body.destroy();
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('a body left before its end closes that connection; the next request gets a fresh one', async () => {
    const s = await rawServer((socket) => void socket.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'));
    const a = agent(1);
    const res: Http1Answer = await a.get(s.url, '/p', opts());
    res.body.destroy();
    const next = await a.get(s.url, '/p', opts({ bodyMs: 100 }));
    expect(next.statusCode).toBe(200);
    next.body.destroy();
    expect(s.connections).toBe(2);
  });
});

describe('bodies through reused memory', () => {
  /** A server answering GET /b/<k> with bodies[k]: odd k with a length, even k chunked (chunks of
   * varied size), each in many writes, on kept-alive connections. */
  async function bodyServer(bodies: Buffer[]): Promise<Raw> {
    return rawServer(async (socket, request) => {
      const k = Number(/^GET \/b\/(\d+) /.exec(request)![1]);
      const body = bodies[k]!;
      if (k % 2 === 1) {
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`);
        for (let at = 0; at < body.length; at += 50_000) {
          socket.write(body.subarray(at, at + 50_000));
          if (at % 400_000 === 0) await sleep(1);
        }
        return;
      }
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n');
      for (let at = 0, n = 1; at < body.length; n = (n * 7919) % 90_001) {
        const part = body.subarray(at, at + n + 1);
        at += part.length;
        socket.write(`${part.length.toString(16)}\r\n`);
        socket.write(part);
        socket.write('\r\n');
        if (n % 5 === 0) await sleep(1);
      }
      socket.write('0\r\n\r\n');
    });
  }

  const bodies = Array.from({ length: 8 }, (_, k) => randomBytes(300_000 + k * 150_001));

  it('a reader that holds every chunk to the end gets every byte as sent: lengths and chunks, many reads, kept-alive connections', async () => {
    const s = await bodyServer(bodies);
    const a = agent(2);
    // Every request's chunks held until all requests have ended (no chunk handed back).
    const held = await Promise.all(
      bodies.map(async (_, k) => {
        const chunks: Buffer[] = [];
        for await (const c of (await a.get(s.url, `/b/${k}`, opts())).body) chunks.push(c as Buffer);
        return chunks;
      }),
    );
    for (const [k, chunks] of held.entries()) expect(Buffer.concat(chunks).equals(bodies[k]!)).toBe(true);
    expect(s.connections).toBe(2);
  });

  it('chunks still held keep their bytes while the others are handed back and reused', async () => {
    const s = await bodyServer(bodies);
    const a = agent(2);
    const results = await Promise.all(
      bodies.map(async (_, k) => {
        const res = await a.get(s.url, `/b/${k}`, opts());
        const copied: Buffer[] = [];
        const kept: { chunk: Buffer; at: number }[] = [];
        let at = 0;
        await new Promise<void>((resolve, reject) => {
          res.body.on('data', (c: Buffer) => {
            copied.push(Buffer.from(c));
            // Every fifth chunk held to the end; the others handed back at once.
            if (copied.length % 5 === 0) kept.push({ chunk: c, at });
            else res.release(c);
            at += c.length;
          });
          res.body.on('end', resolve);
          res.body.on('error', reject);
        });
        return { copied, kept };
      }),
    );
    for (const [k, r] of results.entries()) {
      expect(Buffer.concat(r.copied).equals(bodies[k]!)).toBe(true);
      for (const { chunk, at } of r.kept) expect(chunk.equals(bodies[k]!.subarray(at, at + chunk.length))).toBe(true);
    }
    expect(s.connections).toBe(2);
  });

  it('a reader that hands back every chunk once it is done with it goes through a few slabs, whatever the size', async () => {
    const big = [randomBytes(100), randomBytes(16 * 1024 * 1024)];
    const s = await bodyServer(big);
    const a = agent(1);
    const memories = new Set<ArrayBufferLike>();
    const hash = createHash('sha1');
    for await (const c of (await a.get(s.url, '/b/1', opts())).body) hash.update(c as Buffer);
    const res = await a.get(s.url, '/b/1', opts());
    const sent = createHash('sha1');
    res.body.on('data', (c: Buffer) => {
      memories.add(c.buffer);
      sent.update(c);
      res.release(c);
    });
    await new Promise((r) => res.body.on('end', r));
    expect(sent.digest('hex')).toBe(createHash('sha1').update(big[1]!).digest('hex'));
    expect(hash.digest('hex')).toBe(createHash('sha1').update(big[1]!).digest('hex'));
    expect(memories.size).toBeLessThanOrEqual(4);
  });
});

describe('TLS', () => {
  const tlsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/immich-tls');

  async function httpsServer(
    answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) =>
      res.writeHead(200, { 'content-length': '6' }).end('secret'),
  ): Promise<URL> {
    const server = https.createServer(
      { key: await readFile(path.join(tlsDir, 'key.pem')), cert: await readFile(path.join(tlsDir, 'cert.pem')) },
      answer,
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
    return new URL(`https://localhost:${(server.address() as AddressInfo).port}`);
  }

  it('a certificate nobody vouches for is refused with its reason', async () => {
    const url = await httpsServer();
    await expect(agent().get(url, '/p', opts())).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  /** `lines` (importing Http1Agent) bundled into a script in a temp folder; its path. */
  async function agentScript(lines: string[]): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'http1-tls-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const script = path.join(dir, 'fetch.mjs');
    await build({
      stdin: {
        contents: [
          `import { Http1Agent } from ${JSON.stringify(path.resolve('src/immich/http1-agent.ts'))};`,
          ...lines,
        ].join('\n'),
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
    return script;
  }
  const trusted = { env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(tlsDir, 'cert.pem') } };

  it("trusted through NODE_EXTRA_CA_CERTS (Node's CA store, as undici uses it): read, and checked against the host name", async () => {
    const url = await httpsServer();
    const script = await agentScript([
      'const a = new Http1Agent({ connections: 1, connectMs: 2000, keepAliveMs: 1000 });',
      'const o = { headers: {}, headersMs: 2000, bodyMs: 2000 };',
      'const out = [];',
      'for (const u of process.argv.slice(2)) {',
      '  try { const r = await a.get(new URL(u), "/p", o); let t = ""; for await (const c of r.body) t += c; out.push(t); }',
      '  catch (e) { out.push(e.code); }',
      '}',
      'a.close(); console.log(JSON.stringify(out));',
    ]);
    const byAddress = `https://127.0.0.1:${url.port}`;
    const { stdout } = await promisify(execFile)(process.execPath, [script, url.href, byAddress], trusted);
    expect(JSON.parse(stdout)).toEqual(['secret', 'ERR_TLS_CERT_ALTNAME_INVALID']);
  });

  it('big bodies over TLS, lengths and chunks on one kept-alive connection: chunks held to the end keep their bytes', async () => {
    const bodies = [randomBytes(3_000_000), randomBytes(2_000_001), randomBytes(1_000_003)];
    const sockets = new Set<unknown>();
    const url = await httpsServer((req, res) => {
      sockets.add(req.socket);
      const k = Number(req.url!.slice(3));
      // Even k with a length, odd k chunked (Node's server frames each write as a chunk).
      if (k % 2 === 0) res.writeHead(200, { 'content-length': String(bodies[k]!.length) });
      for (let at = 0; at < bodies[k]!.length; at += 100_000) res.write(bodies[k]!.subarray(at, at + 100_000));
      res.end();
    });
    const script = await agentScript([
      "import { createHash } from 'node:crypto';",
      'const a = new Http1Agent({ connections: 1, connectMs: 2000, keepAliveMs: 5000 });',
      'const o = { headers: {}, headersMs: 5000, bodyMs: 5000 };',
      // Every chunk of every body held until all have ended; the last body's handed back as read.
      'const held = [];',
      'for (const k of [0, 1, 2]) { const r = await a.get(new URL(process.argv[2]), `/b/${k}`, o); const c = []; for await (const x of r.body) c.push(x); held.push(c); }',
      'const r = await a.get(new URL(process.argv[2]), "/b/0", o); const h = createHash("sha1");',
      'await new Promise((done) => { r.body.on("data", (x) => { h.update(x); r.release(x); }); r.body.on("end", done); });',
      'a.close();',
      'console.log(JSON.stringify([...held.map((c) => createHash("sha1").update(Buffer.concat(c)).digest("hex")), h.digest("hex")]));',
    ]);
    const { stdout } = await promisify(execFile)(process.execPath, [script, url.href], trusted);
    const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
    expect(JSON.parse(stdout)).toEqual([...bodies.map(sha1), sha1(bodies[0]!)]);
    expect(sockets.size).toBe(1);
  });
});
