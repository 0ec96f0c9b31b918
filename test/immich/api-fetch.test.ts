// Every request's way over the lean agent (api-fetch.ts), where the JSON requests went through
// undici's redirect interceptor and our retry interceptor before: a POST's body on the wire, the
// key for the server's own origin only, redirects as undici followed them (a 303, and a 301 or 302
// to a POST, become a GET without a body; a 307 keeps both), and an answer read whole asked again
// when its body is cut short, refused past its bound, and cut to its first 64 KiB when an error.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiFetcher, DEFAULT_TIMEOUTS } from '../../src/immich/api-fetch.js';
import { Http1Agent } from '../../src/immich/http1-agent.js';
import {
  AnswerTooLargeError,
  DEFAULT_RETRY_POLICY,
  ERROR_BODY_BYTES,
  type RetryEvent,
} from '../../src/immich/retry.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A node:http server on loopback: `answer` gets each request with its body read. */
async function server(answer: (seen: Seen, res: ServerResponse, n: number) => void): Promise<{
  url: string;
  seen: Seen[];
}> {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const one = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(one);
      answer(one, res, seen.length);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    s.closeAllConnections();
    return new Promise((r) => s.close(r));
  });
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}

function fetcherFor(origin: string, retries: RetryEvent[] = []) {
  const agent = new Http1Agent({ connections: 4, connectMs: 5_000, keepAliveMs: 10_000 });
  cleanups.push(() => agent.close());
  return new ApiFetcher({
    agent,
    origin,
    apiKey: 'key-123',
    retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 2 },
    hooks: { onRetry: (e) => retries.push(e) },
    timeouts: DEFAULT_TIMEOUTS,
  });
}

const signal = () => new AbortController().signal;

function json(res: ServerResponse, value: unknown, status = 200): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

describe('the API fetcher', () => {
  it('sends a POST with its JSON body, content type and length, and the key, on a kept connection', async () => {
    const s = await server((seen, res) => json(res, { echo: seen.body }));
    const f = fetcherFor(s.url);
    const body = JSON.stringify({ albumIds: ['å'], page: 1 });
    for (let i = 0; i < 2; i++) {
      const answer = await f.whole('POST', '/api/search/metadata', body, signal(), 1 << 20);
      expect(answer.statusCode).toBe(200);
      expect(JSON.parse(answer.bytes.toString())).toEqual({ echo: body });
    }
    expect(s.seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/api/search/metadata', body],
      ['POST', '/api/search/metadata', body],
    ]);
    const headers = s.seen[0]!.headers;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(headers['x-api-key']).toBe('key-123');
    expect(headers['accept']).toBe('application/json');
  });

  it.each([
    [301, 'GET', ''],
    [302, 'GET', ''],
    [303, 'GET', ''],
    [307, 'POST', '{"page":1}'],
    [308, 'POST', '{"page":1}'],
  ])('follows a %i to a POST as undici did: then %s', async (status, method, body) => {
    const s = await server((seen, res) => {
      if (seen.url === '/from') {
        res.writeHead(status, { location: '/to', 'content-length': 0 });
        res.end();
      } else json(res, { method: seen.method });
    });
    const f = fetcherFor(s.url);
    const answer = await f.whole('POST', '/from', '{"page":1}', signal(), 1 << 20);
    expect(JSON.parse(answer.bytes.toString())).toEqual({ method });
    const to = s.seen[1]!;
    expect([to.method, to.url, to.body]).toEqual([method, '/to', body]);
    expect(to.headers['content-type']).toBe(method === 'POST' ? 'application/json' : undefined);
    expect(to.headers['x-api-key']).toBe('key-123');
  });

  it('sends the key to no other origin a redirect leads to', async () => {
    const other = await server((_seen, res) => json(res, { there: true }));
    const s = await server((_seen, res) => {
      res.writeHead(302, { location: `${other.url}/elsewhere`, 'content-length': 0 });
      res.end();
    });
    const answer = await fetcherFor(s.url).whole('GET', '/api/server/version', undefined, signal(), 1 << 20);
    expect(JSON.parse(answer.bytes.toString())).toEqual({ there: true });
    expect(s.seen[0]!.headers['x-api-key']).toBe('key-123');
    expect(other.seen[0]!.headers['x-api-key']).toBeUndefined();
  });

  it('asks again for an answer read whole whose body is cut short, and says why', async () => {
    const s = await server((_seen, res, n) => {
      if (n === 1) {
        // Announces 100 bytes, sends 10 and closes.
        res.writeHead(200, { 'content-length': 100 });
        res.write('{"major":3');
        setTimeout(() => res.socket?.destroy(), 20);
      } else json(res, { major: 3 });
    });
    const retries: RetryEvent[] = [];
    const answer = await fetcherFor(s.url, retries).whole('GET', '/api/server/version', undefined, signal(), 1 << 20);
    expect(JSON.parse(answer.bytes.toString())).toEqual({ major: 3 });
    expect(s.seen).toHaveLength(2);
    expect(retries.map((r) => [r.attempt, r.reason, r.method, r.path])).toEqual([
      [1, 'UND_ERR_SOCKET', 'GET', '/api/server/version'],
    ]);
  });

  it('hands a body cut short over as it is when the answer is streamed (the caller retries)', async () => {
    const s = await server((_seen, res) => {
      res.writeHead(200, { 'content-length': 100 });
      res.write('{"major":3');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const answer = await fetcherFor(s.url).stream('GET', '/api/stacks', undefined, signal());
    const read = (async () => {
      for await (const chunk of answer.body) void chunk;
    })();
    await expect(read).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(s.seen).toHaveLength(1);
  });

  it('refuses an answer past its bound without asking again', async () => {
    const s = await server((_seen, res) => json(res, { blob: 'x'.repeat(10_000) }));
    const err = await fetcherFor(s.url)
      .whole('GET', '/api/albums', undefined, signal(), 4096)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AnswerTooLargeError);
    expect((err as AnswerTooLargeError).limitBytes).toBe(4096);
    expect(s.seen).toHaveLength(1);
  });

  it('reads an error answer to its first 64 KiB, however long it goes on', async () => {
    const s = await server((_seen, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      const page = Buffer.alloc(16 * 1024, 'e');
      // An error page that never ends: 64 MiB unless the reader leaves.
      let sent = 0;
      const more = () => {
        while (sent < 4096 && res.write(page)) sent += 1;
        if (sent < 4096 && !res.destroyed) res.once('drain', more);
      };
      more();
    });
    const answer = await fetcherFor(s.url).whole('GET', '/api/albums/x', undefined, signal(), 1 << 20);
    expect(answer.statusCode).toBe(404);
    expect(answer.bytes.length).toBe(ERROR_BODY_BYTES);
    expect(s.seen).toHaveLength(1);
  });

  it('tries a 503 again and returns the answer that followed it, read whole', async () => {
    const s = await server((_seen, res, n) => (n < 3 ? json(res, { message: 'busy' }, 503) : json(res, { ok: n })));
    const retries: RetryEvent[] = [];
    const answer = await fetcherFor(s.url, retries).whole('POST', '/api/search/metadata', '{}', signal(), 1 << 20);
    expect(JSON.parse(answer.bytes.toString())).toEqual({ ok: 3 });
    expect(retries.map((r) => r.reason)).toEqual(['HTTP 503', 'HTTP 503']);
    expect(s.seen.map((r) => r.body)).toEqual(['{}', '{}', '{}']);
  });
});
