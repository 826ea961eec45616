/**
 * @module The words people use for each emotion, visual element and intensity.
 *
 * The emotion model (valence, PAD position) lives in `emotions.ts`; this file holds only
 * vocabulary. Words are stored folded: lower case, without diacritics, hyphens as spaces
 * (see {@link foldText}), so "Awe-Inspiring" and "awe inspiring" are the same entry.
 *
 * ## Generic happiness
 *
 * "happy", "happier", "cheerful", "joyful", "glad"… do not name one of the eight EmoSet
 * categories: every positive one is a kind of happiness. moodshift reads them with one rule
 * ({@link resolveGenericHappy}):
 *
 * 1. "happy" means **amusement**. Russell & Mehrabian (1977) place "happy" at pleasure .81,
 *    arousal .51, dominance .46; of the four positive categories amusement's PAD position in
 *    `emotions.ts` is the nearest to it (distance ≈ 0.18; excitement ≈ 0.32, awe ≈ 0.90,
 *    contentment ≈ 1.06).
 * 2. Except when the words ask for *more or less* happiness ("happier", "more cheerful", "less
 *    happy") while the current picture already shows a positive emotion: then they mean that
 *    emotion, so "happier" on a contentment edit makes it more content rather than switching
 *    to amusement. "make it happy" on that picture still asks for amusement.
 */
import { EMOTIONS, EMOTION_TABLE, ELEMENTS } from './emotions.ts';
import type { Element, Emotion } from './emotions.ts';
import type { IntensityLevel } from './intent.ts';
import { SHARED_RULES_LEXICONS, sharedRulesWords } from './normaliser/lexicon/shared-rules.ts';
import type { LexiconEmotion } from './normaliser/lexicon/types.ts';

/** The vocabulary of one emotion. Every list holds folded text (see {@link foldText}). */
export interface EmotionLexicon {
  /** Adjectives and the category name itself: "sad", "gloomy", "melancholy". */
  adjectives: readonly string[];
  /** Comparatives: "sadder", "gloomier". Read as "more of this emotion". */
  comparatives: readonly string[];
  /** Superlatives: "saddest". Read as "this emotion at maximum intensity". */
  superlatives: readonly string[];
  /** Verbs, including multi-word ones: "sadden", "calm down", "freak out". */
  verbs: readonly string[];
  /** Nouns: "sorrow", "rage", "dread", "wonder". */
  nouns: readonly string[];
  /** Common misspellings of the words above: "sader", "scarey", "angery". */
  misspellings: readonly string[];
  /** Emoji, without variation selectors. */
  emoji: readonly string[];
}

/** How a word names its emotion; it decides whether the word asks for "more" or "maximum". */
export type WordForm = 'base' | 'comparative' | 'superlative';

/** The emotion a word names. `happy` stands for the generic happiness words (see the module note). */
export type { LexiconEmotion };

export interface EmotionWord {
  emotion: LexiconEmotion;
  form: WordForm;
}

export const EMOTION_LEXICON: Readonly<Record<Emotion, EmotionLexicon>> = {
  amusement: {
    adjectives: [
      'giddy', 'laughable', 'clownish', 'slapstick', 'hysterical', 'mischievous', 'impish', 'prankish', 'loony',
      'daft', 'kooky', 'nutty', 'droll', 'tongue in cheek', 'amusing looking', 'funnyish', 'lol worthy',
      'amusement', 'amusing', 'amused', 'funny', 'fun', 'hilarious', 'humorous', 'humourous', 'comic', 'comical',
      'comedic', 'silly', 'goofy', 'playful', 'whimsical', 'witty', 'quirky', 'zany', 'wacky', 'cartoonish',
      'cartoony', 'lighthearted', 'light hearted', 'jokey', 'jocular', 'cute', 'adorable', 'cheeky', 'laughing',
      'giggly', 'ridiculous', 'absurd', 'entertaining', 'merry',
    ],
    comparatives: ['funnier', 'sillier', 'goofier', 'more playful', 'cuter', 'wackier', 'zanier', 'quirkier', 'merrier'],
    superlatives: ['funniest', 'silliest', 'goofiest', 'cutest', 'wackiest', 'most hilarious'],
    verbs: ['amuse', 'laugh', 'giggle', 'crack up', 'cracks me up', 'make me laugh'],
    nouns: ['humor', 'humour', 'comedy', 'laughter', 'laughs', 'silliness', 'whimsy', 'hilarity', 'joke', 'jokes', 'giggles'],
    misspellings: ['funy', 'funnny', 'hilarius', 'hillarious', 'hilarous', 'amusment', 'amuzing', 'goofey', 'sily', 'humerous'],
    emoji: ['😂', '🤣', '😆', '😹', '🤡', '😜', '😝', '🙃', '😛', '🤪', '😄', '😁'],
  },
  awe: {
    adjectives: [
      'colossal', 'towering', 'gigantic', 'infinite', 'boundless', 'reverent', 'holy', 'spiritual', 'mythic',
      'mythical', 'legendary', 'dazzling', 'luminous', 'resplendent', 'splendid', 'regal', 'wonderstruck',
      'starstruck', 'humbling', 'sweeping', 'panoramic', 'titanic', 'enormous', 'grandiose', 'cathedral like',
      'awe filled', 'godlike', 'angelic', 'numinous',
      'awe', 'awed', 'awestruck', 'awe struck', 'awe inspiring', 'majestic', 'grand', 'sublime', 'breathtaking',
      'breath taking', 'magnificent', 'wondrous', 'marvelous', 'marvellous', 'spectacular', 'monumental', 'vast',
      'immense', 'heavenly', 'divine', 'celestial', 'ethereal', 'magical', 'mystical', 'transcendent', 'epic',
      'glorious', 'astonishing', 'astounding', 'amazed', 'astonished', 'stunning', 'mind blowing', 'mindblowing',
      'jaw dropping', 'overwhelming', 'imposing', 'cosmic', 'otherworldly', 'sacred', 'inspiring',
      'miraculous', 'mesmerizing', 'mesmerising', 'enchanting', 'larger than life', 'dreamlike', 'surreal',
    ],
    comparatives: ['grander', 'more majestic', 'vaster', 'more epic', 'more magical'],
    superlatives: ['grandest', 'most majestic', 'vastest', 'most epic'],
    verbs: ['inspire awe', 'amaze', 'astonish', 'astound', 'mesmerize', 'mesmerise', 'blow my mind'],
    nouns: ['wonder', 'grandeur', 'majesty', 'splendor', 'splendour', 'marvel', 'reverence', 'sublimity', 'magic', 'amazement', 'astonishment'],
    misspellings: ['majestik', 'magestic', 'majestci', 'breathtakeing', 'breathtacking', 'spectaculer', 'magnificient', 'awsome', 'awe inspring', 'wonderous'],
    emoji: ['😮', '😲', '🤯', '🌌', '✨', '🌠', '😯', '🏔', '🌅', '🌄'],
  },
  contentment: {
    adjectives: [
      'warm and fuzzy', 'tender', 'loving', 'affectionate', 'leisurely', 'unhurried', 'breezy', 'balmy',
      'restorative', 'meditative', 'contemplative', 'snuggly', 'cuddly', 'bucolic', 'halcyon', 'untroubled',
      'rested', 'refreshed', 'refreshing', 'hushed', 'gentle and calm', 'soft and calm', 'lazy sunday',
      'contentment', 'content', 'contented', 'calm', 'calming', 'peaceful', 'serene', 'tranquil', 'relaxed',
      'relaxing', 'cozy', 'cosy', 'comfy', 'comfortable', 'soothing', 'mellow', 'chill', 'chilled', 'chilled out',
      'chill out', 'laid back', 'restful', 'quiet', 'satisfied', 'satisfying', 'pleasant', 'homely', 'homey',
      'snug', 'idyllic', 'blissful', 'zen', 'dreamy', 'wholesome', 'harmonious', 'placid',
      'at peace', 'at ease', 'carefree', 'easygoing', 'easy going', 'heartwarming', 'heart warming', 'warm hearted',
      'reassuring', 'lazy', 'sleepy', 'pastoral', 'hygge', 'fulfilled', 'grateful', 'thankful', 'nostalgic',
      'inviting', 'welcoming', 'relaxful',
    ],
    comparatives: ['calmer', 'cozier', 'cosier', 'comfier', 'quieter', 'more peaceful', 'more serene', 'more relaxed', 'mellower'],
    superlatives: ['calmest', 'coziest', 'cosiest', 'comfiest', 'quietest', 'most peaceful', 'most relaxing'],
    verbs: ['calm down', 'relax', 'soothe', 'unwind', 'settle down', 'chill out', 'mellow out', 'cozy up'],
    nouns: ['peace', 'serenity', 'tranquility', 'tranquillity', 'calmness', 'comfort', 'bliss', 'coziness', 'cosiness', 'relaxation', 'satisfaction', 'harmony', 'warmth', 'stillness', 'contentness'],
    misspellings: ['peacefull', 'peacful', 'calmm', 'relaxd', 'cozzy', 'comfortible', 'sereen', 'contentmant', 'contement', 'tranquill', 'tranqil', 'relaxt'],
    emoji: ['😌', '😊', '☺', '🙂', '😇', '🧘', '☕', '🍵', '🌿', '🛋', '🕯', '😴', '🌸', '💤'],
  },
  excitement: {
    adjectives: [
      'frenetic', 'frenzied', 'rowdy', 'raucous', 'riotous', 'heart pounding', 'heart racing', 'pulse pounding',
      'adrenalized', 'turbocharged', 'buzzy', 'zippy', 'zesty', 'spirited', 'bouncy', 'peppy', 'jazzed', 'stoked',
      'psyched', 'amped', 'amped up', 'celebratory', 'vivacious', 'effervescent', 'high octane',
      'excitement', 'exciting', 'excited', 'thrilling', 'thrilled', 'energetic', 'dynamic', 'vibrant', 'lively',
      'hyped', 'hype', 'electric', 'electrifying', 'exhilarating', 'exhilarated', 'pumped', 'pumped up', 'wild',
      'action packed', 'adventurous', 'upbeat', 'buzzing', 'explosive', 'enthusiastic', 'eager', 'festive',
      'energized', 'energised', 'energizing', 'stimulating', 'exuberant', 'ecstatic', 'euphoric', 'rousing',
      'high energy', 'fast paced', 'punchy', 'fiery', 'daring', 'adrenaline fueled', 'intoxicating',
    ],
    comparatives: ['livelier', 'wilder', 'more exciting', 'more energetic', 'more thrilling', 'more vibrant', 'punchier'],
    superlatives: ['liveliest', 'wildest', 'most exciting', 'most thrilling'],
    verbs: ['excite', 'thrill', 'energize', 'energise', 'hype up', 'pump up', 'electrify', 'exhilarate'],
    nouns: ['thrill', 'thrills', 'energy', 'adrenaline', 'buzz', 'enthusiasm', 'exhilaration', 'party', 'celebration', 'adventure', 'hype', 'euphoria', 'ecstasy'],
    misspellings: ['exiting', 'exited', 'excitment', 'exciteing', 'exciing', 'excting', 'thriling', 'thrillin', 'energitic', 'enegetic', 'vibrent', 'exilarating', 'excitin'],
    emoji: ['🤩', '🎉', '🥳', '⚡', '🚀', '🎢', '🎆', '🎇', '🤘', '🏎', '💥'],
  },
  anger: {
    adjectives: [
      'combative', 'confrontational', 'volatile', 'bloodthirsty', 'murderous', 'snarly', 'spiteful', 'vindictive',
      'rabid', 'berserk', 'apoplectic', 'testy', 'huffy', 'scowling', 'rage filled', 'seeing red', 'up in arms',
      'raging mad',
      'anger', 'angry', 'angered', 'furious', 'enraged', 'raging', 'mad', 'irate', 'livid', 'hostile', 'aggressive',
      'wrathful', 'outraged', 'irritated', 'annoyed', 'frustrated', 'infuriated', 'infuriating', 'fuming', 'seething',
      'resentful', 'hateful', 'grumpy', 'violent', 'vengeful', 'pissed', 'pissed off', 'irritable', 'agitated',
      'heated', 'incensed', 'indignant', 'bitter', 'belligerent', 'rageful', 'ragey', 'cranky', 'grouchy',
      'ticked off', 'fierce', 'savage', 'ferocious', 'infuriate', 'antagonistic', 'snarling',
    ],
    comparatives: ['angrier', 'madder', 'more furious', 'grumpier', 'fiercer', 'crankier', 'more aggressive', 'more hostile'],
    superlatives: ['angriest', 'maddest', 'grumpiest', 'fiercest', 'most furious'],
    verbs: ['enrage', 'infuriate', 'anger', 'annoy', 'irritate', 'provoke', 'rage', 'seethe', 'fume', 'piss off', 'lose it'],
    nouns: ['rage', 'fury', 'wrath', 'hostility', 'aggression', 'outrage', 'hatred', 'frustration', 'irritation', 'resentment', 'violence', 'ire', 'temper'],
    misspellings: ['angery', 'angy', 'angree', 'angrey', 'agnry', 'furios', 'furius', 'furiuos', 'fureous', 'aggresive', 'agressive', 'angar', 'angre'],
    emoji: ['😡', '🤬', '😠', '👿', '💢', '😤', '🗯'],
  },
  disgust: {
    adjectives: [
      'sickly', 'gruesome', 'grisly', 'fetid', 'noxious', 'toxic', 'contaminated', 'polluted', 'infested',
      'infected', 'gooey', 'mucky', 'scummy', 'unsanitary', 'unhygienic', 'stenchy', 'reeking', 'maggoty',
      'creepy crawly', 'wormy', 'rotted', 'putrefied', 'putrefying', 'bile', 'septic', 'grossed',
      'disgust', 'disgusting', 'disgusted', 'gross', 'grossed out', 'revolting', 'repulsive', 'repulsed', 'repugnant',
      'nasty', 'icky', 'yucky', 'vile', 'foul', 'rotten', 'rotting', 'putrid', 'slimy', 'gory', 'sickening',
      'nauseating', 'nauseous', 'moldy', 'mouldy', 'filthy', 'dirty', 'grimy', 'grotesque', 'repellent',
      'loathsome', 'rancid', 'stinky', 'smelly', 'decaying', 'decomposing', 'unappetizing', 'unappetising',
      'off putting', 'squalid', 'festering', 'crusty', 'greasy', 'sticky', 'sleazy', 'abhorrent', 'wilted',
      'spoiled', 'spoilt', 'skanky', 'mangy', 'sludgy', 'gunky', 'oozing', 'grody', 'manky', 'sick making',
    ],
    comparatives: ['grosser', 'nastier', 'ickier', 'yuckier', 'filthier', 'dirtier', 'slimier', 'more disgusting', 'grimier', 'smellier', 'stinkier', 'more revolting', 'moldier', 'mouldier'],
    superlatives: ['grossest', 'nastiest', 'filthiest', 'dirtiest', 'most disgusting', 'most revolting'],
    verbs: ['disgust', 'repulse', 'revolt', 'nauseate', 'sicken', 'gross out', 'rot', 'make me sick', 'make me puke', 'gag'],
    nouns: ['stench', 'stink', 'reek', 'pus', 'grossness', 'disgust', 'revulsion', 'repulsion', 'filth', 'rot', 'decay', 'mold', 'mould', 'slime', 'gore', 'grime', 'nausea', 'sludge', 'vomit', 'puke', 'muck', 'yuck', 'ew', 'eww', 'ewww', 'gunk', 'maggots', 'rotting'],
    misspellings: ['disgustin', 'disgustng', 'digusting', 'discusting', 'disgusing', 'disguisting', 'disgustig', 'disgustting', 'disgussting', 'grosss', 'revoltin', 'repulsiv', 'nasti', 'disgusten', 'discussting'],
    emoji: ['🤢', '🤮', '💩', '🪰', '🦠', '🤧'],
  },
  fear: {
    adjectives: [
      'apocalyptic', 'post apocalyptic', 'dystopian', 'claustrophobic', 'shivery', 'hellish', 'infernal', 'gothic',
      'morbid', 'perilous', 'unnerving', 'disquieting', 'harrowing', 'frantic', 'startled', 'startling',
      'blood chilling', 'bone chilling', 'monstrous', 'satanic', 'occult', 'skeletal', 'zombie like',
      'terror filled', 'fright filled', 'spooked out', 'on edge', 'dread filled', 'threatful',
      'fear', 'fearful', 'afraid', 'scared', 'scary', 'frightening', 'frightened', 'terrifying', 'terrified',
      'horrifying', 'horrific', 'horrified', 'spooky', 'creepy', 'eerie', 'ominous', 'sinister', 'threatening',
      'dreadful', 'haunted', 'haunting', 'ghostly', 'nightmarish', 'panicked', 'anxious', 'nervous', 'tense',
      'suspenseful', 'unsettling', 'disturbing', 'uneasy', 'macabre', 'petrified', 'alarming', 'chilling',
      'bloodcurdling', 'blood curdling', 'hair raising', 'spine chilling', 'spine tingling', 'menacing', 'foreboding',
      'fearsome', 'horror', 'scared stiff', 'panicky', 'worried', 'apprehensive', 'creeped out', 'freaky',
      'freaked out', 'frightful', 'ghastly', 'uncanny', 'sinistre', 'daunting', 'dangerous', 'deadly', 'ghoulish',
      'demonic', 'evil', 'cursed', 'paranoid', 'shadowy', 'spoopy', 'halloween', 'halloweeny', 'eldritch',
    ],
    comparatives: ['scarier', 'spookier', 'creepier', 'eerier', 'more frightening', 'more terrifying', 'more sinister', 'more ominous', 'freakier', 'tenser', 'more menacing', 'more anxious'],
    superlatives: ['scariest', 'spookiest', 'creepiest', 'eeriest', 'most terrifying', 'most frightening', 'freakiest'],
    verbs: ['scare', 'frighten', 'terrify', 'horrify', 'spook', 'creep out', 'freak out', 'freak me out', 'haunt', 'petrify', 'scare me'],
    nouns: ['goosebumps', 'creeps', 'the creeps', 'chills', 'apocalypse', 'fear', 'terror', 'horror', 'dread', 'fright', 'panic', 'anxiety', 'suspense', 'tension', 'menace', 'nightmare', 'nightmares', 'dread', 'creepiness', 'scares', 'jumpscare', 'jump scare', 'paranoia', 'danger', 'threat'],
    misspellings: ['scarey', 'scarry', 'sacry', 'scray', 'scaryy', 'skary', 'terrifing', 'terifying', 'terryfying', 'terrifiying', 'creapy', 'creppy', 'creepey', 'spookey', 'spooki', 'frightning', 'frigthening', 'eery', 'erie', 'horrorr', 'fritening', 'scarie', 'feer', 'afriad', 'scarrier', 'scaryer', 'creepyer'],
    emoji: ['😱', '😨', '😰', '😧', '👻', '💀', '🎃', '🕷', '🙀', '🕸', '🧟', '🦇', '😖', '☠'],
  },
  sadness: {
    adjectives: [
      'brooding', 'downhearted', 'crestfallen', 'funereal', 'elegiac', 'poignant', 'bittersweet', 'weepy',
      'devastated', 'devastating', 'heartrending', 'anguished', 'distraught', 'defeated', 'dispirited',
      'disheartened', 'rueful', 'lugubrious', 'bereaved', 'dismayed', 'forsaken', 'melancholical', 'sorrowfull',
      'down in the dumps', 'low spirited', 'heartsore',
      'sadness', 'sad', 'saddened', 'saddening', 'sorrowful', 'unhappy', 'gloomy', 'melancholy', 'melancholic',
      'depressing', 'depressed', 'miserable', 'heartbroken', 'heartbreaking', 'heart breaking', 'mournful', 'mourning',
      'tragic', 'lonely', 'lonesome', 'forlorn', 'somber', 'sombre', 'bleak', 'desolate', 'downcast', 'teary',
      'tearful', 'crying', 'weeping', 'hopeless', 'dreary', 'dismal', 'glum', 'sullen', 'wistful', 'morose',
      'upset', 'grieving', 'despairing', 'despondent', 'dejected', 'heavy hearted', 'heavyhearted',
      'woeful', 'doleful', 'pensive', 'sorrowing', 'bereft', 'abandoned', 'gloom', 'moody',
      'depresso', 'emo', 'rainy', 'tearjerking', 'heartsick', 'brokenhearted', 'broken hearted',
      'lifeless', 'joyless', 'cheerless', 'grim', 'hurt', 'pained', 'painful',
      'let down', 'disappointed', 'disappointing',
    ],
    comparatives: ['sadder', 'gloomier', 'unhappier', 'lonelier', 'bleaker', 'drearier', 'more depressing', 'more melancholic', 'glummer', 'moodier', 'more somber', 'more sombre', 'grimmer', 'more melancholy'],
    superlatives: ['saddest', 'gloomiest', 'loneliest', 'bleakest', 'most depressing', 'unhappiest', 'dreariest'],
    verbs: ['sadden', 'cry', 'weep', 'sob', 'mourn', 'grieve', 'depress', 'bring down', 'bum out', 'tear up', 'break my heart'],
    nouns: ['anguish', 'gloominess', 'funeral', 'sadness', 'sorrow', 'grief', 'melancholy', 'misery', 'despair', 'depression', 'loneliness', 'gloom', 'heartbreak', 'heartache', 'tears', 'mourning', 'tragedy', 'woe', 'sorrows', 'blues', 'solitude', 'longing', 'loss'],
    misspellings: ['sader', 'saad', 'sadd', 'saddd', 'sadnes', 'sadenss', 'saddnes', 'melancoly', 'melancolic', 'melencholy', 'melancholyc', 'depresing', 'depresed', 'depressin', 'lonley', 'lonly', 'gloomey', 'glomy', 'miserible', 'misrable', 'unhapy', 'saddder', 'sadest', 'saddesst'],
    emoji: ['😢', '😭', '😞', '😔', '☹', '🙁', '😿', '💔', '🥀', '🌧', '😥', '😓', '😩', '😪', '🥺'],
  },
};

/**
 * The generic happiness words (see the module note for how they are resolved).
 * Kept apart from {@link EMOTION_LEXICON} because they belong to no single category.
 */
export const GENERIC_HAPPY_LEXICON: EmotionLexicon = {
  adjectives: ['jubilant', 'exultant', 'overjoyed', 'blithe', 'chipper', 'sunshiny', 'beaming', 'happy', 'cheerful', 'joyful', 'joyous', 'glad', 'jolly', 'delighted', 'delightful', 'happy go lucky', 'gleeful', 'positive', 'sunny', 'bright and happy', 'feel good', 'feelgood', 'uplifting', 'jovial', 'bubbly', 'elated', 'optimistic', 'hopeful', 'smiling', 'smiley', 'radiant'],
  comparatives: ['happier', 'more cheerful', 'more joyful', 'gladder', 'jollier', 'sunnier', 'more positive', 'more uplifting'],
  superlatives: ['happiest', 'most cheerful', 'jolliest', 'most joyful'],
  verbs: ['cheer up', 'brighten up', 'lighten up', 'smile', 'rejoice'],
  nouns: ['happiness', 'joy', 'cheer', 'glee', 'delight', 'cheerfulness', 'positivity', 'joyfulness', 'elation', 'smiles'],
  misspellings: ['happpy', 'hapy', 'happie', 'hapier', 'happyer', 'happyier', 'cheerfull', 'joyfull', 'hapyness', 'happines', 'hapiness'],
  emoji: ['😀', '😃', '😺', '😸', '🌞', '☀', '🌈', '🥰'],
};

/** A record with one entry per key. */
function recordOf<K extends string, V>(keys: readonly K[], value: (key: K) => V): Record<K, V> {
  const record = {} as Record<K, V>;
  for (const key of keys) record[key] = value(key);
  return record;
}

/**
 * The feeling words of French, Spanish, German, Italian and Portuguese (base forms and
 * comparatives), so that the most common non-English requests work without a language model.
 * They live in one lexicon per language, `normaliser/lexicon/{fr,es,de,it,pt}.ts`, reviewed as
 * `normaliser/lexicon/REVIEW.md` says; written there as each language writes them, folded here.
 */
export const OTHER_LANGUAGE_EMOTION_WORDS: Readonly<Record<LexiconEmotion, readonly string[]>> = recordOf([...EMOTIONS, 'happy'] as const, (emotion) =>
  sharedRulesWords((l) => [...(l.emotions[emotion] ?? []), ...(l.comparatives?.[emotion] ?? [])]).map(foldText),
);

/** English words that name a visual element (EPEM's five kinds). Folded; plurals listed where common. */
const ENGLISH_ELEMENT_WORDS: Readonly<Record<Element, readonly string[]>> = {
  facial: [
    'face', 'faces', 'facial', 'smile', 'smiles', 'expression', 'expressions', 'eyes', 'eye', 'mouth', 'lips', 'frown',
    'grin', 'eyebrows', 'brows', 'gaze', 'stare', 'cheeks', 'forehead', 'features', 'portrait', 'selfie',
    'head', 'teeth', 'visage',
  ],
  action: [
    'dancing', 'dance', 'fighting', 'fight', 'running', 'jumping', 'playing', 'hugging', 'hug',
    'walking', 'swimming', 'eating', 'pose', 'posing', 'posture', 'gesture', 'gestures', 'movement', 'movements',
    'motion',
    'action', 'actions', 'activity', 'sprinting', 'chasing', 'climbing', 'flying', 'riding', 'kissing', 'waving',
    'singing', 'racing', 'skating', 'surfing', 'falling', 'attacking', 'punching', 'kicking', 'celebrating',
    'what they are doing', 'what he is doing', 'what she is doing', 'body language',
  ],
  object: [
    'cake', 'cakes', 'flower', 'flowers', 'cat', 'cats', 'dog', 'dogs', 'car', 'cars', 'food', 'meal', 'plate',
    'coffee', 'cup', 'mug', 'drink', 'toy', 'toys', 'doll', 'rocket', 'fruit', 'apple', 'apples', 'bread', 'pizza',
    'sandwich', 'burger', 'bottle', 'chair', 'table', 'bed', 'book', 'books', 'clothes', 'dress', 'shirt', 'hat',
    'bike', 'bicycle', 'boat', 'ship', 'plane', 'train', 'bird', 'birds', 'horse', 'animal', 'animals', 'pet',
    'puppy', 'kitten', 'teddy', 'bear', 'statue', 'clock', 'lamp', 'vase', 'bowl', 'soup', 'candle', 'balloon',
    'balloons', 'gift', 'object', 'objects', 'plant', 'plants',
    'rose', 'roses', 'tulips', 'bouquet', 'fish', 'spider', 'shoes', 'guitar', 'phone', 'computer',
    'donut', 'cookie', 'cookies', 'sushi', 'salad', 'meat', 'egg', 'eggs',
    'banana', 'ice cream', 'pie', 'candy', 'beans', 'sofa', 'couch', 'window', 'door', 'doll', 'mask',
  ],
  scene: [
    'sky', 'skies', 'forest', 'forests', 'woods', 'room', 'rooms', 'background', 'backdrop', 'weather', 'landscape',
    'scenery', 'setting', 'environment', 'surroundings', 'place', 'location', 'clouds', 'cloud', 'sea', 'ocean',
    'beach', 'mountain', 'mountains', 'city', 'cityscape', 'street', 'streets', 'field', 'fields', 'garden', 'park',
    'house', 'building', 'buildings', 'lake', 'river', 'space', 'stars', 'night', 'sunset', 'sunrise', 'horizon',
    'trees', 'tree', 'water', 'road', 'scene', 'view', 'interior', 'walls', 'wall', 'ground', 'snow', 'fog', 'mist',
    'storm', 'rain', 'desert', 'jungle', 'castle', 'village', 'town', 'kitchen', 'bedroom', 'office', 'hallway',
    'corridor', 'church', 'cathedral', 'galaxy', 'universe', 'nebula', 'cosmos', 'waves', 'hills', 'valley',
    'countryside', 'meadow', 'island', 'cave', 'skyline', 'backgrounds', 'surrounding',
  ],
  color: [
    'color', 'colors', 'colour', 'colours', 'colored', 'coloured', 'coloring', 'colouring', 'lighting', 'light',
    'lights', 'tone', 'tones', 'tint', 'tints', 'hue', 'hues', 'palette', 'brightness', 'bright', 'brighter',
    'darker', 'dark', 'dim', 'dimmer', 'warmer', 'cooler', 'warm', 'cool', 'saturation', 'saturated', 'desaturated',
    'contrast', 'exposure', 'shadows', 'shadow', 'highlights', 'grading', 'color grading', 'colour grading',
    'filter', 'sepia', 'black and white', 'monochrome', 'vivid', 'pastel', 'neon', 'glow', 'glowing', 'shade',
    'shades', 'luminosity', 'luminance', 'gamma', 'white balance', 'temperature', 'red', 'reds', 'blue',
    'green', 'greens', 'yellow', 'orange', 'purple', 'pink', 'golden', 'gold', 'grey', 'gray', 'black', 'white',
    'brown', 'teal', 'violet', 'crimson', 'greyscale', 'grayscale', 'reddish', 'bluish', 'greenish', 'yellowish',
  ],
};

/** Words that name a visual element: the English ones, then those of the five languages of `normaliser/lexicon/` read with them (folded). */
export const ELEMENT_LEXICON: Readonly<Record<Element, readonly string[]>> = recordOf(ELEMENTS, (element) => [
  ...ENGLISH_ELEMENT_WORDS[element],
  ...sharedRulesWords((l) => l.elements[element]).map(foldText),
]);

/** English intensity words (see {@link INTENSITY_WORDS}). */
const ENGLISH_INTENSITY_WORDS: Readonly<Record<Exclude<IntensityLevel, 'medium'>, readonly string[]>> = {
  low: [
    'slightly', 'slight', 'a bit', 'a little', 'a little bit', 'a touch', 'a tad', 'a hint', 'a smidge', 'a wee bit',
    'a tiny bit', 'tiny bit', 'little bit', 'bit', 'somewhat', 'mildly', 'mild', 'subtly', 'subtle', 'gently',
    'lightly',
    'faintly', 'faint', 'barely', 'marginally', 'softly', 'kinda', 'kind of', 'sort of', 'sorta', 'hint of',
    'touch of', 'not too', 'not overly', 'not very', 'just a', 'a little more', 'light touch', 'a dash', 'a pinch',
    'a tiny', 'minimal', 'minimally',
    'a smidgen', 'smidgen', 'the tiniest bit', 'tiniest bit', 'the tiniest hint', 'tiniest hint', 'ever so slightly',
    'a whisper of', 'whisper of', 'barely there', 'a hair', 'a notch',
  ],
  high: [
    'very', 'really', 'much', 'super', 'strongly', 'heavily', 'seriously', 'truly', 'deeply', 'properly', 'hella',
    'mega', 'considerably', 'significantly', 'noticeably', 'dramatically', 'a lot', 'lots',
    'intensely', 'massively', 'way', 'so', 'far', 'really really', 'strong', 'highly', 'especially',
    'genuinely', 'extra', 'much more', 'clearly',
  ],
  max: [
    'extremely', 'maximum', 'maximal', 'maximally', 'max', 'maxed', 'maxed out', 'insanely', 'incredibly',
    'ridiculously', 'utterly', 'absolutely', 'completely', 'entirely', 'totally', 'fully', 'as possible',
    'as can be', 'as it gets', 'to the max', 'all the way', 'unbelievably', 'immensely', 'hugely', 'crazy', 'ultra',
    'over the top', 'off the charts', 'through the roof', 'af', 'to the extreme', 'extreme', 'the most',
    'super duper', 'terribly', 'outrageously', 'full on', 'very very',
    'to eleven', 'up to eleven', 'to 11', 'up to 11', 'all out', 'go all out', 'full blast', 'at full blast', 'full throttle',
    'as much as you can', 'as much as possible',
  ],
};

/**
 * Intensity words, by level of `INTENSITY` in `intent.ts` (`medium` is the absence of one): the
 * English ones, then those of the five languages of `normaliser/lexicon/` read with them. Each
 * entry is folded text; multi-word entries match as phrases.
 */
export const INTENSITY_WORDS: Readonly<Record<Exclude<IntensityLevel, 'medium'>, readonly string[]>> = recordOf(['low', 'high', 'max'] as const, (level) => [
  ...ENGLISH_INTENSITY_WORDS[level],
  ...sharedRulesWords((l) => l.intensity[level]).map(foldText),
]);

/** Folds text the way every list in this file is written: NFKC, lower case, no diacritics, hyphens as spaces. */
export function foldText(text: string): string {
  // Plain ASCII (most messages) has no diacritics or compatibility forms to fold.
  if (/^[\x20-\x7e]*$/.test(text)) {
    return text.toLowerCase().replace(/[-_]+/g, ' ').replace(/`/g, "'").replace(/\s+/g, ' ').trim();
  }
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[\u2010-\u2015\-_]+/g, ' ')
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** Strips emoji variation selectors and skin-tone modifiers so "☹️" and "☹" are one entry. */
export function foldEmoji(emoji: string): string {
  return emoji.replace(/[\ufe0e\ufe0f\u200d]|\p{Emoji_Modifier}/gu, '');
}

function buildEmotionWordIndex(): Map<string, EmotionWord> {
  const index = new Map<string, EmotionWord>();
  const add = (word: string, entry: EmotionWord): void => {
    const key = foldText(word);
    // The first entry wins: the lists are ordered from most to least specific.
    if (key && !index.has(key)) index.set(key, entry);
  };
  const addLexicon = (emotion: LexiconEmotion, lexicon: EmotionLexicon): void => {
    for (const w of lexicon.superlatives) add(w, { emotion, form: 'superlative' });
    for (const w of lexicon.comparatives) add(w, { emotion, form: 'comparative' });
    for (const w of [...lexicon.adjectives, ...lexicon.verbs, ...lexicon.nouns]) add(w, { emotion, form: 'base' });
  };
  for (const emotion of EMOTIONS) addLexicon(emotion, EMOTION_LEXICON[emotion]);
  addLexicon('happy', GENERIC_HAPPY_LEXICON);
  // Misspellings come last so that a real word is never shadowed by someone's typo of another.
  const addMisspellings = (emotion: LexiconEmotion, lexicon: EmotionLexicon): void => {
    for (const w of lexicon.misspellings) {
      const form: WordForm = /(?:er|ier)$/.test(w) && !/(?:ter|der)$/.test(w) ? 'comparative' : /est$/.test(w) ? 'superlative' : 'base';
      add(w, { emotion, form });
    }
  };
  for (const emotion of EMOTIONS) addMisspellings(emotion, EMOTION_LEXICON[emotion]);
  addMisspellings('happy', GENERIC_HAPPY_LEXICON);
  return index;
}

function buildEmojiIndex(): Map<string, LexiconEmotion> {
  const index = new Map<string, LexiconEmotion>();
  for (const emotion of EMOTIONS) for (const e of EMOTION_LEXICON[emotion].emoji) index.set(foldEmoji(e), emotion);
  for (const e of GENERIC_HAPPY_LEXICON.emoji) index.set(foldEmoji(e), 'happy');
  // The menu emoji of emotions.ts always name their emotion.
  for (const emotion of EMOTIONS) index.set(foldEmoji(EMOTION_TABLE[emotion].emoji), emotion);
  return index;
}

function buildOtherLanguageIndex(): Map<string, EmotionWord> {
  const index = new Map<string, EmotionWord>();
  for (const emotion of [...EMOTIONS, 'happy'] as const) {
    for (const language of SHARED_RULES_LEXICONS) {
      for (const [form, words] of [['base', language.emotions[emotion]], ['comparative', language.comparatives?.[emotion]]] as const) {
        for (const w of words ?? []) {
          const key = foldText(w);
          if (!index.has(key)) index.set(key, { emotion, form });
        }
      }
    }
  }
  return index;
}

function buildElementIndex(): Map<string, Element> {
  const index = new Map<string, Element>();
  for (const element of ELEMENTS) for (const w of ELEMENT_LEXICON[element]) if (!index.has(foldText(w))) index.set(foldText(w), element);
  return index;
}

/** Folded English word or phrase to the emotion it names. */
export const EMOTION_WORD_INDEX: ReadonlyMap<string, EmotionWord> = buildEmotionWordIndex();
/** Folded non-English word or phrase to the emotion it names. */
export const OTHER_LANGUAGE_WORD_INDEX: ReadonlyMap<string, EmotionWord> = buildOtherLanguageIndex();
/** Emoji (see {@link foldEmoji}) to the emotion it shows. */
export const EMOJI_INDEX: ReadonlyMap<string, LexiconEmotion> = buildEmojiIndex();
/** Folded word or phrase to the element it names. */
export const ELEMENT_WORD_INDEX: ReadonlyMap<string, Element> = buildElementIndex();

/**
 * Which emotion the generic happiness words mean (see the module note): amusement, or the
 * current picture's emotion when it is positive and the words ask for more or less happiness
 * (`relative`: "happier", "less cheerful").
 */
export function resolveGenericHappy(current?: Emotion, relative = false): Emotion {
  return relative && current && EMOTION_TABLE[current].valence === 'positive' ? current : 'amusement';
}

/**
 * The emotion one word, phrase or emoji names, or `undefined`. Looks up English first, then
 * the small non-English vocabulary; generic happiness resolves through {@link resolveGenericHappy}.
 *
 * @example emotionForWord('Scarier') // 'fear'
 * @example emotionForWord('😢') // 'sadness'
 */
export function emotionForWord(word: string, current?: Emotion): Emotion | undefined {
  const key = foldText(word);
  const entry = EMOTION_WORD_INDEX.get(key) ?? OTHER_LANGUAGE_WORD_INDEX.get(key);
  const found = entry?.emotion ?? EMOJI_INDEX.get(foldEmoji(word.trim()));
  if (found === undefined) return undefined;
  return found === 'happy' ? resolveGenericHappy(current, entry?.form === 'comparative') : found;
}

/** The element one word or phrase names ("sky" → scene, "colours" → color), or `undefined`. */
export function elementForWord(word: string): Element | undefined {
  return ELEMENT_WORD_INDEX.get(foldText(word));
}
