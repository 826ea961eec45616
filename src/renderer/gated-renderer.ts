/**
 * @module A renderer that runs another one's renders through the {@link DecodeGate} the input
 * checks use, so that renders in this process (the tone renderer decodes the stored original for
 * every edit, More, Less and Try again) count toward the same bound on work in libuv's thread
 * pool as the pictures people send: a few at once overall, one at a time per person.
 *
 * What a person sees: while one of their renders (or one of their pictures being read) runs, a
 * second one is refused at once with `TooManyJobs` ("You already have an edit running. Please wait
 * for it to finish."), the same answer the queue renderer gives; nothing is queued per person, so
 * pressing a button ten times costs one render. Other people's renders wait their turn in order
 * for a free slot, which is short because every render has a time limit.
 */
import type { Element } from '../emotions.ts';
import { ErrorCode, UserError } from '../errors.ts';
import { DecodeGate, sharedDecodeGate } from '../image/decode-gate.ts';
import type { Renderer, RenderRequest, RenderResult } from './renderer.ts';

export interface GatedRendererOptions {
  /** The slots renders take, shared with `checkImage`. @defaultValue the process-wide {@link sharedDecodeGate} */
  gate?: DecodeGate;
  /**
   * Time limit of one render, in seconds (fractions allowed). When it runs out the person hears
   * `RenderTimeout` ("Press Try again") at once, the inner render is told to stop (its
   * `signal`), and the slot is kept until the inner render has settled (the tone renderer's own
   * sharp `timeout` stops libvips). @defaultValue none: only the inner renderer's own limit
   */
  timeoutSeconds?: number;
}

export class GatedRenderer implements Renderer {
  readonly name: string;
  readonly elements?: readonly Element[];
  readonly #inner: Renderer;
  readonly #gate: DecodeGate;
  readonly #timeoutSeconds: number | undefined;

  constructor(inner: Renderer, options: GatedRendererOptions = {}) {
    const { timeoutSeconds } = options;
    if (timeoutSeconds !== undefined && !(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0)) {
      throw new RangeError(
        `GatedRenderer: timeoutSeconds must be a positive number of seconds, got ${String(timeoutSeconds)}.`,
      );
    }
    this.#inner = inner;
    this.#gate = options.gate ?? sharedDecodeGate;
    this.#timeoutSeconds = timeoutSeconds;
    this.name = inner.name;
    if (inner.elements) this.elements = inner.elements;
  }

  /** @throws UserError `TooManyJobs` while the same person has a render or a picture check running; `RenderTimeout` */
  async render(request: RenderRequest): Promise<RenderResult> {
    let release: () => void;
    try {
      release = await this.#gate.acquire(request.owner);
    } catch (error) {
      if (error instanceof UserError && error.code === ErrorCode.ImageBusy)
        throw new UserError(ErrorCode.TooManyJobs, { limit: this.#gate.perOwner }, { cause: error });
      throw error;
    }
    const stop = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
    const rendering = Promise.resolve().then(() => this.#inner.render({ ...request, signal }));
    rendering.then(release, release);
    if (this.#timeoutSeconds === undefined) return rendering;
    const seconds = this.#timeoutSeconds;
    return new Promise<RenderResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop.abort(new UserError(ErrorCode.RenderTimeout, { seconds }));
        reject(new UserError(ErrorCode.RenderTimeout, { seconds }));
      }, seconds * 1000);
      rendering.then(
        (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  async close(): Promise<void> {
    await this.#inner.close?.();
  }
}
