// Who is signed in to the page: random session ids in an HttpOnly, SameSite=Strict cookie, kept
// in memory (a restart signs everyone out, which a frame can afford), each with its own CSRF
// secret. Cookies are parsed and written by `cookie` (jshttp), tokens made and checked by `csrf`
// (pillarjs): neither is hand-written here.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse, serialize } from 'cookie';
import Tokens from 'csrf';

export const SESSION_COOKIE = 'artframe_session';
/** Sessions kept at most (signed in or not): the oldest go first, so memory stays bounded. */
const MAX_SESSIONS = 256;
const SESSION_MS = 30 * 24 * 3_600_000;

export interface Session {
  id: string;
  signedIn: boolean;
  csrfSecret: string;
  expires: number;
}

export class Sessions {
  private readonly byId = new Map<string, Session>();
  private readonly tokens = new Tokens();

  constructor(private readonly now: () => number = Date.now) {}

  /** The request's live session, if its cookie names one. */
  find(req: IncomingMessage): Session | null {
    const id = parse(req.headers.cookie ?? '')[SESSION_COOKIE];
    if (!id) return null;
    const s = this.byId.get(id);
    if (!s || s.expires < this.now()) {
      if (s) this.byId.delete(id);
      return null;
    }
    return s;
  }

  /** A new session (signed in or not); a sign-in always gets a new id, so a planted one is useless. */
  create(signedIn: boolean): Session {
    while (this.byId.size >= MAX_SESSIONS) this.byId.delete(this.byId.keys().next().value!);
    const s: Session = {
      id: randomBytes(32).toString('base64url'),
      signedIn,
      csrfSecret: this.tokens.secretSync(),
      expires: this.now() + SESSION_MS,
    };
    this.byId.set(s.id, s);
    return s;
  }

  end(s: Session): void {
    this.byId.delete(s.id);
  }

  /** Every session signed out (the password changed). */
  endAll(): void {
    this.byId.clear();
  }

  cookie(s: Session): string {
    return serialize(SESSION_COOKIE, s.id, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      maxAge: Math.floor(SESSION_MS / 1000),
    });
  }

  clearedCookie(): string {
    return serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 0 });
  }

  csrfToken(s: Session): string {
    return this.tokens.create(s.csrfSecret);
  }

  csrfValid(s: Session, token: string | undefined): boolean {
    return typeof token === 'string' && this.tokens.verify(s.csrfSecret, token);
  }
}
