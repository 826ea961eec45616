/**
 * @module Web chat sessions: a random 128-bit id in an http-only, SameSite=Strict cookie,
 * signed by the server (`<id>.<HMAC-SHA256 of the id>`). The id names the person's
 * conversation, so nobody can reach another person's pictures or edit tree without holding
 * their cookie; the signature means the server only takes ids it issued, so an id made up by a
 * client is never adopted, and a client that drops its cookie goes through the limit on new
 * sessions. The conversation key, logs and the moderation audit see only a one-way digest of
 * the id (`publicSessionId`), so a log line never hands out a session.
 *
 * The signing key is `WEB_SESSION_SECRET` when set (then every process and every restart
 * accepts the same cookies), else random per process. A cookie signed with another key (after a
 * restart, by another process, or from before cookies were signed) is still taken when its
 * conversation exists, and signed again: only a holder of the id could have made that
 * conversation, so nothing is lost and nothing is adopted.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { ConversationKey } from '../../src/index.ts';

/** The cookie's name. */
export const SESSION_COOKIE = 'moodshift_session';

/** 16 random bytes in base64url: exactly 22 characters, then optionally `.` and 43 characters of signature. */
const SESSION_COOKIE_PATTERN = /^([A-Za-z0-9_-]{22})(?:\.([A-Za-z0-9_-]{43}))?$/;

/** How long the browser keeps the cookie when the operator does not say: 30 days. */
export const DEFAULT_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600;

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/** What a session cookie says: the id, and whether this process's key signed it. */
export interface SessionCookie {
  id: string;
  signed: boolean;
}

/** Signs and checks session cookies with one key. */
export class SessionCookies {
  readonly #key: Buffer;

  /** @param secret `WEB_SESSION_SECRET`; a random key per process when undefined. */
  constructor(secret?: string) {
    this.#key =
      secret === undefined
        ? randomBytes(32)
        : createHash('sha256').update(`moodshift-web-session-key:${secret}`).digest();
  }

  /** The cookie value for an id: `<id>.<signature>`. */
  sign(id: string): string {
    return `${id}.${this.#mac(id)}`;
  }

  /** The request's session cookie when it is well formed (signed by this key or not); undefined otherwise. */
  read(c: Context): SessionCookie | undefined {
    const match = SESSION_COOKIE_PATTERN.exec(getCookie(c, SESSION_COOKIE) ?? '');
    if (!match) return undefined;
    const id = match[1]!;
    const signature = match[2];
    const signed = signature !== undefined && timingSafeEqual(Buffer.from(signature), Buffer.from(this.#mac(id)));
    return { id, signed };
  }

  /** Sets the signed cookie for `id` on the response. */
  set(c: Context, id: string, maxAgeSeconds = DEFAULT_COOKIE_MAX_AGE_SECONDS): void {
    setCookie(c, SESSION_COOKIE, this.sign(id), {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: maxAgeSeconds,
    });
  }

  #mac(id: string): string {
    return createHmac('sha256', this.#key).update(id).digest('base64url');
  }
}

/**
 * Counts new sessions per network address over the last minute. IPv6 addresses count per /64,
 * the block one host usually holds, so walking through one's own addresses does not help.
 */
export class NewSessionLimiter {
  readonly #issued = new Map<string, number[]>();

  constructor(
    /** New sessions one address may start per minute. */
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a new session for `address` and returns true, or returns false when it is over the limit. */
  take(address: string): boolean {
    const now = this.now();
    if (this.#issued.size > 10_000) this.#sweep(now);
    const key = addressBlock(address);
    const recent = (this.#issued.get(key) ?? []).filter((time) => now - time < 60_000);
    if (recent.length >= this.perMinute) {
      this.#issued.set(key, recent);
      return false;
    }
    recent.push(now);
    this.#issued.set(key, recent);
    return true;
  }

  #sweep(now: number): void {
    for (const [key, times] of this.#issued) if (times.every((time) => now - time >= 60_000)) this.#issued.delete(key);
  }
}

/** The address itself for IPv4, its first 64 bits for IPv6. */
export function addressBlock(address: string): string {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').replace(/%.*$/, '');
  if (!plain.includes(':')) return plain;
  const [head = '', tail] = plain.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** A stable, non-secret name for a session: 22 base64url characters of SHA-256 of its id. */
export function publicSessionId(sessionId: string): string {
  return createHash('sha256').update(`moodshift-web-session:${sessionId}`).digest('base64url').slice(0, 22);
}

/** The conversation a web session owns: `{ platform: 'web', chat: <public session id>, user: <the same> }`. */
export function conversationKeyFor(sessionId: string): ConversationKey {
  const id = publicSessionId(sessionId);
  return { platform: 'web', chat: id, user: id };
}
