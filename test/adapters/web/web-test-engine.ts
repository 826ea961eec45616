/**
 * @module Starts the web chat for a test over real HTTP, and a small cookie-keeping client
 * that behaves like one browser session.
 */
import { readFileSync } from 'node:fs';
import { startWeb, type RunningWebAdapter, type WebAdapterOptions } from '../../../adapters/web/index.ts';
import { loadConfig } from '../../../src/config.ts';
import { createEngine, type Engine, type EngineParts } from '../../../src/engine.ts';
import type { RenderRequest, RenderResult, Renderer } from '../../../src/renderer/renderer.ts';
import { ToneRenderer } from '../../../src/renderer/tone-renderer.ts';

/** The tone renderer behind a gate: it reports progress, then waits until the test opens the gate. */
export class GatedRenderer implements Renderer {
  readonly name = 'gated-tone';
  readonly #tone = new ToneRenderer();
  open: () => void = () => {};
  readonly #opened = new Promise<void>((resolve) => (this.open = resolve));
  #markStarted: () => void = () => {};
  /** Resolves when the first render has started. */
  readonly started = new Promise<void>((resolve) => (this.#markStarted = resolve));

  async render(request: RenderRequest): Promise<RenderResult> {
    this.#markStarted();
    request.onProgress?.({ stage: 'queued', position: 2 });
    request.onProgress?.({ stage: 'rendering', step: 3, steps: 8 });
    await this.#opened;
    return this.#tone.render(request);
  }
}

export const FIXTURES = new URL('../../fixtures/images/', import.meta.url);

export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

/** The real engine with the embedded defaults (memory store, rules, knowledge, tone); `env` adds variables such as REDIS_URL. */
export async function createTestEngine(env: Record<string, string> = {}, parts: EngineParts = {}): Promise<Engine> {
  // Tiny test photos: the picture-safety classifier is tested on its own (fixture's comment).
  return createEngine(
    loadConfig({
      LOG_LEVEL: 'silent',
      MOODSHIFT_POLICY: new URL('../../fixtures/policies/pictures-not-checked.yaml', import.meta.url).pathname,
      ...env,
    }),
    parts,
  );
}

export interface TestWeb {
  engine: Engine;
  web: RunningWebAdapter;
  close(): Promise<void>;
}

/**
 * The web chat on a free port of 127.0.0.1. The tests play many visitors from this one address,
 * so the limit on new conversations per address is raised unless `options` sets it (the
 * hardening tests check the real default).
 */
export async function startTestWeb(
  options: WebAdapterOptions = {},
  env: Record<string, string> = {},
  parts: EngineParts = {},
): Promise<TestWeb> {
  const engine = await createTestEngine(env, parts);
  const web = await startWeb(engine, { port: 0, host: '127.0.0.1', newSessionsPerMinute: 10_000, ...options });
  return {
    engine,
    web,
    close: async () => {
      await web.stop();
      await engine.close();
    },
  };
}

export interface TurnBody {
  turnId: string;
  messageId: string;
  replies: Array<{
    id: string;
    kind: 'edit' | 'info' | 'ask' | 'error';
    text: string;
    code?: string;
    actions: string[];
    emotions: string[];
    editId?: string;
    target?: string;
    image?: { url: string; downloadUrl: string; width: number; height: number; type: string; name: string };
    original?: { editId: string; url: string };
  }>;
  error?: { code: string; message: string };
}

/** One browser session: keeps the session cookie the server sets, and sends `Origin` with a POST as a browser does. */
export class Session {
  cookie?: string;
  constructor(readonly baseUrl: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set('cookie', this.cookie);
    if (init.method && init.method !== 'GET' && init.method !== 'HEAD' && !headers.has('origin'))
      headers.set('origin', new URL(this.baseUrl).origin);
    const response = await fetch(new URL(path, this.baseUrl), { ...init, headers });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return response;
  }

  /** Sends a turn with a picture (multipart), as the page does. */
  async upload(
    image: Buffer,
    text: string,
    options: { name?: string; type?: string; replyTo?: string } = {},
  ): Promise<{ status: number; body: TurnBody }> {
    const form = new FormData();
    form.set('text', text);
    if (options.replyTo) form.set('replyTo', options.replyTo);
    form.set(
      'image',
      new Blob([new Uint8Array(image)], { type: options.type ?? 'image/png' }),
      options.name ?? 'photo.png',
    );
    const response = await this.request('/api/turns', { method: 'POST', body: form });
    return { status: response.status, body: (await response.json()) as TurnBody };
  }

  /** Sends a text or button turn as JSON. */
  async say(payload: {
    text?: string;
    replyTo?: string;
    turnId?: string;
    action?: { kind: string; emotion?: string; editId?: string };
  }): Promise<{ status: number; body: TurnBody }> {
    const response = await this.request('/api/turns', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    return { status: response.status, body: (await response.json()) as TurnBody };
  }
}
