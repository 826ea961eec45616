/**
 * @module The model manifest (`models/manifest.json`): which files each ONNX backend needs
 * under `MODELS_DIR`, their checksums, and the input/output signature the code expects.
 * Also the checks of one file against it, shared by `moodshift models check` and by the
 * backends when they start.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.ts';

export type ModelBackend = 'diffusion' | 'onnx';
export const MODEL_BACKENDS: readonly ModelBackend[] = ['diffusion', 'onnx'];

/** One input or output a model must have. */
export interface TensorSignature {
  /** The name; a list means any one of them; `{N}` stands for 0, 1, … (at least one). */
  name: string | string[];
  /** Accepted element types (`float32`, `float16`, `int64`, `int32`, `bool`). */
  types: string[];
  /** Number of axes; a list means any of them. */
  rank: number | number[];
  /** The code feeds it when the model has it. @defaultValue false */
  optional?: boolean;
}

export interface ModelSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

export interface ManifestFile {
  /** Path under MODELS_DIR, with `/` separators. */
  path: string;
  /** `config`: a JSON file the code reads (e.g. the planner's `generation_config.json`). */
  kind: 'onnx' | 'tokenizer' | 'data' | 'config';
  /** A backend cannot start without it. Optional files with the same `group` come all or none. */
  required: boolean;
  group?: string;
  /** An optional file needed when any file of this group is present (without starting the group itself). */
  neededWith?: string;
  /** Lower-case hex sha256, or null when unpinned. */
  sha256: string | null;
  /** Exact size in bytes, when pinned. */
  bytes?: number | null;
  signature?: ModelSignature;
  note?: string;
}

export interface BackendManifest {
  description: string;
  files: ManifestFile[];
}

export interface ModelManifest {
  version: number;
  backends: Record<ModelBackend, BackendManifest>;
}

export const MANIFEST_PATH = fileURLToPath(new URL('../../models/manifest.json', import.meta.url));

let cachedManifest: Promise<ModelManifest> | undefined;

/** The manifest shipped in `models/manifest.json` (read once), or another file's. */
export function loadManifest(path: string = MANIFEST_PATH): Promise<ModelManifest> {
  const read = async (): Promise<ModelManifest> => JSON.parse(await readFile(path, 'utf8')) as ModelManifest;
  if (path !== MANIFEST_PATH) return read();
  cachedManifest ??= read();
  return cachedManifest;
}

export function manifestFile(manifest: ModelManifest, backend: ModelBackend, path: string): ManifestFile {
  const file = manifest.backends[backend].files.find((f) => f.path === path);
  if (!file) throw new Error(`models/manifest.json lists no file ${path} for the ${backend} backend.`);
  return file;
}

/** What ONNX Runtime reports about one input or output. */
export interface FoundTensor {
  name: string;
  type: string;
  shape: ReadonlyArray<number | string>;
}

function namesOf(spec: TensorSignature): string[] {
  return Array.isArray(spec.name) ? spec.name : [spec.name];
}

function ranksOf(spec: TensorSignature): number[] {
  return Array.isArray(spec.rank) ? spec.rank : [spec.rank];
}

function matchesName(pattern: string, name: string): boolean {
  if (!pattern.includes('{N}')) return pattern === name;
  const [before, after] = pattern.split('{N}') as [string, string];
  return (
    name.startsWith(before) &&
    name.endsWith(after) &&
    /^\d+$/.test(name.slice(before.length, name.length - after.length))
  );
}

/** One line per tensor: `sample float32|float16 rank 4`. */
export function describeSignature(signature: ModelSignature): string {
  const line = (spec: TensorSignature): string =>
    `${namesOf(spec).join(' or ')} ${spec.types.join('|')} rank ${ranksOf(spec).join(' or ')}${spec.optional ? ' (optional)' : ''}`;
  return `inputs: ${signature.inputs.map(line).join('; ')}. outputs: ${signature.outputs.map(line).join('; ')}`;
}

export function describeFound(inputs: readonly FoundTensor[], outputs: readonly FoundTensor[]): string {
  const line = (t: FoundTensor): string => `${t.name} ${t.type} [${t.shape.join(', ')}]`;
  return `inputs: ${inputs.map(line).join('; ') || 'none'}. outputs: ${outputs.map(line).join('; ') || 'none'}`;
}

/** The ways a model's inputs and outputs differ from the signature; empty when it fits. */
export function signatureProblems(
  signature: ModelSignature,
  inputs: readonly FoundTensor[],
  outputs: readonly FoundTensor[],
): string[] {
  const problems: string[] = [];
  const check = (specs: TensorSignature[], found: readonly FoundTensor[], side: 'input' | 'output'): void => {
    const claimed = new Set<string>();
    for (const spec of specs) {
      const matches = found.filter((tensor) => namesOf(spec).some((pattern) => matchesName(pattern, tensor.name)));
      if (matches.length === 0) {
        if (!spec.optional) problems.push(`no ${side} named ${namesOf(spec).join(' or ')}`);
        continue;
      }
      for (const tensor of matches) {
        claimed.add(tensor.name);
        if (!spec.types.includes(tensor.type))
          problems.push(`${side} ${tensor.name} is ${tensor.type}, expected ${spec.types.join(' or ')}`);
        if (!ranksOf(spec).includes(tensor.shape.length))
          problems.push(
            `${side} ${tensor.name} has rank ${tensor.shape.length} ([${tensor.shape.join(', ')}]), expected rank ${ranksOf(spec).join(' or ')}`,
          );
      }
    }
    // An input we do not know about is one we cannot feed; an unknown output is harmless.
    if (side === 'input')
      for (const tensor of found)
        if (!claimed.has(tensor.name)) problems.push(`input ${tensor.name} is not one moodshift provides`);
  };
  check(signature.inputs, inputs, 'input');
  check(signature.outputs, outputs, 'output');
  // Past key values and presents must pair up layer by layer.
  const layers = (prefix: string, list: readonly FoundTensor[]): number =>
    list.filter((t) => matchesName(`${prefix}.{N}.key`, t.name)).length;
  const past = layers('past_key_values', inputs);
  const present = layers('present', outputs);
  if (past !== present) problems.push(`${past} past_key_values inputs but ${present} present outputs`);
  return problems;
}

/** The error for a model file that does not fit, naming the file, what was expected and what was found. */
export function signatureError(
  path: string,
  signature: ModelSignature,
  inputs: readonly FoundTensor[],
  outputs: readonly FoundTensor[],
  problems: string[],
): ConfigError {
  return new ConfigError(
    `Model file ${path} does not have the signature moodshift expects (${problems.join('; ')}).\n` +
      `  expected ${describeSignature(signature)}\n` +
      `  found    ${describeFound(inputs, outputs)}\n` +
      `Export it again with those names and types (see models/README.md).`,
  );
}

/** The error for a missing model file. */
export function missingFileError(path: string, file: ManifestFile, backend: string): ConfigError {
  const expected = file.signature ? ` It must have ${describeSignature(file.signature)}.` : '';
  return new ConfigError(
    `Model file ${path} is missing (needed by the ${backend} backend).${expected} ` +
      `Set MODELS_DIR to the folder that holds the export, or run \`moodshift models fetch --backend ${backend}\`.`,
  );
}

/** Size and checksum checks for a file that exists; returns problems (empty when fine or unpinned). */
export async function contentProblems(path: string, file: ManifestFile, verifyChecksum: boolean): Promise<string[]> {
  const problems: string[] = [];
  const size = (await stat(path)).size;
  if (size === 0) problems.push('the file is empty');
  if (typeof file.bytes === 'number' && size !== file.bytes)
    problems.push(
      `the file has ${size} bytes, expected ${file.bytes}${size < file.bytes ? ' (truncated: download it again)' : ''}`,
    );
  if (verifyChecksum && file.sha256 && problems.length === 0) {
    const actual = await sha256File(path);
    if (actual !== file.sha256.toLowerCase()) problems.push(`its sha256 is ${actual}, expected ${file.sha256}`);
  }
  return problems;
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
