/** @module Spanish, read with the English rules (see `SharedRulesLexicon`). */
import type { SharedRulesLexicon } from './types.ts';

export const SPANISH: SharedRulesLexicon = {
  code: 'es',
  name: 'Spanish',
  emotions: {
    amusement: ['gracioso', 'divertido', 'cómico', 'chistoso', 'humor'],
    awe: ['majestuoso', 'majestuosa', 'asombroso', 'impresionante', 'grandioso', 'asombro', 'deslumbrante', 'espectacular'],
    contentment: ['tranquilo', 'tranquila', 'sereno', 'serena', 'relajado', 'relajante', 'acogedor', 'calma', 'pacífico', 'pacífica', 'paz'],
    excitement: ['emocionante', 'excitante', 'enérgico', 'vibrante', 'animado', 'animada'],
    anger: ['enojado', 'enojada', 'enfadado', 'enfadada', 'furioso', 'furiosa', 'ira', 'rabia'],
    disgust: ['asqueroso', 'asquerosa', 'asco', 'repugnante', 'podrido'],
    fear: ['miedo', 'aterrador', 'aterradora', 'terrorífico', 'espeluznante', 'escalofriante', 'da miedo', 'inquietante', 'terror'],
    sadness: ['triste', 'tristeza', 'melancólico', 'melancólica', 'deprimente'],
    happy: ['feliz', 'alegre', 'contento', 'contenta', 'felicidad', 'alegría'],
  },
  comparatives: {
    contentment: ['más tranquilo'],
    sadness: ['más triste'],
  },
  elements: {
    facial: ['cara', 'rostro'],
    scene: ['cielo', 'fondo', 'bosque'],
    color: ['colores', 'luz', 'iluminación'],
  },
  more: ['más'],
  less: ['menos'],
  negators: ['sin'],
  so: ['tan'],
  but: ['pero'],
  to: ['a', 'en', 'para'],
  intensity: {
    low: ['un poco', 'ligeramente', 'levemente', 'un poquito', 'poquito', 'un toque', 'un pelín', 'apenas'],
    high: ['muy', 'bien', 'mucho', 'bastante'],
    max: ['máximo', 'extremadamente', 'extremamente', 'muy muy'],
    adjacentOnly: ['bien', 'mucho'],
    level: ['intensidad'],
  },
  commands: {
    undo: ['deshacer', 'deshaz', 'volver'],
    redo: ['rehacer'],
    reset: ['reiniciar', 'empezar de nuevo'],
    retry: ['otra vez', 'de nuevo', 'otra'],
    more: ['más', 'fuerte', 'intensificar'],
    less: ['menos'],
    help: ['ayuda', 'cómo funciona'],
    emotions: ['qué emociones', 'cuáles emociones', 'lista de emociones', 'lista de emo'],
  },
  followUps: {
    otherWay: ['al revés', 'lo contrario', 'lo opuesto', 'al contrario'],
    warmer: ['más cálido'],
    colder: ['más frío'],
  },
  aboutOneself: { openers: ['me siento', 'estoy', 'tengo'], fillers: ['un', 'poco', 'hoy'] },
  talk: {
    pictureWords: ['foto', 'imagen', 'hazla', 'hazlo', 'haz', 'ponla', 'ponlo', 'pon', 'vuélvela', 'conviértela', 'cambia', 'hacerla', 'hacerlo'],
    questionWords: ['cómo', 'qué', 'cuándo', 'dónde', 'quién', 'cuál'],
    topicWords: ['yo', 'mi', 'mis', 'me', 'gente', 'alguien'],
    injection: { verbs: ['ignora', 'ignore', 'olvida', 'olvide', 'revela'], nouns: ['instrucciones', 'indicaciones', 'prompt', 'reglas'] },
    writing: { verbs: ['escribe', 'escríbeme', 'escribir', 'compón'], nouns: ['poema', 'poesía', 'historia', 'cuento', 'canción', 'carta'] },
    crisis: ['quiero morir', 'quiero morirme', 'matarme', 'suicidarme', 'no quiero vivir'],
  },
};
