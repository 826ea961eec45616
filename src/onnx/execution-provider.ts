/**
 * @module Everything that differs between ONNX Runtime on CPU, on CUDA and on WebGPU, in one
 * place: which provider to ask for, the session options for each, and what to tell the
 * operator when CUDA is asked for but onnxruntime-node's CUDA provider library is not
 * installed, or WebGPU finds no Vulkan device.
 *
 * `webgpu` is built into onnxruntime-node's Linux build (Dawn over Vulkan): no download and no
 * CUDA libraries. On a GPU host it runs on the GPU's Vulkan driver; on a CPU-only host with
 * Mesa 25's software Vulkan (lavapipe: `apt-get install -t bookworm-backports
 * mesa-vulkan-drivers` on Debian 12; Debian 12's own Mesa 22.3 is refused for a missing
 * feature) it runs too, slowly, which is how the tests check it. fp16 exports run as they are.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { ConfigError } from '../errors.ts';

export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';
export const EXECUTION_PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'webgpu'];

export const WEBGPU_INSTALL_HINT =
  "WebGPU runs on Vulkan: on a GPU host install its Vulkan driver (NVIDIA: the driver's Vulkan ICD, `nvidia-smi` and " +
  "`vulkaninfo --summary` should list the GPU); on Debian 12 without a GPU, Mesa 25's software Vulkan works: add " +
  'the bookworm-backports suite and `apt-get install -t bookworm-backports mesa-vulkan-drivers`. Or set ORT_EXECUTION_PROVIDER=cpu.';

export const CUDA_INSTALL_HINT =
  'Install onnxruntime-node with its CUDA 12 provider on this host: allow its install script ' +
  '(`npm install-scripts approve onnxruntime-node`, or set "onnxruntime-node": true under "allowScripts" in package.json), ' +
  'then run `ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node`. ' +
  'Or set ORT_EXECUTION_PROVIDER=cpu.';

/** Reads `ORT_EXECUTION_PROVIDER` (or another value): `cpu` (default), `cuda` or `webgpu`. */
export function parseExecutionProvider(value: string | undefined): ExecutionProvider {
  const normalised = (value ?? '').trim().toLowerCase();
  if (normalised === '') return 'cpu';
  if ((EXECUTION_PROVIDERS as readonly string[]).includes(normalised)) return normalised as ExecutionProvider;
  throw new ConfigError(`ORT_EXECUTION_PROVIDER must be "cpu", "cuda" or "webgpu", not "${value}".`);
}

export interface ProviderTuning {
  /** Threads ONNX Runtime uses inside one operator on CPU. @defaultValue ONNX Runtime's choice (all cores) */
  cpuThreads?: number;
  /** Which GPU to run on. @defaultValue 0 */
  cudaDeviceId?: number;
  /**
   * Let ONNX Runtime's worker threads spin between operators. Spinning saves microseconds on
   * an idle dedicated machine, but the spinning threads take the CPU from the JavaScript work
   * between steps (and from everything else) on a shared or small one: on 2 cores it made a
   * diffusion step several times slower. @defaultValue false
   */
  cpuSpinning?: boolean;
}

/** Session options for a provider. On CUDA and WebGPU, operators the provider lacks still run on the CPU. */
export function sessionOptionsFor(
  provider: ExecutionProvider,
  tuning: ProviderTuning = {},
): InferenceSession.SessionOptions {
  const common: InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    extra: {
      session: {
        intra_op: { allow_spinning: tuning.cpuSpinning ? '1' : '0' },
        inter_op: { allow_spinning: tuning.cpuSpinning ? '1' : '0' },
      },
    },
  };
  if (provider === 'cuda') {
    return { ...common, executionProviders: [{ name: 'cuda', deviceId: tuning.cudaDeviceId ?? 0 }, 'cpu'] };
  }
  if (provider === 'webgpu') {
    return { ...common, executionProviders: ['webgpu', 'cpu'] };
  }
  return {
    ...common,
    executionProviders: ['cpu'],
    ...(tuning.cpuThreads ? { intraOpNumThreads: tuning.cpuThreads, interOpNumThreads: 1 } : {}),
  };
}

/** Where onnxruntime-node keeps its native libraries on this platform. */
function nativeLibraryDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const packageDir = dirname(require.resolve('onnxruntime-node/package.json'));
    return join(packageDir, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/**
 * Whether the CUDA provider library is installed next to onnxruntime-node's binding. The CPU
 * build (what `npm install` gives when the install script is not allowed) lacks it.
 */
export function cudaProviderInstalled(): boolean {
  const dir = nativeLibraryDir();
  if (!dir) return false;
  const library = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(join(dir, library));
}

/** Fails with the install instructions when `provider` cannot run on this host. */
export function assertProviderAvailable(provider: ExecutionProvider): void {
  if (provider === 'cuda' && !cudaProviderInstalled()) {
    throw new ConfigError(
      `ORT_EXECUTION_PROVIDER=cuda, but onnxruntime-node's CUDA provider library is not installed ` +
        `(looked in ${nativeLibraryDir() ?? 'the onnxruntime-node package'}). ${CUDA_INSTALL_HINT}`,
    );
  }
}

/** Rewrites an error from creating a CUDA session into one that says what to do. */
export function explainProviderFailure(provider: ExecutionProvider, path: string, error: unknown): Error | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (provider === 'webgpu') {
    if (!/webgpu|adapter|vulkan|dawn|device/i.test(message)) return undefined;
    return new ConfigError(`Could not start WebGPU for ${path}: ${message}. ${WEBGPU_INSTALL_HINT}`, { cause: error });
  }
  if (provider !== 'cuda') return undefined;
  if (!/cuda|cudnn|provider|libcu/i.test(message)) return undefined;
  return new ConfigError(
    `Could not start CUDA for ${path}: ${message}. Check that the CUDA 12 runtime, cuBLAS and cuDNN 9 libraries are on the ` +
      `library path (LD_LIBRARY_PATH) and that the GPU is visible (nvidia-smi). ${CUDA_INSTALL_HINT}`,
    { cause: error },
  );
}
