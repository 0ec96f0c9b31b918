// The page's HTTP plumbing on Node's own server: a route table (method + path pattern), request
// bodies read with a hard cap, and answers with the stable error codes. Chosen over Fastify after
// measuring peak RSS: Node's http with `cookie` and `csrf` peaked ~14 MB lower (README, "The page").
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FrameError, type FrameErrorCode } from '../core/errors.js';

/** What an HTTP caller is refused for, with its status. */
export class WebError extends FrameError {
  constructor(
    readonly status: number,
    code: FrameErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message, { code });
  }
}

/** Request bodies above this are refused before they are read whole (a config is a few KB). */
export const MAX_BODY_BYTES = 64 * 1024;

/** The body as text, at most `max` bytes: more is a BODY_TOO_LARGE refusal, never buffered. */
export async function readBody(req: IncomingMessage, max = MAX_BODY_BYTES): Promise<string> {
  return (await readBytes(req, max)).toString('utf8');
}

/** The body's bytes, at most `max`: a declared or streamed excess is refused as soon as it shows,
 * and what is left of it is never kept (Node discards the rest of the request). */
export async function readBytes(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw tooLarge(max);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw tooLarge(max);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(max: number): WebError {
  const limit = max >= 1024 * 1024 ? `${max / (1024 * 1024)} MB` : `${max / 1024} KB`;
  return new WebError(413, 'BODY_TOO_LARGE', `the request body is larger than ${limit}`);
}

/** A form post (the page without scripts) or JSON (the scripts, curl): both as one object of strings or values. */
export async function readFields(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (type !== 'application/json')
    throw new WebError(415, 'BAD_REQUEST', 'send application/json or application/x-www-form-urlencoded');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new WebError(400, 'BAD_REQUEST', 'the request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new WebError(400, 'BAD_REQUEST', 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

export function isFormPost(req: IncomingMessage): boolean {
  return String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  err: WebError | { status: number; code: string; message: string },
): void {
  if (err instanceof WebError) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  sendJson(res, err.status, { error: { code: err.code, message: err.message } });
}

interface Route<H> {
  method: string;
  parts: string[];
  handler: H;
}

/** Paths such as "/api/photos/:id/thumbnail": a `:name` part takes one decoded path segment. */
export class Router<H> {
  private readonly routes: Route<H>[] = [];

  add(method: string, pattern: string, handler: H): this {
    this.routes.push({ method, parts: pattern.split('/').slice(1), handler });
    return this;
  }

  /** The route for a request, or why there is none (404, 405). */
  match(method: string, pathname: string): { handler: H; params: Record<string, string> } | 404 | 405 {
    const segments = pathname.split('/').slice(1);
    let pathKnown = false;
    for (const r of this.routes) {
      if (r.parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < r.parts.length && ok; i++) {
        const part = r.parts[i]!;
        if (part.startsWith(':')) {
          let value: string;
          try {
            value = decodeURIComponent(segments[i]!);
          } catch {
            return 404;
          }
          if (value === '') ok = false;
          else params[part.slice(1)] = value;
        } else ok = part === segments[i];
      }
      if (!ok) continue;
      pathKnown = true;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { handler: r.handler, params };
    }
    return pathKnown ? 405 : 404;
  }
}
