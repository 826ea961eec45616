/**
 * @module The vision worker thread: loads each model the first time it is asked for, runs it,
 * and answers. One request at a time (tfjs-wasm is single-threaded per worker); the runtime on
 * the main thread queues, times and, when a call hangs, terminates this worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { VISION_MODELS, type ModelPaths, type VisionModelName } from './vision-models.ts';

export interface WorkerRequest {
  id: number;
  model: VisionModelName;
  input: unknown;
}

export type WorkerResponse =
  | { id: number; ok: true; output: unknown; loadMs: number; runMs: number }
  | { id: number; ok: false; stage: 'load' | 'run'; message: string };

const paths = (workerData ?? {}) as ModelPaths;
const loading = new Map<VisionModelName, Promise<void>>();

parentPort!.on('message', async (request: WorkerRequest) => {
  const model = VISION_MODELS[request.model];
  let stage: 'load' | 'run' = 'load';
  try {
    const started = performance.now();
    let load = loading.get(request.model);
    if (!load) {
      load = model.load(paths);
      loading.set(request.model, load);
    }
    await load;
    const loaded = performance.now();
    stage = 'run';
    const output = await model.run(request.input as never);
    const response: WorkerResponse = {
      id: request.id,
      ok: true,
      output,
      loadMs: loaded - started,
      runMs: performance.now() - loaded,
    };
    parentPort!.postMessage(response);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    parentPort!.postMessage({ id: request.id, ok: false, stage, message } satisfies WorkerResponse);
  }
});
