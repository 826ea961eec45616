/** @module German, read with the English rules (see `SharedRulesLexicon`). Nouns are capitalised as German writes them; folding lowers them. */
import type { SharedRulesLexicon } from './types.ts';

export const GERMAN: SharedRulesLexicon = {
  code: 'de',
  name: 'German',
  emotions: {
    amusement: ['lustig', 'witzig', 'komisch'],
    awe: ['majestätisch', 'erhaben', 'beeindruckend', 'Ehrfurcht'],
    contentment: ['ruhig', 'friedlich', 'gemütlich', 'entspannt', 'entspannend', 'gelassen', 'Frieden'],
    // "mitreissend": mitreißend as typed without ß (and as Swiss German writes it); folding keeps ß.
    excitement: ['aufregend', 'spannend', 'mitreissend', 'energisch', 'lebhaft'],
    anger: ['wütend', 'Wut', 'zornig', 'verärgert', 'sauer', 'wütender'],
    disgust: ['ekelhaft', 'ekelig', 'eklig', 'widerlich', 'Ekel', 'verfault'],
    fear: ['Angst', 'gruselig', 'unheimlich', 'beängstigend', 'schaurig', 'furchterregend'],
    sadness: ['traurig', 'Trauer', 'melancholisch', 'bedrückt', 'deprimierend', 'trist'],
    happy: ['glücklich', 'fröhlich', 'froh', 'heiter', 'Glück', 'Freude'],
  },
  comparatives: {
    contentment: ['ruhiger'],
    fear: ['gruseliger'],
    sadness: ['trauriger'],
    happy: ['fröhlicher', 'glücklicher'],
  },
  elements: {
    facial: ['Gesicht'],
    scene: ['Himmel', 'Hintergrund', 'Wald'],
    color: ['Farben', 'Farbe', 'Licht'],
  },
  more: ['mehr', 'noch'],
  less: ['weniger'],
  negators: ['nicht', 'kein', 'keine', 'ohne'],
  but: ['aber'],
  to: ['zu', 'in'],
  intensity: {
    low: [
      'ein bisschen',
      'ein wenig',
      'etwas',
      'leicht',
      'ein Hauch',
      'Hauch',
      'ein klein wenig',
      'ein kleines bisschen',
    ],
    high: ['sehr', 'viel', 'richtig', 'echt'],
    max: ['extrem', 'sehr sehr'],
    adjacentOnly: ['viel'],
    level: ['Intensität'],
  },
  commands: {
    undo: ['rückgängig', 'zurück'],
    redo: ['wiederherstellen'],
    reset: ['zurücksetzen', 'von vorne'],
    retry: ['nochmal', 'noch einmal'],
    again: ['nochmal'],
    // "staerker": stärker as typed without ä.
    more: ['mehr', 'verstärken', 'stärker', 'staerker'],
    less: ['weniger'],
    help: ['Hilfe', 'wie funktioniert'],
    emotions: ['welche (?:Gefühle|Emotionen|Stimmungen)'],
  },
  followUps: {
    otherWay: ['andersherum', 'das Gegenteil', 'umgekehrt'],
    warmer: [],
    colder: ['kälter'],
  },
  aboutOneself: {
    openers: ['ich bin', 'ich fühle mich', 'ich habe', 'bin ich', 'fühle ich mich'],
    fillers: ['ganz', 'heute'],
  },
  talk: {
    pictureWords: ['Foto', 'Bild', 'mach', 'mache', 'macht', 'verwandle', 'ändere', 'gib'],
    questionWords: ['wie', 'warum', 'wieso', 'weshalb', 'wann', 'wo', 'wer'],
    topicWords: ['ich', 'mich', 'mir', 'mein', 'meine', 'meinen', 'Leute', 'man'],
    injection: {
      verbs: ['ignoriere', 'ignorier', 'vergiss', 'vergesst'],
      nouns: ['Anweisungen', 'Anweisung', 'Instruktionen', 'Prompt', 'Regeln'],
    },
    writing: { verbs: ['schreib', 'schreibe', 'dichte'], nouns: ['Gedicht', 'Geschichte', 'Lied', 'Brief', 'Märchen'] },
    crisis: ['ich will sterben', 'ich möchte sterben', 'mich umbringen', 'nicht mehr leben'],
  },
};
