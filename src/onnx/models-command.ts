/**
 * @module `moodshift models …`: check a models folder against the manifest, download a
 * backend's files, and print the checksums to pin.
 *
 * ```
 * moodshift models check [DIR] [--backend diffusion|onnx|eval] [--manifest FILE]
 * moodshift models fetch [--backend diffusion|onnx] [--dir DIR] [--base-url URL] [--sources FILE] [--retries N] [--manifest FILE]
 * moodshift models hash [DIR] [--backend diffusion|onnx] [--manifest FILE]
 * ```
 * DIR defaults to `MODELS_DIR`, then `models/weights`. Exit codes: 0 ready, 1 not ready or a
 * failed download, 2 a usage mistake. `check` also reports the optional files of `moodshift eval`'s
 * learned metrics (src/eval/eval-models.ts): a missing one only means "not measured", a present
 * but broken one is an error.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import {
  contentProblems,
  describeSignature,
  loadManifest,
  MANIFEST_PATH,
  MODEL_BACKENDS,
  sha256File,
  signatureProblems,
  type FoundTensor,
  type ManifestFile,
  type ModelBackend,
  type ModelManifest,
} from './manifest.ts';
import { TextTokenizer } from './tokenizer.ts';
import { EVAL_MODELS } from '../eval/eval-models.ts';

export interface ModelsCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const SOURCES_PATH = fileURLToPath(new URL('../../models/sources.json', import.meta.url));

const USAGE = `Usage:
  moodshift models check [DIR] [--backend diffusion|onnx|eval] verify DIR (default MODELS_DIR or models/weights) against models/manifest.json
                                                               (eval: the optional files of moodshift eval's CLIP/LPIPS/FID/M-Eval metrics)
  moodshift models fetch [--backend diffusion|onnx] [--dir DIR] [--base-url URL] [--sources FILE] [--retries N]
                                                               download a backend's files (resumes, verifies pinned checksums)
  moodshift models hash [DIR] [--backend diffusion|onnx]       print sha256 and size of each file present, to pin in the manifest
Options for all: --manifest FILE (another manifest)`;

class UsageError extends Error {}

interface ParsedArgs {
  positional: string[];
  flags: Map<string, string>;
}

function parseArgs(argv: string[], known: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (!known.includes(name)) throw new UsageError(`Unknown option --${name}.`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value.`);
    flags.set(name, value);
  }
  return { positional, flags };
}

function backendsFrom(flags: Map<string, string>): ModelBackend[] {
  const backend = flags.get('backend');
  if (backend === undefined) return [...MODEL_BACKENDS];
  if (!(MODEL_BACKENDS as readonly string[]).includes(backend))
    throw new UsageError(`--backend must be one of ${MODEL_BACKENDS.join(', ')}, not "${backend}".`);
  return [backend as ModelBackend];
}

/** What `moodshift models` takes from the configuration (`src/config.ts` reads it once). */
export interface ModelsCommandOptions {
  /** `MODELS_DIR`: the folder `check`, `hash` and `fetch` use without a folder argument. @defaultValue `models/weights` */
  modelsDir?: string;
  /** `MODELS_BASE_URL`: where `fetch` downloads from without `--base-url`. @defaultValue none: each file's listed source */
  modelsBaseUrl?: string;
}

/** Runs `moodshift models …`; returns the exit code. */
export async function runModelsCommand(
  argv: string[],
  io: ModelsCommandIo,
  options: ModelsCommandOptions = {},
): Promise<number> {
  const [command, ...rest] = argv;
  const dir = options.modelsDir ?? 'models/weights';
  try {
    switch (command) {
      case 'check':
        return await checkCommand(rest, io, dir);
      case 'fetch':
        return await fetchCommand(rest, io, dir, options.modelsBaseUrl);
      case 'hash':
        return await hashCommand(rest, io, dir);
      case undefined:
      case 'help':
      case '--help':
        io.stdout.write(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown models command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

// ---------------------------------------------------------------------------------------------
// check

/** What `models check` found for one file. */
export interface FileReport {
  backend: ModelBackend;
  path: string;
  status: 'ok' | 'missing' | 'absent' | 'wrong';
  problems: string[];
}

/** Checks every file of `backend` in `dir`: presence, size, pinned checksum, ONNX signature, tokenizer. */
export async function checkModelsDir(
  dir: string,
  backend: ModelBackend,
  manifest: ModelManifest,
): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  const files = manifest.backends[backend].files;
  for (const file of files) reports.push({ backend, ...(await checkFile(dir, file)) });
  // Optional files of one group come all or none, with the files needed alongside them.
  const fileOf = (report: FileReport): ManifestFile => files.find((f) => f.path === report.path)!;
  const groups = new Set(files.filter((f) => f.group).map((f) => f.group!));
  for (const group of groups) {
    const members = reports.filter((r) => fileOf(r).group === group);
    if (!members.some((r) => r.status !== 'absent')) continue;
    const needed = [...members, ...reports.filter((r) => fileOf(r).neededWith === group)];
    for (const member of needed.filter((r) => r.status === 'absent')) {
      member.status = 'missing';
      member.problems.unshift(
        `the ${group} group is present, so it is needed too (all of ${needed.map((m) => m.path).join(', ')})`,
      );
    }
  }
  return reports;
}

/** Presence, size, pinned checksum, then whether the file loads and has its signature. */
async function checkFile(dir: string, file: ManifestFile): Promise<Omit<FileReport, 'backend'>> {
  const path = join(dir, file.path);
  if (!existsSync(path))
    return {
      path: file.path,
      status: file.required ? 'missing' : 'absent',
      problems: file.signature ? [`expected ${describeSignature(file.signature)}`] : [],
    };
  const problems = await contentProblems(path, file, true);
  if (problems.length === 0) problems.push(...(await loadProblems(path, file)));
  return { path: file.path, status: problems.length ? 'wrong' : 'ok', problems };
}

/** What `models check` found for one of `moodshift eval`'s learned metrics. */
export interface EvalMetricReport {
  metric: string;
  /** measured: every file is there and loads; not measured: some file is missing; wrong: a file is there but broken. */
  status: 'measured' | 'not measured' | 'wrong';
  files: Array<Omit<FileReport, 'backend'>>;
}

/** Checks the optional files of `moodshift eval`'s learned metrics in `dir` (each file once). */
export async function checkEvalModels(dir: string): Promise<EvalMetricReport[]> {
  const seen = new Map<string, Omit<FileReport, 'backend'>>();
  const reports: EvalMetricReport[] = [];
  for (const model of EVAL_MODELS) {
    const files: Array<Omit<FileReport, 'backend'>> = [];
    for (const file of model.files) {
      const report = seen.get(file.path) ?? (await checkFile(dir, file));
      seen.set(file.path, report);
      files.push(report);
    }
    const status = files.some((f) => f.status === 'wrong')
      ? 'wrong'
      : files.every((f) => f.status === 'ok')
        ? 'measured'
        : 'not measured';
    reports.push({ metric: model.metric, status, files });
  }
  return reports;
}

async function loadProblems(path: string, file: ManifestFile): Promise<string[]> {
  if (file.kind === 'tokenizer') {
    try {
      await TextTokenizer.fromFile(path);
      return [];
    } catch (error) {
      return [error instanceof Error ? error.message : String(error)];
    }
  }
  if (file.kind === 'config') {
    try {
      JSON.parse(await readFile(path, 'utf8'));
      return [];
    } catch (error) {
      return [`is not valid JSON: ${error instanceof Error ? error.message : String(error)}`];
    }
  }
  if (file.kind !== 'onnx') return [];
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'disabled',
    });
  } catch (error) {
    const size = (await stat(path)).size;
    return [
      `cannot be loaded as an ONNX model (${size} bytes; truncated or not ONNX): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    ];
  }
  try {
    if (!file.signature) return [];
    const found = (list: readonly ort.InferenceSession.ValueMetadata[]): FoundTensor[] =>
      list.map((m) =>
        m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name, type: 'non-tensor', shape: [] },
      );
    const inputs = found(session.inputMetadata);
    const outputs = found(session.outputMetadata);
    const problems = signatureProblems(file.signature, inputs, outputs);
    if (problems.length === 0) return [];
    const line = (t: FoundTensor): string => `${t.name} ${t.type} [${t.shape.join(', ')}]`;
    return [
      ...problems,
      `expected ${describeSignature(file.signature)}`,
      `found inputs: ${inputs.map(line).join('; ')}. outputs: ${outputs.map(line).join('; ')}`,
    ];
  } finally {
    await session.release();
  }
}

async function checkCommand(argv: string[], io: ModelsCommandIo, defaultDir: string): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['backend', 'manifest']);
  if (positional.length > 1) throw new UsageError('models check takes at most one folder.');
  const dir = positional[0] ?? defaultDir;
  const manifest = await loadManifest(flags.get('manifest') ?? MANIFEST_PATH);
  let ready = true;
  io.stdout.write(`Checking ${dir} against ${flags.get('manifest') ?? 'models/manifest.json'}\n`);
  const wanted = flags.get('backend');
  const withEval = wanted === undefined || wanted === 'eval';
  for (const backend of wanted === 'eval' ? [] : backendsFrom(flags)) {
    const reports = await checkModelsDir(dir, backend, manifest);
    for (const report of reports) {
      io.stdout.write(
        `  ${report.status.padEnd(8)} ${backend.padEnd(10)} ${report.path}${report.status === 'absent' ? ' (optional)' : ''}\n`,
      );
      if (report.status === 'missing' || report.status === 'wrong')
        for (const problem of report.problems) io.stdout.write(`             ${problem}\n`);
    }
    const bad = reports.filter((r) => r.status === 'missing' || r.status === 'wrong');
    io.stdout.write(
      bad.length === 0
        ? `${backend}: ready\n`
        : `${backend}: NOT ready (${bad.length} file${bad.length > 1 ? 's' : ''} missing or wrong)\n`,
    );
    if (bad.length > 0) ready = false;
  }
  if (withEval) {
    io.stdout.write(`moodshift eval's learned metrics (optional; models/README.md, "Files for moodshift eval"):\n`);
    for (const report of await checkEvalModels(dir)) {
      const missing = report.files.filter((f) => f.status === 'missing').map((f) => f.path);
      const detail = report.status === 'not measured' ? ` (missing: ${missing.join(', ')})` : '';
      io.stdout.write(`  ${report.metric.padEnd(8)} ${report.status}${detail}\n`);
      if (report.status === 'wrong') {
        ready = false;
        for (const file of report.files.filter((f) => f.status === 'wrong')) {
          io.stdout.write(`             ${file.path}\n`);
          for (const problem of file.problems) io.stdout.write(`               ${problem}\n`);
        }
      }
    }
  }
  return ready ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// hash

async function hashCommand(argv: string[], io: ModelsCommandIo, defaultDir: string): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['backend', 'manifest']);
  const dir = positional[0] ?? defaultDir;
  const manifest = await loadManifest(flags.get('manifest') ?? MANIFEST_PATH);
  const pins: Record<string, { sha256: string; bytes: number }> = {};
  for (const backend of backendsFrom(flags))
    for (const file of manifest.backends[backend].files) {
      const path = join(dir, file.path);
      if (!existsSync(path) || pins[file.path]) continue;
      pins[file.path] = { sha256: await sha256File(path), bytes: (await stat(path)).size };
    }
  io.stdout.write(JSON.stringify(pins, null, 2) + '\n');
  return 0;
}

// ---------------------------------------------------------------------------------------------
// fetch

interface SourcesFile {
  [backend: string]: { baseUrl?: string | null; files?: Record<string, string> } | string | undefined;
}

/** Where each file of a backend comes from: `files[path]`, else `baseUrl/path`; undefined when nowhere. */
export function sourceUrl(
  sources: SourcesFile,
  backend: ModelBackend,
  path: string,
  baseUrlOverride?: string,
): string | undefined {
  const entry = sources[backend];
  const config = typeof entry === 'object' && entry ? entry : {};
  const explicit = config.files?.[path];
  if (explicit) return explicit;
  const base = baseUrlOverride ?? config.baseUrl ?? undefined;
  return base ? `${base.replace(/\/+$/, '')}/${path}` : undefined;
}

export interface DownloadOptions {
  /** Expected sha256 (verified when given). */
  sha256?: string | null;
  /** Expected size in bytes (verified when given). */
  bytes?: number | null;
  /** Attempts after a broken connection, each resuming where the last stopped. @defaultValue 3 */
  retries?: number;
  /** Called as bytes arrive. */
  onProgress?: (received: number, total: number | undefined) => void;
}

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Downloads `url` to `dest` through `dest.partial`, resuming a partial file with an HTTP Range
 * request; verifies size and checksum before moving it into place. A checksum mismatch removes
 * the partial file (its bytes cannot be trusted to resume from).
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<void> {
  const partial = `${dest}.partial`;
  await mkdir(dirname(dest), { recursive: true });
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      await downloadOnce(url, partial, options);
      break;
    } catch (error) {
      if (error instanceof DownloadError || attempt >= retries) throw error;
    }
  }
  const size = (await stat(partial)).size;
  if (typeof options.bytes === 'number' && size !== options.bytes) {
    await rm(partial, { force: true });
    throw new DownloadError(
      `${url} gave ${size} bytes, expected ${options.bytes}; the download was removed, run the command again.`,
    );
  }
  if (options.sha256) {
    const actual = await sha256File(partial);
    if (actual !== options.sha256.toLowerCase()) {
      await rm(partial, { force: true });
      throw new DownloadError(
        `${url} does not match its checksum: sha256 ${actual}, expected ${options.sha256}. The download was removed; check the source and run the command again.`,
      );
    }
  }
  await rename(partial, dest);
}

async function downloadOnce(url: string, partial: string, options: DownloadOptions): Promise<void> {
  const offset = existsSync(partial) ? (await stat(partial)).size : 0;
  const response = await fetch(url, { headers: offset > 0 ? { range: `bytes=${offset}-` } : {} });
  if (response.status === 416 && offset > 0) {
    // The partial file already holds everything the server has.
    await response.body?.cancel();
    return;
  }
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    throw new DownloadError(`${url} answered HTTP ${response.status}.`, response.status);
  }
  const resumed = response.status === 206;
  const length = Number(response.headers.get('content-length') ?? NaN);
  const rangeTotal = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
  const total = rangeTotal ? Number(rangeTotal) : Number.isFinite(length) ? length + (resumed ? offset : 0) : undefined;
  let received = resumed ? offset : 0;
  options.onProgress?.(received, total);
  const body = Readable.fromWeb(response.body! as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    received += chunk.length;
    options.onProgress?.(received, total);
  });
  await pipeline(body, createWriteStream(partial, { flags: resumed ? 'a' : 'w' }));
  if (total !== undefined && received < total) throw new Error(`${url} ended after ${received} of ${total} bytes.`);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

async function fetchCommand(
  argv: string[],
  io: ModelsCommandIo,
  defaultDir: string,
  defaultBaseUrl: string | undefined,
): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['backend', 'dir', 'base-url', 'sources', 'retries', 'manifest']);
  if (positional.length > 0) throw new UsageError(`models fetch takes no folder argument; use --dir ${positional[0]}.`);
  const dir = flags.get('dir') ?? defaultDir;
  const retries = Number(flags.get('retries') ?? 3);
  if (!Number.isInteger(retries) || retries < 0) throw new UsageError('--retries must be a whole number, 0 or more.');
  const manifest = await loadManifest(flags.get('manifest') ?? MANIFEST_PATH);
  const sourcesPath = flags.get('sources') ?? SOURCES_PATH;
  const sources = JSON.parse(await readFile(sourcesPath, 'utf8')) as SourcesFile;
  const baseUrl = flags.get('base-url') ?? defaultBaseUrl;
  let failed = 0;
  for (const backend of backendsFrom(flags)) {
    for (const file of manifest.backends[backend].files) {
      const dest = join(dir, file.path);
      const url = sourceUrl(sources, backend, file.path, baseUrl);
      if (existsSync(dest)) {
        const problems = await contentProblems(dest, file, true);
        if (problems.length === 0) {
          io.stderr.write(`  have     ${file.path}\n`);
          continue;
        }
        io.stderr.write(`  redo     ${file.path}: ${problems.join('; ')}\n`);
        await rm(dest);
      }
      if (!url) {
        if (file.required) {
          io.stderr.write(
            `  no URL   ${file.path}: set a baseUrl for ${backend} in ${sourcesPath}, MODELS_BASE_URL, or --base-url\n`,
          );
          failed++;
        }
        continue;
      }
      let lastShown = 0;
      try {
        await downloadFile(url, dest, {
          sha256: file.sha256,
          bytes: file.bytes ?? null,
          retries,
          onProgress: (received, total) => {
            const now = Date.now();
            if (now - lastShown < 1000 && received !== total) return;
            lastShown = now;
            const share = total ? ` ${Math.floor((received / total) * 100)}%` : '';
            io.stderr.write(
              `  fetching ${file.path}${share} ${formatBytes(received)}${total ? ` / ${formatBytes(total)}` : ''}\n`,
            );
          },
        });
        io.stderr.write(
          `  fetched  ${file.path}${file.sha256 ? ' (checksum verified)' : ' (unpinned: no checksum to verify)'}\n`,
        );
      } catch (error) {
        if (!file.required && error instanceof DownloadError && error.status === 404) continue;
        io.stderr.write(`  failed   ${file.path}: ${error instanceof Error ? error.message : String(error)}\n`);
        failed++;
      }
    }
  }
  io.stdout.write(
    failed === 0
      ? `All files are in ${dir}. Run \`moodshift models check ${dir}\` to verify them.\n`
      : `${failed} file(s) could not be fetched; run the command again to resume.\n`,
  );
  return failed === 0 ? 0 : 1;
}
