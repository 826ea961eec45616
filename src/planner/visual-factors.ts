/**
 * @module The visual factors that evoke each emotion, per kind of visual element (EPEM's five:
 * facial expression, action, object, scene, colour & brightness).
 *
 * Written for this project from common knowledge of photography, film grading and the
 * emotion-image literature (EmoSet's attribute annotations inspired the split by element). Each
 * entry is a short phrase that completes "…, with …" or "… shows …" in an edited caption; the
 * first phrase of each list is the most typical.
 */
import type { Element, Emotion } from '../emotions.ts';

export type VisualFactorTable = Readonly<Record<Emotion, Readonly<Record<Element, readonly string[]>>>>;

export const VISUAL_FACTORS: VisualFactorTable = {
  amusement: {
    facial: ['a wide grin', 'laughing eyes', 'a playful wink', 'puffed-out cheeks'],
    action: ['a silly pose', 'a clumsy tumble', 'a goofy dance', 'pulling a funny face'],
    object: ['balloons', 'a party hat', 'confetti', 'a rubber duck'],
    scene: ['a sunny playground', 'a colourful fairground', 'a cartoonish street'],
    color: ['bright candy colours', 'warm sunny light', 'vivid playful hues'],
  },
  awe: {
    facial: ['wide-open eyes', 'a parted mouth in wonder', 'an upturned gaze'],
    action: ['gazing upward', 'standing small before something vast', 'reaching toward the sky'],
    object: ['towering monuments', 'a cathedral vault', 'giant ancient trees'],
    scene: ['a vast sky', 'god rays through clouds', 'a starry night', 'mountain peaks above the clouds'],
    color: ['deep blues and golden light', 'luminous highlights', 'crisp clear contrast'],
  },
  contentment: {
    facial: ['a soft smile', 'relaxed closed eyes', 'a calm expression'],
    action: ['resting', 'sipping a warm drink', 'reading in a comfortable chair'],
    object: ['a warm blanket', 'a steaming cup', 'a soft cushion', 'a potted plant'],
    scene: ['a quiet sunlit room', 'a calm lake at golden hour', 'a peaceful meadow'],
    color: ['soft warm light', 'gentle pastel tones', 'low, even contrast'],
  },
  excitement: {
    facial: ['an open-mouthed cheer', 'bright wide eyes', 'a thrilled expression'],
    action: ['jumping', 'racing', 'throwing arms in the air', 'a splash in mid-air'],
    object: ['fireworks', 'streamers', 'neon signs', 'a speeding car'],
    scene: ['a packed concert', 'a festival at night', 'a stadium in full cry'],
    color: ['saturated electric colours', 'punchy contrast', 'bold reds and yellows'],
  },
  anger: {
    facial: ['furrowed brows', 'clenched teeth', 'a glaring stare', 'flared nostrils'],
    action: ['shouting', 'fists clenched', 'fighting', 'slamming a door'],
    object: ['broken glass', 'fire', 'a cracked wall', 'a smashed plate'],
    scene: ['a stormy red sky', 'a burning street', 'a riot'],
    color: ['harsh red tones', 'hard dark contrast', 'hot, heavy shadows'],
  },
  disgust: {
    facial: ['a wrinkled nose', 'a curled upper lip', 'a grimace of revulsion'],
    action: ['recoiling', 'gagging', 'turning away'],
    object: ['mould', 'rot', 'slime', 'spoiled food', 'withered flowers with rotten petals'],
    scene: ['an overflowing dump', 'a filthy drain', 'a stagnant swamp'],
    color: ['sickly yellow-green casts', 'murky desaturated browns', 'dirty, muddy tones'],
  },
  fear: {
    facial: ['wide terrified eyes', 'a mouth open in a scream', 'a pale face'],
    action: ['cowering', 'running away', 'hiding in the dark'],
    object: ['a looming shadow', 'sharp claws', 'an empty doll', 'cobwebs'],
    scene: ['a dark forest at night', 'a foggy abandoned house', 'a narrow alley in the dark'],
    color: ['cold desaturated shadows', 'a cold blue-green cast', 'harsh contrast with deep blacks'],
  },
  sadness: {
    facial: ['downcast eyes', 'tears', 'a trembling lip'],
    action: ['sitting alone', 'walking away with head bowed', 'staring out of a window'],
    object: ['an empty chair', 'wilted flowers', 'a faded photograph'],
    scene: ['an overcast sky', 'rain', 'bare trees', 'an empty grey street'],
    color: ['muted grey-blue tones', 'faded colours', 'dim flat light'],
  },
};

/** The elements a plan changes when the person named none: the scene and its colour and light. */
export const DEFAULT_ELEMENTS: readonly Element[] = ['scene', 'color'];

/** Human names of the elements, for captions. */
export const ELEMENT_NAMES: Readonly<Record<Element, string>> = {
  facial: 'facial expression',
  action: 'action',
  object: 'objects',
  scene: 'scene',
  color: 'colour and light',
};
