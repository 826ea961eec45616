/**
 * @module A fake OpenAI-compatible chat server for tests: node:http on 127.0.0.1 answering
 * `POST /v1/chat/completions` the way OpenAI, Ollama, vLLM and llama.cpp do, closely enough
 * that the real `ChatOpenAI` of `@langchain/openai` parses its answers unchanged.
 *
 * A test scripts what the "model" says with `answerWith` (one answer for every request) or
 * `enqueue` (one answer per request, in order, before the default). An answer is:
 *
 * - `{ json: value }`: the structured output. It is written where the request asked for it:
 *   as the arguments of a tool call when the request carries `tools` (function calling),
 *   otherwise as the message content (`response_format` JSON schema or JSON mode);
 * - `{ content: text }`: the message content as given (e.g. text that is not JSON);
 * - `{ status, body? }`: an HTTP error (500, 429, …) with an OpenAI-style error body;
 * - `{ hang: true }`: never answers (the client's timeout must end it);
 * and any of them may carry `delayMs` before the answer is written.
 *
 * Every request is recorded (`requests`) with its parsed body, so a test can check what the
 * model was sent (the prompt, the image data URL, the schema).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeAnswer =
  | { json: unknown; delayMs?: number }
  | { content: string; delayMs?: number }
  | { status: number; body?: unknown; delayMs?: number }
  | { hang: true };

/** One message of a chat completion request (the fields tests read). */
export interface FakeChatMessage {
  role: string;
  content: string | Array<{ type: string; text?: string; image_url?: { url: string } | string }>;
}

/** A chat completion request as the fake received it. */
export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: {
    model?: string;
    messages: FakeChatMessage[];
    tools?: Array<{ type: string; function: { name: string; parameters?: unknown } }>;
    tool_choice?: unknown;
    response_format?: { type: string; json_schema?: { name: string; schema: unknown } };
    [key: string]: unknown;
  };
}

export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  /** The most requests that were being answered at the same moment. */
  maxInFlight = 0;
  private inFlight = 0;
  private readonly server: Server;
  private readonly queue: FakeAnswer[] = [];
  private fallbackAnswer: FakeAnswer | ((request: RecordedRequest) => FakeAnswer) = {
    status: 500,
    body: { error: { message: 'the fake model has no scripted answer', type: 'server_error' } },
  };
  private readonly open = new Set<ServerResponse>();
  private port = 0;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Starts listening on 127.0.0.1, on a free port unless one is given. */
  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The base URL a client is given (`LLM_BASE_URL`), ending in `/v1`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** The answer to every request not served by `enqueue`; a function sees the request. */
  answerWith(answer: FakeAnswer | ((request: RecordedRequest) => FakeAnswer)): void {
    this.fallbackAnswer = answer;
  }

  /** Answers for the next requests, one each, in order. */
  enqueue(...answers: FakeAnswer[]): void {
    this.queue.push(...answers);
  }

  /** Forgets recorded requests and queued answers. */
  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.maxInFlight = 0;
  }

  /** The text of every message of a request, joined (system, user and text parts). */
  static textOf(request: RecordedRequest): string {
    return request.body.messages
      .map((m) => (typeof m.content === 'string' ? m.content : m.content.map((part) => part.text ?? '').join('\n')))
      .join('\n');
  }

  /** The image URLs (data URLs) a request carries. */
  static imagesOf(request: RecordedRequest): string[] {
    return request.body.messages.flatMap((m) =>
      typeof m.content === 'string'
        ? []
        : m.content.flatMap((part) =>
            part.type === 'image_url' && part.image_url
              ? [typeof part.image_url === 'string' ? part.image_url : part.image_url.url]
              : [],
          ),
    );
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      return send(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
    }
    let body: RecordedRequest['body'];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedRequest['body'];
    } catch {
      return send(res, 400, { error: { message: 'the body is not JSON', type: 'invalid_request_error' } });
    }
    const request: RecordedRequest = { path, headers: req.headers, body };
    this.requests.push(request);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    const next = this.queue.shift() ?? this.fallbackAnswer;
    const answer = typeof next === 'function' ? next(request) : next;
    if ('hang' in answer) {
      this.open.add(res);
      res.on('close', () => this.open.delete(res));
      return;
    }
    if (answer.delayMs) {
      this.open.add(res);
      await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      this.open.delete(res);
      if (res.destroyed) return;
    }
    if ('status' in answer) {
      return send(
        res,
        answer.status,
        answer.body ?? { error: { message: `fake error ${answer.status}`, type: 'server_error' } },
      );
    }
    send(res, 200, completion(body, 'json' in answer ? { json: answer.json } : { content: answer.content }));
  }
}

function completion(body: RecordedRequest['body'], answer: { json: unknown } | { content: string }): unknown {
  const tool = body.tools?.[0]?.function.name;
  const message =
    'json' in answer && tool
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_fake_1', type: 'function', function: { name: tool, arguments: JSON.stringify(answer.json) } },
          ],
        }
      : { role: 'assistant', content: 'json' in answer ? JSON.stringify(answer.json) : answer.content };
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? 'fake-model',
    choices: [{ index: 0, message, finish_reason: tool && 'json' in answer ? 'tool_calls' : 'stop', logprobs: null }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts a fake server; close it with `close()`. */
export function startFakeOpenAi(): Promise<FakeOpenAiServer> {
  return new FakeOpenAiServer().start();
}
