/**
 * @module TensorFlow.js on its WebAssembly backend, as the vision worker uses it: the one file
 * that knows how tfjs is put together in Node here (see DESIGN.md, "one file per target").
 *
 * - `@tensorflow/tfjs-node` cannot be installed here (its install script downloads libtensorflow
 *   from outside the registry) and pure-JS tfjs is 15–22 s per photo, so the models run on
 *   `@tensorflow/tfjs-backend-wasm`, which needs no install script.
 * - The umbrella `@tensorflow/tfjs` package is never loaded. npm installs it as nsfwjs's peer
 *   (its `core-js` install script is off in `allowScripts`), but its data and WebGL parts are of
 *   no use here; the picture-safety classifier uses tfjs-layers directly (`vision-models.ts`).
 *   face-api's Node build asks for `@tensorflow/tfjs` but calls only tfjs-core (ops, `io`), so
 *   that one request is answered with tfjs-core, and the chained tensor methods the umbrella
 *   package would register (`tensor.as3D()`, `tensor.sub()` …) are registered here.
 * - tfjs loads the `.wasm` files with `fetch`, which in Node cannot read a file. Its platform
 *   `fetch` is replaced by one that reads files under `node_modules` and refuses everything else,
 *   so no model or binary is ever fetched from the network.
 *
 * Import this module only inside the vision worker: it patches module resolution and the tensor
 * prototype of the process that imports it.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';

const require = createRequire(import.meta.url);

/** tfjs-core as the rest of the worker uses it. */
export type Tf = typeof TfCore;

/** The folder a package is installed in (resolved from this file, as Node resolves it). */
export function packageDirectory(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/**
 * Tensor methods the umbrella package registers (tfjs 4.22 `register_all_chained_ops`). Each is
 * `tensor.op(...args)` = `tf.op(tensor, ...args)`; the few that differ are written out below.
 */
const CHAINED_OPS = [
  'abs',
  'acos',
  'acosh',
  'add',
  'all',
  'any',
  'argMax',
  'argMin',
  'asin',
  'asinh',
  'atan',
  'atan2',
  'atanh',
  'batchToSpaceND',
  'batchNorm',
  'broadcastTo',
  'cast',
  'ceil',
  'clipByValue',
  'conv1d',
  'conv2d',
  'cos',
  'cosh',
  'cumprod',
  'cumsum',
  'depthToSpace',
  'divNoNan',
  'div',
  'dot',
  'elu',
  'equal',
  'erf',
  'euclideanNorm',
  'exp',
  'expandDims',
  'expm1',
  'fft',
  'floor',
  'floorDiv',
  'gather',
  'greaterEqual',
  'greater',
  'ifft',
  'irfft',
  'isFinite',
  'isInf',
  'isNaN',
  'leakyRelu',
  'lessEqual',
  'less',
  'logSigmoid',
  'logSoftmax',
  'logSumExp',
  'log',
  'log1p',
  'logicalAnd',
  'logicalNot',
  'logicalOr',
  'logicalXor',
  'matMul',
  'max',
  'maximum',
  'mean',
  'min',
  'minimum',
  'mirrorPad',
  'mod',
  'mul',
  'neg',
  'norm',
  'notEqual',
  'oneHot',
  'onesLike',
  'pad',
  'pool',
  'pow',
  'prelu',
  'prod',
  'reciprocal',
  'relu',
  'relu6',
  'reshape',
  'reverse',
  'rfft',
  'round',
  'rsqrt',
  'selu',
  'sigmoid',
  'sign',
  'sin',
  'sinh',
  'slice',
  'softmax',
  'softplus',
  'spaceToBatchND',
  'split',
  'sqrt',
  'square',
  'squaredDifference',
  'squeeze',
  'step',
  'stridedSlice',
  'sub',
  'sum',
  'tan',
  'tanh',
  'tile',
  'topk',
  'transpose',
  'unique',
  'unstack',
  'zerosLike',
] as const;

let loaded: Promise<Tf> | undefined;

/**
 * tfjs-core with the wasm backend ready. Loaded once per worker; a failure is remembered (the
 * caller's fallback decides what to do with it).
 *
 * @param threads - wasm threads; 0 lets tfjs choose. The threaded build needs cross-origin
 *   isolation in browsers only; in Node it is used when `threads` > 1.
 */
export function loadTfjs(threads = 0): Promise<Tf> {
  loaded ??= setUp(threads);
  return loaded;
}

async function setUp(threads: number): Promise<Tf> {
  const Module = require('node:module') as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request: string, ...rest: unknown[]) {
    return resolveFilename.call(this, request === '@tensorflow/tfjs' ? '@tensorflow/tfjs-core' : request, ...rest);
  };
  const tf = require('@tensorflow/tfjs-core') as Tf;
  registerChainedOps(tf);
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const modules = resolve(packageDirectory('@tensorflow/tfjs-core'), '..', '..');
  tf.env().platform.fetch = async (input: string | Request) => {
    const path = resolve(String(typeof input === 'string' ? input : input.url));
    if (!path.startsWith(modules + sep))
      throw new Error(`The vision runtime reads models from disk only; refused to fetch ${String(input)}.`);
    const headers = path.endsWith('.wasm') ? { 'content-type': 'application/wasm' } : undefined;
    return new Response(await readFile(path), { headers });
  };
  wasm.setWasmPaths(join(packageDirectory('@tensorflow/tfjs-backend-wasm'), 'dist') + sep, true);
  if (threads > 0) wasm.setThreadsCount(threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not start its wasm backend.');
  await tf.ready();
  tf.enableProdMode();
  return tf;
}

function registerChainedOps(tf: Tf): void {
  const prototype = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const ops = tf as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of CHAINED_OPS) {
    if (prototype[name] || typeof ops[name] !== 'function') continue;
    prototype[name] = function (this: TfCore.Tensor, ...args: unknown[]) {
      return ops[name]!(this, ...args);
    };
  }
  const extra: Record<string, (this: TfCore.Tensor, ...args: never[]) => unknown> = {
    asScalar() {
      return tf.reshape(this, []);
    },
    asType(dtype: TfCore.DataType) {
      return tf.cast(this, dtype);
    },
    as1D() {
      return tf.reshape(this, [this.size]);
    },
    as2D(rows: number, columns: number) {
      return tf.reshape(this, [rows, columns]);
    },
    as3D(rows: number, columns: number, depth: number) {
      return tf.reshape(this, [rows, columns, depth]);
    },
    as4D(rows: number, columns: number, depth: number, depth2: number) {
      return tf.reshape(this, [rows, columns, depth, depth2]);
    },
    as5D(rows: number, columns: number, depth: number, depth2: number, depth3: number) {
      return tf.reshape(this, [rows, columns, depth, depth2, depth3]);
    },
    flatten() {
      return tf.reshape(this, [this.size]);
    },
    reshapeAs(x: TfCore.Tensor) {
      return tf.reshape(this, x.shape);
    },
    toBool() {
      return tf.cast(this, 'bool');
    },
    toFloat() {
      return tf.cast(this, 'float32');
    },
    toInt() {
      return tf.cast(this, 'int32');
    },
    concat(x: TfCore.Tensor | TfCore.Tensor[], axis?: number) {
      return tf.concat([this, ...(Array.isArray(x) ? x : [x])], axis);
    },
    stack(x: TfCore.Tensor | TfCore.Tensor[], axis?: number) {
      return tf.stack([this, ...(Array.isArray(x) ? x : [x])], axis);
    },
    where(condition: TfCore.Tensor, x: TfCore.Tensor) {
      return tf.where(condition, this, x);
    },
  };
  for (const [name, method] of Object.entries(extra)) prototype[name] ??= method;
}
