/** @module French, read with the English rules (see `SharedRulesLexicon`). */
import type { SharedRulesLexicon } from './types.ts';

export const FRENCH: SharedRulesLexicon = {
  code: 'fr',
  name: 'French',
  emotions: {
    amusement: ['drôle', 'amusant', 'rigolo', 'marrant', 'humour'],
    awe: ['majestueux', 'majestueuse', 'grandiose', 'merveilleux', 'émerveillement'],
    contentment: ['calme', 'paisible', 'serein', 'sereine', 'tranquille', 'apaisant', 'douillet', 'calmer', 'paix'],
    excitement: ['excitant', 'palpitant', 'énergique'],
    anger: ['colère', 'en colère', 'furieux', 'furieuse', 'fâché', 'enragé', 'rage'],
    disgust: ['dégoûtant', 'dégoûtante', 'dégoût', 'répugnant', 'écoeurant', 'pourri'],
    fear: ['peur', 'effrayant', 'effrayante', 'terrifiant', 'terrifiante', 'angoissant', 'flippant', 'terreur', 'effrayer'],
    sadness: ['triste', 'tristesse', 'malheureux', 'malheureuse', 'mélancolique', 'déprimant', 'sombre'],
    happy: ['heureux', 'heureuse', 'joyeux', 'joyeuse', 'gai', 'gaie', 'bonheur', 'joie'],
  },
  elements: {
    facial: ['visage'],
    scene: ['ciel', 'forêt'],
    color: ['couleur', 'couleurs', 'lumière', 'éclairage'],
  },
  more: ['plus', 'encore'],
  less: ['moins'],
  negators: ['ne', 'pas', 'non', 'sans'],
  so: ['si'],
  to: ['à', 'en'],
  intensity: {
    low: ['un peu', 'légèrement', 'un brin', 'un tantinet', 'tantinet', 'un soupçon', 'à peine'],
    high: ['très', 'bien', 'vachement', 'vraiment', 'beaucoup'],
    max: ['extrêmement', 'très très'],
    adjacentOnly: ['bien'],
    level: ['intensité'],
  },
  commands: {
    undo: ['annuler', 'annule', 'retour'],
    redo: ['refaire'],
    reset: ['réinitialiser', 'recommencer'],
    retry: ['encore une fois', 'une autre', 'réessayer'],
    again: ['encore'],
    more: ['plus', 'encore plus', 'davantage', 'intensifier'],
    less: ['moins'],
    help: ['aide', 'comment ça marche'],
    emotions: ['quelles? émotions?', 'liste des émotions'],
  },
  followUps: {
    otherWay: ['dans l autre sens', 'l inverse', 'le contraire'],
    warmer: ['plus chaud', 'plus chaleureux'],
    colder: ['plus froid'],
  },
  aboutOneself: { openers: ['je suis', 'je me sens'], fillers: ['un', 'peu', "aujourd'hui", 'tellement'] },
};
