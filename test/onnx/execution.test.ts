import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  fromFloat16Array,
  toFloat16Array,
} from '../../src/onnx/float16.ts';
import {
  assertProviderAvailable,
  cudaProviderInstalled,
  explainProviderFailure,
  parseExecutionProvider,
} from '../../src/onnx/execution-provider.ts';
import { createDiffusionRenderer } from '../../src/onnx/diffusion-renderer.ts';
import { openSessionCount } from '../../src/onnx/session-cache.ts';
import { writeTinyDiffusionModels } from '../helpers/tiny-onnx.ts';

describe('float16 conversion', () => {
  it('round-trips values that float16 holds exactly', () => {
    for (const value of [0, 1, -2, 0.5, 1024, 65504, -65504, 2 ** -14, 2 ** -24])
      assert.equal(float16BitsToFloat32(float32ToFloat16Bits(value)), value, `${value}`);
    assert.equal(float32ToFloat16Bits(1), 0x3c00);
    assert.equal(float32ToFloat16Bits(-2), 0xc000);
    assert.equal(float32ToFloat16Bits(65504), 0x7bff);
  });

  it('rounds to the nearest float16, ties to even', () => {
    assert.equal(float16BitsToFloat32(float32ToFloat16Bits(0.1)), 0.0999755859375);
    assert.equal(
      float32ToFloat16Bits(1 + 2 ** -11),
      0x3c00,
      'halfway between 1 and the next float16 rounds to even (1)',
    );
    assert.equal(float32ToFloat16Bits(1 + 3 * 2 ** -11), 0x3c02, 'halfway to an odd mantissa rounds up to even');
  });

  it('saturates to infinity, keeps NaN and flushes what is too small to zero', () => {
    assert.equal(float16BitsToFloat32(float32ToFloat16Bits(70000)), Infinity);
    assert.equal(float16BitsToFloat32(float32ToFloat16Bits(-Infinity)), -Infinity);
    assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN))));
    assert.equal(float16BitsToFloat32(float32ToFloat16Bits(1e-9)), 0);
  });

  it('maps every float16 value to float32 and back to the same bits', () => {
    const all = Uint16Array.from({ length: 0x10000 }, (_, i) => i).filter(
      (bits) => (bits & 0x7c00) !== 0x7c00 || (bits & 0x3ff) === 0,
    );
    assert.deepEqual(toFloat16Array(fromFloat16Array(all)), all);
  });

  it('converts whole arrays exactly as value by value, edges and ties included', () => {
    // The array conversions take integer shortcuts for normal numbers; they must agree bit for bit.
    let state = 12345;
    const random = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    const words = new Uint32Array(200_000);
    for (let i = 0; i < words.length; i++) {
      // Exponents around float16's range (subnormal, normal, overflow), random mantissas and signs.
      const exponent = 96 + (random() % 64);
      words[i] = ((random() & 1) << 31) | (exponent << 23) | (random() & 0x7fffff);
    }
    const edges = [
      0x38800000, 0x387fffff, 0x477fefff, 0x477ff000, 0x477fffff, 0x47800000, 0x3f801000, 0x3f803000, 0x7f800000,
      0x7fc00000, 0, 0x80000000,
    ];
    const values = new Float32Array(new Uint32Array([...words, ...edges]).buffer);
    const halves = toFloat16Array(values);
    values.forEach((value, i) =>
      assert.equal(
        halves[i],
        float32ToFloat16Bits(value),
        `float32 bits 0x${new Uint32Array(values.buffer)[i]!.toString(16)}`,
      ),
    );
    const every = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
    const widened = fromFloat16Array(every);
    every.forEach((bits, i) =>
      assert.ok(Object.is(widened[i], Math.fround(float16BitsToFloat32(bits))), `float16 bits 0x${bits.toString(16)}`),
    );
  });

  it('converts whole arrays both ways', () => {
    const values = Float32Array.from([0.25, -3.5, 100, 0.333]);
    const back = fromFloat16Array(toFloat16Array(values));
    values.forEach((v, i) => assert.ok(Math.abs(back[i]! - v) <= Math.abs(v) * 1e-3));
  });
});

describe('execution provider', () => {
  it('reads cpu, cuda and webgpu, and refuses anything else with what to write', () => {
    assert.equal(parseExecutionProvider(undefined), 'cpu');
    assert.equal(parseExecutionProvider(' CUDA '), 'cuda');
    assert.equal(parseExecutionProvider('webgpu'), 'webgpu');
    assert.throws(
      () => parseExecutionProvider('gpu'),
      /ORT_EXECUTION_PROVIDER must be "cpu", "cuda" or "webgpu", not "gpu"/,
    );
  });

  it('explains a CUDA library that fails to load, and leaves CPU errors alone', () => {
    const failure = new Error(
      'Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.12: cannot open shared object file',
    );
    const explained = explainProviderFailure('cuda', 'unet/model.onnx', failure);
    assert.equal(explained?.name, 'ConfigError');
    assert.match(
      explained!.message,
      /Could not start CUDA for unet\/model\.onnx: .*libcublasLt\.so\.12.*LD_LIBRARY_PATH/s,
    );
    assert.equal(explainProviderFailure('cpu', 'unet/model.onnx', failure), undefined);
  });

  it(
    'tells the operator how to install the CUDA provider when it is missing',
    { skip: cudaProviderInstalled() && 'this host has the CUDA provider' },
    async () => {
      assert.throws(
        () => assertProviderAvailable('cuda'),
        (error: Error) => {
          assert.equal(error.name, 'ConfigError');
          assert.match(error.message, /ONNXRUNTIME_NODE_INSTALL=cuda12 npm install/);
          assert.match(error.message, /allowScripts/);
          return true;
        },
      );
    },
  );
});

describe('sessions', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moodshift-sessions-'));
    await writeTinyDiffusionModels(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('are created once per process and shared by every renderer on the same files', async () => {
    const before = openSessionCount();
    const first = await createDiffusionRenderer({ modelsDir: dir, steps: 1 });
    const opened = openSessionCount() - before;
    const second = await createDiffusionRenderer({ modelsDir: dir, steps: 1 });
    assert.equal(opened, 4, 'text encoder, VAE encoder, UNet, VAE decoder');
    assert.equal(openSessionCount() - before, 4, 'the second renderer reuses them');
    await first.close();
    assert.equal(openSessionCount() - before, 4, 'still in use by the second');
    await second.close();
    assert.equal(openSessionCount(), before, 'freed with the last user');
  });

  it(
    'fail at start on CUDA without the provider, before running anything',
    { skip: cudaProviderInstalled() && 'this host has the CUDA provider' },
    async () => {
      await assert.rejects(
        createDiffusionRenderer({ modelsDir: dir, executionProvider: 'cuda' }),
        /CUDA provider library is not installed/,
      );
    },
  );
});
