/**
 * @module Web chat sessions: a random 128-bit id in an http-only, SameSite=Strict cookie. The
 * id names the person's conversation, so nobody can reach another person's pictures or edit
 * tree without holding their cookie. The conversation key, logs and the moderation audit see
 * only a one-way digest of it (`publicSessionId`), so a log line never hands out a session.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { ConversationKey } from '../../src/turn.ts';

/** The cookie's name. */
export const SESSION_COOKIE = 'moodshift_session';

/** 16 random bytes in base64url: exactly 22 characters. */
const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** How long the browser keeps the cookie when the operator does not say: 30 days. */
const DEFAULT_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600;

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/** The session id the request carries, if it is well formed. */
export function readSessionId(c: Context): string | undefined {
  const value = getCookie(c, SESSION_COOKIE);
  return value && SESSION_ID_PATTERN.test(value) ? value : undefined;
}

/** The request's session id, creating one (and setting its cookie on the response) when it has none. */
export function ensureSessionId(c: Context, maxAgeSeconds = DEFAULT_COOKIE_MAX_AGE_SECONDS): string {
  const existing = readSessionId(c);
  if (existing) return existing;
  const id = newSessionId();
  setCookie(c, SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: maxAgeSeconds,
  });
  return id;
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
