/**
 * @module The vision runtime: the one owner of the in-process vision models (DESIGN.md,
 * "Vision"). It starts one worker thread on first use; the worker loads tfjs-wasm and each model
 * once, lazily, from the npm packages on disk (never the network), so model inference never runs
 * on the event loop that answers chats. Each call has a time limit; a worker that overruns it is
 * terminated and a fresh one is started on a later call.
 *
 * When a model cannot be loaded or run, {@link VisionRuntime.tryAnalyse} answers `undefined`
 * and logs why once per failure; callers then go on without it (the renderer grades colour and
 * light only, the estimator reads colour only). After a failure the runtime stays off for
 * `retryAfterMs`, so a broken install does not slow every edit.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import type { ModelInput, ModelOutput, ModelPaths, VisionModelName } from './vision-models.ts';
import type { WorkerRequest, WorkerResponse } from './vision-worker.ts';
import type { FaceReading, PersonMask, RgbImage, VisionAnalysis } from './vision-types.ts';

export interface VisionRuntimeOptions {
  /** Switch the models off entirely (every caller then works as if they had failed to load, silently). @defaultValue true */
  enabled?: boolean;
  /** Time limit of one model call once the model is loaded, in milliseconds. @defaultValue 20 000 */
  callTimeoutMs?: number;
  /** Extra time allowed for the call that loads a model. @defaultValue 60 000 */
  loadTimeoutMs?: number;
  /**
   * Pictures are analysed on a copy whose long side is at most this many pixels (the face
   * detector works at 512 internally; larger copies find smaller faces but cost more).
   * @defaultValue 1024
   */
  analysisMaxSide?: number;
  /** SSD detector score below which a detection is dropped. @defaultValue 0.5 */
  minFaceScore?: number;
  /** At most this many faces per picture. @defaultValue 12 */
  maxFaces?: number;
  /** Run the person (selfie) segmentation model. @defaultValue true */
  personMask?: boolean;
  /** After a load or run failure, stay off this long before trying again, in milliseconds. @defaultValue 60 000 */
  retryAfterMs?: number;
  /** Analyses kept, by picture content, so that the estimator and the renderer share one. @defaultValue 16 */
  cacheSize?: number;
  /** Where the worker reads the weights (tests point these at empty folders). @defaultValue the packages' own folders */
  paths?: ModelPaths;
  /** Where failures are reported. @defaultValue none (silent) */
  logger?: VisionLogger;
}

/** The two log calls the vision code makes (a pino logger fits). */
export interface VisionLogger {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

const DEFAULTS = {
  enabled: true,
  callTimeoutMs: 20_000,
  loadTimeoutMs: 60_000,
  analysisMaxSide: 1024,
  minFaceScore: 0.5,
  maxFaces: 12,
  personMask: true,
  retryAfterMs: 60_000,
  cacheSize: 16,
};

/** The models are not there: why, in a sentence for the log. */
export class VisionUnavailable extends Error {
  override readonly name = 'VisionUnavailable';
}

interface Pending {
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class VisionRuntime {
  readonly options: Readonly<typeof DEFAULTS> & Pick<VisionRuntimeOptions, 'paths' | 'logger'>;
  #worker: Worker | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #loaded = new Set<VisionModelName>();
  #offUntil = 0;
  #offReason = '';
  #cache = new Map<string, Promise<VisionAnalysis>>();
  /** Load time of each model, in milliseconds, as the worker measured it. */
  readonly loadTimes: Partial<Record<VisionModelName, number>> = {};

  constructor(options: VisionRuntimeOptions = {}) {
    const resolved = { ...DEFAULTS, ...options };
    for (const name of [
      'callTimeoutMs',
      'loadTimeoutMs',
      'analysisMaxSide',
      'maxFaces',
      'retryAfterMs',
      'cacheSize',
    ] as const) {
      if (!Number.isFinite(resolved[name]) || resolved[name] < 0)
        throw new RangeError(`VisionRuntime option ${name} must be a number of 0 or more, got ${resolved[name]}.`);
    }
    if (!(resolved.minFaceScore >= 0 && resolved.minFaceScore <= 1))
      throw new RangeError(`VisionRuntime option minFaceScore must be from 0 to 1, got ${resolved.minFaceScore}.`);
    this.options = resolved;
  }

  /** Why the models are off right now, or undefined when they may be used. */
  get unavailableReason(): string | undefined {
    if (!this.options.enabled) return 'the vision models are switched off';
    return Date.now() < this.#offUntil ? this.#offReason : undefined;
  }

  /**
   * Faces and the person mask of an encoded picture, in its own pixel coordinates (the mask at
   * the model's 256 × 256). Throws {@link VisionUnavailable} when the models cannot be used.
   */
  analyse(bytes: Buffer): Promise<VisionAnalysis> {
    const reason = this.unavailableReason;
    if (reason) return Promise.reject(new VisionUnavailable(reason));
    const key = createHash('sha256').update(bytes).digest('base64url');
    let analysis = this.#cache.get(key);
    if (analysis) {
      this.#cache.delete(key);
    } else {
      analysis = this.#analyse(bytes);
      analysis.catch(() => this.#cache.delete(key));
    }
    this.#cache.set(key, analysis);
    while (this.#cache.size > this.options.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    return analysis;
  }

  /** {@link analyse}, or undefined (with one log line saying why) when the models cannot be used. */
  async tryAnalyse(bytes: Buffer, purpose: string): Promise<VisionAnalysis | undefined> {
    try {
      return await this.analyse(bytes);
    } catch (error) {
      if (!(error instanceof VisionUnavailable)) throw error;
      if (this.options.enabled)
        this.options.logger?.warn(
          { reason: error.message, purpose },
          `vision models unavailable; ${purpose} goes on without them`,
        );
      return undefined;
    }
  }

  /** Runs one model on the worker (loading it first if needed), within the time limit. */
  run<N extends VisionModelName>(
    model: N,
    input: ModelInput<N>,
    transfer: ArrayBuffer[] = [],
  ): Promise<ModelOutput<N>> {
    const reason = this.unavailableReason;
    if (reason) return Promise.reject(new VisionUnavailable(reason));
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    const limit = this.options.callTimeoutMs + (this.#loaded.has(model) ? 0 : this.options.loadTimeoutMs);
    return new Promise<ModelOutput<N>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(`the ${model} model took longer than ${limit} ms`);
      }, limit);
      this.#pending.set(id, {
        resolve: (output) => {
          this.#loaded.add(model);
          resolve(output as ModelOutput<N>);
        },
        reject,
        timer,
      });
      worker.postMessage({ id, model, input } satisfies WorkerRequest, transfer);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#rejectAll(new VisionUnavailable('the vision runtime was closed'));
    await worker?.terminate();
  }

  async #analyse(bytes: Buffer): Promise<VisionAnalysis> {
    const { data, info } = await sharp(bytes)
      .resize(this.options.analysisMaxSide, this.options.analysisMaxSide, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const meta = await sharp(bytes).metadata();
    const fullWidth = meta.autoOrient?.width ?? meta.width ?? info.width;
    const fullHeight = meta.autoOrient?.height ?? meta.height ?? info.height;
    const image: RgbImage = {
      width: info.width,
      height: info.height,
      pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
    const timings: Record<string, number> = {};
    const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await work();
      timings[name] = performance.now() - started;
      return result;
    };
    // The mask's copy is sent first (a copy, so the faces' pixels stay valid for the second call).
    const personMask: PersonMask | undefined = this.options.personMask
      ? await timed('personMask', () => this.run('personMask', { ...image, pixels: image.pixels.slice() }))
      : undefined;
    const faces = await timed('faces', () =>
      this.run('faces', { image, minScore: this.options.minFaceScore, maxFaces: this.options.maxFaces }),
    );
    const sx = fullWidth / info.width;
    const sy = fullHeight / info.height;
    return {
      width: fullWidth,
      height: fullHeight,
      faces: faces.map((face) => scaleFace(face, sx, sy)),
      ...(personMask ? { personMask } : {}),
      timings,
    };
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./vision-worker-entry.mjs', import.meta.url), {
      workerData: this.options.paths ?? {},
    });
    worker.on('message', (response: WorkerResponse) => {
      const pending = this.#pending.get(response.id);
      if (!pending) return;
      this.#pending.delete(response.id);
      clearTimeout(pending.timer);
      if (response.ok) {
        pending.resolve(response.output);
      } else {
        const reason = `${response.stage === 'load' ? 'a model failed to load' : 'a model failed'}: ${response.message}`;
        this.#turnOff(reason);
        pending.reject(new VisionUnavailable(reason));
      }
    });
    worker.on('error', (error) => this.#fail(`the vision worker stopped: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.#worker === worker) {
        this.#worker = undefined;
        this.#loaded.clear();
        if (this.#pending.size > 0) this.#fail(`the vision worker exited with code ${code}`);
      }
    });
    // After the listeners: adding a 'message' listener refs the worker's port again. A call in
    // flight keeps the process alive through its timer; an idle worker does not.
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  #turnOff(reason: string): void {
    this.#offUntil = Date.now() + this.options.retryAfterMs;
    this.#offReason = reason;
  }

  /** A hung or dead worker: stop it, fail every call waiting on it, stay off for a while. */
  #fail(reason: string): void {
    this.#turnOff(reason);
    const worker = this.#worker;
    this.#worker = undefined;
    this.#loaded.clear();
    this.#cache.clear();
    void worker?.terminate();
    this.#rejectAll(new VisionUnavailable(reason));
  }

  #rejectAll(error: Error): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }
}

function scaleFace(face: FaceReading, sx: number, sy: number): FaceReading {
  return {
    ...face,
    box: { x: face.box.x * sx, y: face.box.y * sy, width: face.box.width * sx, height: face.box.height * sy },
    landmarks: face.landmarks.map(([x, y]) => [x * sx, y * sy]),
  };
}

let shared: VisionRuntime | undefined;

/** The process's one vision runtime, made on first use with the default options (and the given logger). */
export function sharedVisionRuntime(logger?: VisionRuntimeOptions['logger']): VisionRuntime {
  shared ??= new VisionRuntime(logger ? { logger } : {});
  return shared;
}
