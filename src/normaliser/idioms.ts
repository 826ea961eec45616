/**
 * @module The idiom and scene table: situations people describe instead of naming a feeling
 * ("like the milk has gone off", "like seeing the Northern Lights", "make it pop"), and what
 * people in a picture can be made to do ("make them jump for joy", "make the crowd cower").
 *
 * Each row maps a few phrasings of one situation to the emotion it evokes, with the reason, so
 * that a reviewer can disagree with a row rather than with scattered words. The emotion is the
 * EmoSet category a viewer would most likely name for a picture of that situation (EmoSet's own
 * definitions: amusement is fun and play, awe is vastness, contentment is calm comfort,
 * excitement is thrill and celebration; anger is offence and hostility, disgust is rot, dirt and
 * vermin, fear is threat and the uncanny, sadness is loss and parting). `happy` follows the
 * generic-happiness rule of `lexicon.ts`.
 *
 * Phrases are folded (lower case, no apostrophes: "new year's eve" is read as "new year eve",
 * the possessive dropped) and match whole words; `*` stands for any one word ("shake * fist").
 * A row with `after` counts only when one of those words comes in the three words before it:
 * "make the kids cheer" is an action of people, "cheer it up" is not. Actions are the verbs of
 * "make them …"; their -ing forms ("the people dancing") are element words of `lexicon.ts`.
 *
 * The words of a matched phrase are used up: "like a haunted house" names no scene element,
 * while "make the sky stormy" still names the sky.
 */
import type { Element } from '../emotions.ts';
import type { LexiconEmotion } from '../lexicon.ts';

export interface IdiomRow {
  /** The emotion, or `undefined` for an action that names no feeling by itself ("make them jump"). */
  emotion: LexiconEmotion | undefined;
  phrases: readonly string[];
  /** The elements the phrase names: an action of people, a colour or light. */
  elements?: readonly Element[];
  /** Words one of which must come in the three words before the phrase. */
  after?: readonly string[];
  why: string;
}

/** Who can be made to do something in a picture. */
export const PERSON_WORDS: readonly string[] = [
  'them',
  'him',
  'her',
  'they',
  'he',
  'she',
  'people',
  'crowd',
  'kids',
  'children',
  'child',
  'kid',
  'everyone',
  'everybody',
  'couple',
  'man',
  'woman',
  'men',
  'women',
  'girl',
  'boy',
  'girls',
  'boys',
  'family',
  'friends',
  'team',
  'audience',
  'fans',
  'guests',
  'players',
  'baby',
  'person',
  'guy',
  'guys',
  'folks',
  'dog',
  'cat',
  'dogs',
  'cats',
  'us',
  'me',
  'cast',
  'characters',
];

const ACTION: readonly Element[] = ['action'];

export const IDIOM_TABLE: readonly IdiomRow[] = [
  // -- sadness: loss, parting, endings ---------------------------------------------------------
  {
    emotion: 'sadness',
    phrases: [
      'rainy funeral',
      'funeral procession',
      'someone died',
      'lost a loved one',
      'lost everything',
      'lost my dog',
      'empty swing',
      'wilted flowers',
      'sad violin',
    ],
    why: 'loss and mourning',
  },
  {
    emotion: 'sadness',
    phrases: [
      'breakup',
      'break up',
      'breakup text',
      'goodbye',
      'farewell',
      'saying goodbye',
      'goodbye at the airport',
      'airport goodbye',
      'dear john letter',
      'left alone',
      'empty room',
      'empty house',
    ],
    why: 'parting and being left',
  },
  {
    emotion: 'sadness',
    phrases: [
      'last day of summer',
      'end of summer',
      'autumn rain',
      'first day of autumn',
      'first day of autumn rain',
      'rainy sunday',
      'rainy afternoon',
      'rainy window',
      'november rain',
      'blue monday',
      'tear jerker',
      'tearjerker',
    ],
    why: 'endings and grey weather, the melancholy of seasons',
  },
  // -- fear: threat, the uncanny, catastrophe -------------------------------------------------
  {
    emotion: 'fear',
    phrases: [
      'end of the world',
      'apocalypse',
      'apocalyptic',
      'zombie apocalypse',
      'doomsday',
      'armageddon',
      'war zone',
      'warzone',
      'battlefield',
      'nuclear war',
    ],
    why: 'catastrophe: the world under threat',
  },
  {
    emotion: 'fear',
    phrases: [
      'haunted house',
      'haunted',
      'horror movie',
      'horror film',
      'horror',
      'slasher',
      'jump scare',
      'graveyard',
      'graveyard at night',
      'cemetery at night',
      'dark alley',
      'serial killer',
      'zombie',
      'zombies',
      'monster',
      'monsters',
      'ghost',
      'ghosts',
      'at midnight',
      'being watched',
      'being followed',
      'alone in the dark',
    ],
    why: 'the uncanny and the stalked: horror conventions',
  },
  {
    emotion: 'fear',
    phrases: ['stormy', 'thunderstorm', 'thunder and lightning', 'tornado', 'hurricane'],
    why: 'storms as threat (EmoSet fear scenes); "angry and stormy" still reads the first feeling',
  },
  // -- anger: offence, obstruction, hostility -------------------------------------------------
  {
    emotion: 'anger',
    phrases: [
      'road rage',
      'cut off in traffic',
      'got cut off',
      'stuck in traffic',
      'traffic jam',
      'stole * parking spot',
      'parking spot',
      'stepped on a lego',
      'stubbed * toe',
      'insulted',
      'insulted * mother',
      'betrayed',
      'betrayal',
      'cheated on',
      'slammed the door',
      'blood boiling',
      'boiling blood',
      'steam coming out of * ears',
      'bar fight',
      'tantrum',
      'temper tantrum',
      'riot',
    ],
    why: 'being wronged or obstructed, and open hostility',
  },
  // -- disgust: rot, dirt, vermin -------------------------------------------------------------
  {
    emotion: 'disgust',
    phrases: [
      'gone off',
      'milk has gone off',
      'spoiled milk',
      'sour milk',
      'rotten eggs',
      'moldy bread',
      'mouldy bread',
      'garbage',
      'garbage dump',
      'trash',
      'dumpster',
      'landfill',
      'rubbish tip',
      'sewer',
      'sewage',
      'public toilet',
      'dirty toilet',
      'fridge smells',
      'smells bad',
      'stinks',
      'cockroach',
      'cockroaches',
      'rats',
      'roadkill',
    ],
    why: 'rot, waste and vermin: the core elicitors of disgust',
  },
  // -- amusement: play and comedy -------------------------------------------------------------
  {
    emotion: 'amusement',
    phrases: [
      'circus',
      'clown',
      'clowns',
      'sitcom',
      'cartoon',
      'comedy show',
      'stand up comedy',
      'prank',
      'whoopee cushion',
      'banana peel',
      'pie in the face',
      'funny face',
      'silly face',
      'kids party',
    ],
    why: 'comedy and play',
  },
  // -- awe: vastness ----------------------------------------------------------------------------
  {
    emotion: 'awe',
    phrases: [
      'northern lights',
      'aurora',
      'aurora borealis',
      'milky way',
      'staring at the stars',
      'looking at the stars',
      'under the stars',
      'starry sky',
      'starry night',
      'grand canyon',
      'top of a mountain',
      'mountain top',
      'summit',
      'like a cathedral',
      'inside a cathedral',
      'pyramids',
      'eclipse',
      'solar eclipse',
      'waterfall',
      'niagara falls',
      'himalayas',
      'everest',
      'outer space',
    ],
    why: 'vastness that needs accommodation: the classic elicitors of awe (Keltner and Haidt 2003)',
  },
  // -- contentment: calm comfort --------------------------------------------------------------
  {
    emotion: 'contentment',
    phrases: [
      'sunday morning',
      'lazy afternoon',
      'hammock',
      'warm blanket',
      'blanket',
      'fireplace',
      'by the fire',
      'hot cocoa',
      'hot chocolate',
      'cup of tea',
      'spa day',
      'spa',
      'warm fuzzy',
      'warm fuzzy feeling',
      'cozy cabin',
      'cosy cabin',
      'picnic',
      'purring',
      'after a long day',
      'nap',
      'napping',
    ],
    why: 'rest, warmth and comfort',
  },
  {
    emotion: 'contentment',
    phrases: ['golden hour'],
    elements: ['color'],
    why: 'the warm low light of the hour before sunset',
  },
  // -- excitement: thrill and celebration -----------------------------------------------------
  {
    emotion: 'excitement',
    phrases: [
      'birthday party',
      'new year eve',
      'new years eve',
      'fireworks',
      'rock concert',
      'concert',
      'music festival',
      'festival',
      'roller coaster',
      'rollercoaster',
      'christmas morning',
      'kid on christmas',
      'game day',
      'stadium',
      'race day',
      'carnival',
      'rave',
    ],
    why: 'celebration and thrill',
  },
  { emotion: 'excitement', phrases: ['pop'], after: ['make', 'let'], why: '"make it pop": vivid and punchy' },
  // -- what people can be made to do ------------------------------------------------------------
  { emotion: 'happy', phrases: ['jump for joy', 'jumping for joy'], elements: ACTION, why: 'an action of joy' },
  {
    emotion: 'fear',
    phrases: ['cower', 'shiver', 'tremble', 'flee', 'run away', 'scream', 'hide'],
    elements: ACTION,
    after: PERSON_WORDS,
    why: 'flight and freezing',
  },
  {
    emotion: 'anger',
    phrases: ['shake * fist', 'shake * fists', 'clench * fist', 'clench * fists', 'yell', 'shout', 'stomp', 'punch'],
    elements: ACTION,
    after: PERSON_WORDS,
    why: 'threat displays',
  },
  {
    emotion: 'disgust',
    phrases: ['recoil', 'gag', 'hold * nose', 'wrinkle * nose', 'retch'],
    elements: ACTION,
    after: PERSON_WORDS,
    why: 'rejection',
  },
  { emotion: 'sadness', phrases: ['cry', 'weep', 'sob'], elements: ACTION, after: PERSON_WORDS, why: 'tears' },
  { emotion: 'amusement', phrases: ['laugh', 'giggle'], elements: ACTION, after: PERSON_WORDS, why: 'laughter' },
  {
    emotion: 'contentment',
    phrases: ['hug', 'cuddle', 'relax'],
    elements: ACTION,
    after: PERSON_WORDS,
    why: 'closeness and rest',
  },
  {
    emotion: 'excitement',
    phrases: ['dance', 'cheer', 'celebrate'],
    elements: ACTION,
    after: PERSON_WORDS,
    why: 'celebration',
  },
  {
    emotion: undefined,
    phrases: ['jump', 'run', 'walk', 'wave', 'sit', 'stand', 'move', 'play'],
    elements: ACTION,
    after: PERSON_WORDS,
    why: 'actions that name no feeling by themselves',
  },
];

export interface IdiomEntry {
  words: readonly string[];
  row: IdiomRow;
}

/** The table's phrases by their first word, longest first. */
export const IDIOM_INDEX: ReadonlyMap<string, readonly IdiomEntry[]> = (() => {
  const index = new Map<string, IdiomEntry[]>();
  for (const row of IDIOM_TABLE) {
    for (const phrase of row.phrases) {
      const words = phrase.split(' ');
      const list = index.get(words[0]!) ?? [];
      list.push({ words, row });
      index.set(words[0]!, list);
    }
  }
  for (const list of index.values()) list.sort((a, b) => b.words.length - a.words.length);
  return index;
})();

const AFTER_SETS = new Map<readonly string[], ReadonlySet<string>>();

/** The longest row phrase at `words[i]`, if any, and how many words it spans. */
export function idiomAt(words: readonly string[], i: number): { row: IdiomRow; length: number } | undefined {
  const entries = IDIOM_INDEX.get(words[i]!);
  if (!entries) return undefined;
  for (const { words: phrase, row } of entries) {
    if (i + phrase.length > words.length) continue;
    if (!phrase.every((w, k) => w === '*' || w === words[i + k])) continue;
    if (row.after) {
      let after = AFTER_SETS.get(row.after);
      if (!after) AFTER_SETS.set(row.after, (after = new Set(row.after)));
      if (![1, 2, 3].some((k) => after.has(words[i - k] ?? ''))) continue;
    }
    return { row, length: phrase.length };
  }
  return undefined;
}
