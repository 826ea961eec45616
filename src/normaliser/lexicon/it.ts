/** @module Italian, read with the English rules (see `SharedRulesLexicon`). */
import type { SharedRulesLexicon } from './types.ts';

export const ITALIAN: SharedRulesLexicon = {
  code: 'it',
  name: 'Italian',
  emotions: {
    amusement: ['divertente', 'buffo', 'comico'],
    awe: ['maestoso', 'maestosa', 'grandioso', 'impressionante', 'meraviglioso', 'meraviglia', 'stupore', 'spettacolare'],
    contentment: ['tranquillo', 'tranquilla', 'rilassante', 'calmo', 'calma', 'sereno', 'serena', 'pacifico', 'pacifica'],
    excitement: ['eccitante', 'emozionante', 'entusiasmante', 'energico', 'vibrante', 'vivace'],
    anger: ['arrabbiato', 'arrabbiata', 'furioso', 'furiosa', 'rabbia', 'irritato', 'ira'],
    disgust: ['disgustoso', 'disgustosa', 'schifoso', 'schifosa', 'disgusto', 'marcio'],
    fear: ['paura', 'spaventoso', 'spaventosa', 'terrificante', 'inquietante', 'pauroso', 'sinistro', 'sinistra'],
    sadness: ['triste', 'infelice', 'malinconico', 'malinconica', 'tristezza', 'depressivo', 'cupo', 'deprimente'],
    happy: ['felice', 'allegro', 'allegra', 'gioioso', 'gioiosa', 'contento', 'contenta', 'felicità', 'gioia'],
  },
  comparatives: {
    contentment: ['più calmo'],
    sadness: ['più triste'],
  },
  elements: {
    facial: ['viso'],
    scene: ['cielo', 'fondo', 'sfondo', 'bosco'],
    color: ['colori', 'luce'],
  },
  more: ['più'],
  less: ['meno'],
  negators: ['non', 'senza'],
  so: ['così'],
  to: ['a', 'in'],
  intensity: {
    // "un po": un po' as typed without the apostrophe.
    low: ['un po', 'leggermente', 'un filo', 'un pochino', 'pochino', 'un tantino', 'appena'],
    high: ['molto', 'davvero', 'parecchio'],
    max: ['estremamente', 'molto molto'],
    level: ['intensità'],
  },
  commands: {
    undo: ['annulla', 'indietro'],
    redo: ['rifai'],
    reset: ['ricomincia', 'ripristina'],
    retry: ['di nuovo', 'ancora una volta', 'riprova'],
    again: ['ancora'],
    more: ['più', 'forte'],
    less: ['meno'],
    help: ['aiuto', 'come funziona'],
    emotions: ['quali emozioni', 'lista delle emo'],
  },
  followUps: {
    otherWay: ['al contrario', 'il contrario', 'l opposto', "l'opposto"],
    warmer: ['più caldo'],
    colder: ['più freddo'],
  },
  aboutOneself: { openers: ['mi sento', 'sono', 'ho'], fillers: ['oggi'] },
  talk: {
    pictureWords: ['foto', 'immagine', 'rendila', 'rendilo', 'rendi', 'fai', 'falla', 'fallo', 'trasforma', 'metti'],
    questionWords: ['come', 'perché', 'quando', 'dove', 'chi', 'cosa', 'quale'],
    topicWords: ['io', 'mi', 'mio', 'mia', 'miei', 'gente', 'qualcuno'],
    injection: { verbs: ['ignora', 'dimentica', 'rivela'], nouns: ['istruzioni', 'prompt', 'regole'] },
    writing: { verbs: ['scrivi', 'scrivimi', 'componi'], nouns: ['poesia', 'storia', 'canzone', 'lettera', 'racconto'] },
    crisis: ['voglio morire', 'uccidermi', 'suicidarmi', 'non voglio vivere'],
  },
};
