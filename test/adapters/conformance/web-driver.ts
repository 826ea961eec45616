/**
 * @module The conformance driver of the web chat: one browser session (cookie) per person over
 * real HTTP, as the page talks to the server (`POST /api/turns`, the pictures' URLs, and the
 * `/api/events` stream for progress). A restart stops the server and the engine and starts new
 * ones on the same port and the same Redis; the browser keeps its cookie.
 */
import type { RunningWebAdapter } from '../../../adapters/web/index.ts';
import { startWeb } from '../../../adapters/web/index.ts';
import { EMOTIONS, type Emotion } from '../../../src/emotions.ts';
import type { Engine } from '../../../src/engine.ts';
import { createTestEngine, Session, type TurnBody } from '../web/web-test-engine.ts';
import {
  moderatorCommandText,
  type Action,
  type AdapterDriver,
  type Answer,
  type DriverCapabilities,
  type ModeratorCommand,
  type Person,
} from './driver.ts';

interface WebAnswer extends Answer {
  reply: TurnBody['replies'][number];
}

/** A person: a browser session and what its event stream has received. */
class WebPerson implements Person {
  readonly session: Session;
  readonly events: Array<{ turnId: string; progress: { stage: string } }> = [];
  #ready?: Promise<void>;
  #abort = new AbortController();

  constructor(
    readonly name: string,
    baseUrl: string,
  ) {
    this.session = new Session(baseUrl);
  }

  /** Opens the session and its event stream (as the page does on load), once. */
  ready(): Promise<void> {
    this.#ready ??= (async () => {
      await this.session.request('/');
      const response = await this.session.request('/api/events', { signal: this.#abort.signal });
      if (response.status !== 200) throw new Error(`the event stream answered ${response.status}`);
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let markReady = (): void => {};
      const opened = new Promise<void>((resolve) => (markReady = resolve));
      void (async () => {
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done) return;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (/^event: ready/m.test(block)) markReady();
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (/^event: progress/m.test(block) && data)
              this.events.push(JSON.parse(data) as WebPerson['events'][number]);
          }
        }
      })();
      await opened;
    })();
    return this.#ready;
  }

  /** The stream is lost when the server stops: the page opens a new one. */
  reopen(): void {
    this.#abort.abort();
    this.#abort = new AbortController();
    this.#ready = undefined;
  }

  close(): void {
    this.#abort.abort();
  }
}

/** Everyone who reaches the local page moderates it; visitors are anonymous sessions nobody can name to ban; nobody else sees a person's pictures. */
export const WEB_CAPABILITIES: DriverCapabilities = {
  moderators: 'everyone',
  privateModeratorAnswers: false,
  bans: false,
  sharedPlace: false,
};

export async function webDriver(options: { redisUrl?: string }): Promise<AdapterDriver> {
  const env: Record<string, string> = options.redisUrl ? { REDIS_URL: options.redisUrl } : {};
  let engine: Engine = await createTestEngine(env);
  let web: RunningWebAdapter = await startWeb(engine, { port: 0, host: '127.0.0.1', newSessionsPerMinute: 10_000 });
  const port = Number(new URL(web.url).port);
  let people: WebPerson[] = [];

  const person = (as: Person): WebPerson => as as WebPerson;

  const answer = async (as: Person, turn: () => Promise<{ status: number; body: TurnBody }>): Promise<WebAnswer> => {
    const me = person(as);
    await me.ready();
    const { body } = await turn();
    const reply = body.replies.find((r) => r.image) ?? body.replies.at(-1);
    if (!reply) throw new Error(`the turn got no reply: ${JSON.stringify(body)}`);
    // An edit pushes progress while it runs; its last event ("done") may trail the answer a little.
    const deadline = Date.now() + (reply.image ? 2000 : 0);
    while (!me.events.some((e) => e.turnId === body.turnId && e.progress.stage === 'done') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    let image: Buffer | undefined;
    if (reply.image) {
      const response = await me.session.request(reply.image.url);
      if (response.status !== 200) throw new Error(`the picture ${reply.image.url} answered ${response.status}`);
      image = Buffer.from(await response.arrayBuffer());
    }
    return {
      reply,
      text: reply.text,
      image,
      actions: reply.image ? (reply.actions as Action[]) : [],
      emotions: reply.emotions.filter((e): e is Emotion => (EMOTIONS as readonly string[]).includes(e)),
      progressSeen: me.events.some((e) => e.turnId === body.turnId && e.progress.stage !== 'done'),
      private: false,
    };
  };
  const replyOf = (on: Answer) => (on as WebAnswer).reply;
  // Web visitors are anonymous sessions: nobody can be named to ban (`capabilities.bans`).
  const commandText = (command: ModeratorCommand) => moderatorCommandText(command);
  const newPerson = (name: string) => {
    const made = new WebPerson(name, web.url);
    people.push(made);
    return made;
  };

  return {
    name: 'web',
    // Moderator commands on the page are for the operator's own machine: whoever reaches it runs them.
    capabilities: WEB_CAPABILITIES,
    member: newPerson,
    moderator: newPerson,
    sendPhoto: (as, photo, text) =>
      answer(as, () => person(as).session.upload(photo, text ?? '', { type: 'image/jpeg', name: 'photo.jpg' })),
    sendFile: (as, file, text) =>
      answer(as, () => person(as).session.upload(file.bytes, text, { type: file.type, name: file.name })),
    sendText: (as, text) => answer(as, () => person(as).session.say({ text })),
    press: (as, on, action) =>
      answer(as, () => person(as).session.say({ action: { kind: action, editId: replyOf(on).editId } })),
    choose: (as, on, emotion) =>
      answer(as, () => person(as).session.say({ action: { kind: 'emotion', emotion, editId: replyOf(on).editId } })),
    replyTo: (as, on, text) => answer(as, () => person(as).session.say({ text, replyTo: replyOf(on).id })),
    help: (as) => answer(as, () => person(as).session.say({ text: '/help' })),
    moderate: (as, command) => answer(as, () => person(as).session.say({ text: commandText(command) })),
    async restart() {
      if (!options.redisUrl) throw new Error('a restart keeps the conversations only with Redis');
      await web.stop();
      await engine.close();
      engine = await createTestEngine(env);
      web = await startWeb(engine, { port, host: '127.0.0.1', newSessionsPerMinute: 10_000 });
      for (const p of people) p.reopen();
    },
    async close() {
      for (const p of people) p.close();
      people = [];
      await web.stop();
      await engine.close();
    },
  };
}
