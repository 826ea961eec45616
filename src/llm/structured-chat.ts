/**
 * @module One structured call to an OpenAI-compatible chat model through LangChain's
 * `ChatOpenAI`: messages in, a value validated by a zod schema out, within a deadline that
 * covers every retry. A failure is never thrown as-is: it comes back classified (timeout,
 * HTTP error, network, invalid output) so that the caller can fall back, log and count it.
 */
import { ChatOpenAI } from '@langchain/openai';
import type { AIMessage, BaseMessage } from '@langchain/core/messages';
import type { Runnable } from '@langchain/core/runnables';
import type { z } from 'zod';
import type { ResolvedLlmConnection } from './llm-options.ts';

/** Why a call gave no usable answer. */
export type LlmFailureReason = 'timeout' | 'http' | 'network' | 'invalid';
export const LLM_FAILURE_REASONS: readonly LlmFailureReason[] = ['timeout', 'http', 'network', 'invalid'];

export type LlmCallResult<T> =
  | { ok: true; value: T; ms: number }
  | { ok: false; reason: LlmFailureReason; detail: string; ms: number; status?: number };

/** The output of a call did not pass the checks after the schema (thrown by a caller's `check`). */
export class InvalidModelOutputError extends Error {
  override readonly name = 'InvalidModelOutputError';
}

/** A chat model that answers with one validated value per call. */
export class StructuredChat<Schema extends z.ZodType> {
  private readonly runnable: Runnable<BaseMessage[], { raw: AIMessage; parsed: unknown }>;

  constructor(
    readonly connection: ResolvedLlmConnection,
    private readonly schema: Schema,
    /** The name of the answer (the tool name in function calling, the schema name otherwise). */
    name: string,
  ) {
    const model = new ChatOpenAI({
      model: connection.model,
      apiKey: connection.apiKey,
      configuration: { baseURL: connection.baseUrl },
      temperature: connection.temperature,
      timeout: connection.timeoutMs,
      maxRetries: connection.maxRetries,
      maxConcurrency: connection.maxConcurrency,
    });
    this.runnable = model.withStructuredOutput(schema, {
      name,
      method: connection.structuredOutput,
      includeRaw: true,
    }) as Runnable<BaseMessage[], { raw: AIMessage; parsed: unknown }>;
  }

  /**
   * Sends the messages and returns the validated answer, or why there is none. `signal` (the
   * caller's) cancels the call: then the abort is thrown, not returned, because nobody waits for
   * a fallback. `check` may throw {@link InvalidModelOutputError} to reject an answer the schema
   * let through.
   */
  async call<T>(
    messages: BaseMessage[],
    check: (value: z.infer<Schema>) => T,
    signal?: AbortSignal,
  ): Promise<LlmCallResult<T>> {
    const started = performance.now();
    const deadline = AbortSignal.timeout(this.connection.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      const { raw, parsed: answer } = await this.runnable.invoke(messages, { signal: combined });
      combined.throwIfAborted();
      // LangChain parses and validates the answer where the method expects it. A server that
      // answers a function call with text, or wraps JSON-mode output in prose and a Markdown
      // fence, gets a second, strict reading of the message text; then the schema decides. (With
      // `jsonSchema`, ChatOpenAI itself rejects content that is not bare JSON: such a server
      // should be run with `jsonMode`.)
      const parsed = this.schema.safeParse(answer ?? jsonInText(raw));
      if (!parsed.success)
        throw new InvalidModelOutputError(`the answer does not match the schema: ${parsed.error.message}`);
      return { ok: true, value: check(parsed.data), ms: elapsed() };
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      return { ok: false, ...classifyFailure(error, deadline.aborted), ms: elapsed() };
    }
  }
}

/** The JSON object in a message's text: the whole text, a fenced block, or the outermost braces. */
function jsonInText(message: AIMessage | undefined): unknown {
  const text = typeof message?.content === 'string' ? message.content : message?.text;
  if (!text?.trim()) return undefined;
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text)?.[1];
  const braces = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
  for (const candidate of [text, fenced, braces]) {
    if (!candidate?.trim()) continue;
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

function classifyFailure(
  error: unknown,
  deadlinePassed: boolean,
): { reason: LlmFailureReason; detail: string; status?: number } {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const detail = `${name ? name + ': ' : ''}${message}`.slice(0, 300);
  if (deadlinePassed || name === 'TimeoutError') return { reason: 'timeout', detail };
  if (
    error instanceof InvalidModelOutputError ||
    name === 'OutputParserException' ||
    /ZodError/.test(name) ||
    name === 'SyntaxError' ||
    /Failed to parse|did not match|invalid json|unexpected token|tool_calls? (?:is|are) missing|no tool call/i.test(
      message,
    )
  ) {
    return { reason: 'invalid', detail };
  }
  const status = statusOf(error);
  if (status !== undefined) return { reason: 'http', detail, status };
  return { reason: 'network', detail };
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status =
    (error as { status?: unknown }).status ?? (error as { response?: { status?: unknown } }).response?.status;
  return typeof status === 'number' ? status : undefined;
}
