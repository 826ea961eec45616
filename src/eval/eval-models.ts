/**
 * @module The ONNX files `moodshift eval` uses for the learned metrics, under `MODELS_DIR`, with
 * the input/output signature the code feeds and reads. They live here, apart from
 * `models/manifest.json` (the bot's backends), because no backend needs them; each is optional,
 * and a metric whose file is missing is reported as "not measured: file … missing", never
 * guessed. Export them as described beside each entry (any exporter that keeps these names).
 */
import type { ManifestFile } from '../onnx/manifest.ts';

/** A metric that needs models, and the files it needs. */
export interface EvalModel {
  /** The metric's short name, as in the report. */
  metric: 'CLIP-I' | 'CLIP-T' | 'LPIPS' | 'FID' | 'M-Eval';
  files: ManifestFile[];
}

const float = ['float32'];

/** CLIP ViT image tower with its projection (`CLIPVisionModelWithProjection`, Optimum's export). */
export const CLIP_VISION: ManifestFile = {
  path: 'eval/clip-vision/model.onnx',
  kind: 'onnx',
  required: true,
  sha256: null,
  signature: {
    inputs: [{ name: 'pixel_values', types: float, rank: 4 }],
    outputs: [{ name: 'image_embeds', types: float, rank: 2 }],
  },
  note: 'openai/clip-vit-large-patch14 (or base-patch32) CLIPVisionModelWithProjection: pixel_values [N,3,224,224] (CLIP mean/std) → image_embeds [N,D].',
};

/** CLIP text tower with its projection (`CLIPTextModelWithProjection`) and its tokenizer. */
export const CLIP_TEXT: ManifestFile = {
  path: 'eval/clip-text/model.onnx',
  kind: 'onnx',
  required: true,
  sha256: null,
  signature: {
    inputs: [
      { name: 'input_ids', types: ['int64', 'int32'], rank: 2 },
      { name: 'attention_mask', types: ['int64', 'int32'], rank: 2, optional: true },
    ],
    outputs: [{ name: 'text_embeds', types: float, rank: 2 }],
  },
  note: 'The same CLIP as eval/clip-vision: CLIPTextModelWithProjection, input_ids [N,77] → text_embeds [N,D].',
};
export const CLIP_TOKENIZER: ManifestFile = {
  path: 'eval/clip-text/tokenizer.json',
  kind: 'tokenizer',
  required: true,
  sha256: null,
  note: "The CLIP tokenizer (CLIPTokenizerFast.save_pretrained's tokenizer.json).",
};

/** LPIPS (AlexNet, v0.1) with both pictures as inputs and the distance as output. */
export const LPIPS: ManifestFile = {
  path: 'eval/lpips/model.onnx',
  kind: 'onnx',
  required: true,
  sha256: null,
  signature: {
    inputs: [
      { name: 'in0', types: float, rank: 4 },
      { name: 'in1', types: float, rank: 4 },
    ],
    outputs: [{ name: 'distance', types: float, rank: [1, 2, 4] }],
  },
  note: 'lpips.LPIPS(net="alex") wrapped as forward(in0, in1) → distance; inputs [N,3,256,256] in [-1, 1].',
};

/** InceptionV3's pool3 features, as FID uses them (pytorch-fid's FID weights). */
export const INCEPTION: ManifestFile = {
  path: 'eval/inception/model.onnx',
  kind: 'onnx',
  required: true,
  sha256: null,
  signature: {
    inputs: [{ name: 'images', types: float, rank: 4 }],
    outputs: [{ name: 'pool3', types: float, rank: [2, 4] }],
  },
  note: 'pytorch-fid InceptionV3([3]) (2048-d pool3): images [N,3,299,299] RGB in [0, 1] (the model normalises) → pool3 [N,2048] or [N,2048,1,1].',
};

/** An image emotion classifier over the eight emotions (the paper's M-Eval uses MDAN). */
export const EMOTION_CLASSIFIER: ManifestFile = {
  path: 'eval/emotion-classifier/model.onnx',
  kind: 'onnx',
  required: true,
  sha256: null,
  signature: {
    inputs: [{ name: 'pixel_values', types: float, rank: 4 }],
    outputs: [{ name: 'logits', types: float, rank: 2 }],
  },
  note: 'Any EmoSet-trained classifier: pixel_values [N,3,S,S] → logits [N,8], with config.json beside it.',
};
export const EMOTION_CLASSIFIER_CONFIG: ManifestFile = {
  path: 'eval/emotion-classifier/config.json',
  kind: 'config',
  required: true,
  sha256: null,
  note: '{"labels": [the eight emotion names in output order], "size": 224, "mean": [r, g, b], "std": [r, g, b]} (size, mean and std default to 224 and ImageNet\'s).',
};

export const EVAL_MODELS: readonly EvalModel[] = [
  { metric: 'CLIP-I', files: [CLIP_VISION] },
  { metric: 'CLIP-T', files: [CLIP_VISION, CLIP_TEXT, CLIP_TOKENIZER] },
  { metric: 'LPIPS', files: [LPIPS] },
  { metric: 'FID', files: [INCEPTION] },
  { metric: 'M-Eval', files: [EMOTION_CLASSIFIER, EMOTION_CLASSIFIER_CONFIG] },
];
