/** @module Portuguese, read with the English rules (see `SharedRulesLexicon`). */
import type { SharedRulesLexicon } from './types.ts';

export const PORTUGUESE: SharedRulesLexicon = {
  code: 'pt',
  name: 'Portuguese',
  emotions: {
    amusement: ['engraçado', 'engraçada', 'divertido', 'cómico', 'humor'],
    awe: ['majestoso', 'majestosa', 'impressionante', 'grandioso'],
    contentment: ['calmo', 'calma', 'tranquilo', 'tranquila', 'sereno', 'serena', 'pacífico', 'pacífica', 'aconchegante', 'relaxante', 'sossegado', 'paz'],
    excitement: ['emocionante', 'excitante', 'enérgico', 'vibrante', 'animado', 'animada'],
    anger: ['furioso', 'furiosa', 'raiva', 'irritado', 'zangado', 'ira'],
    disgust: ['nojento', 'nojenta', 'nojo', 'repugnante'],
    fear: ['medo', 'assustador', 'assustadora', 'aterrador', 'aterradora', 'aterrorizante', 'sinistro', 'sinistra', 'inquietante', 'terror'],
    sadness: ['triste', 'tristeza', 'melancólico', 'melancólica', 'deprimente', 'saudade', 'sombrio'],
    happy: ['feliz', 'alegre', 'felicidade', 'alegria'],
  },
  elements: {
    facial: ['rosto', 'cara'],
    color: ['cores', 'luz'],
  },
  more: ['mais'],
  less: ['menos'],
  negators: ['não', 'sem'],
  so: ['tão'],
  to: ['a', 'para'],
  intensity: {
    low: ['um pouco', 'levemente', 'ligeiramente', 'um pouquinho', 'pouquinho', 'um tiquinho', 'apenas'],
    high: ['muito', 'bem', 'bastante'],
    max: ['extremamente', 'muito muito'],
    level: ['intensidade'],
  },
  commands: {
    undo: ['desfazer', 'desfaz', 'voltar'],
    redo: ['refazer'],
    reset: ['reiniciar', 'recomeçar', 'começar de novo'],
    retry: ['de novo', 'outra vez'],
    more: ['forte', 'intensificar'],
    less: ['menos'],
    help: ['ajuda', 'como funciona'],
    emotions: ['quais emoções', 'lista de emo'],
  },
  followUps: {
    otherWay: ['o contrário', 'o oposto', 'ao contrário'],
    warmer: ['mais quente'],
    colder: ['mais frio'],
  },
  aboutOneself: { openers: ['estou', 'me sinto', 'tenho'], fillers: ['hoje'] },
  talk: {
    pictureWords: ['foto', 'imagem', 'deixa', 'deixe', 'faz', 'faça', 'torna', 'transforma', 'muda', 'coloca'],
    questionWords: ['como', 'porque', 'porquê', 'quando', 'onde', 'quem', 'qual'],
    topicWords: ['eu', 'meu', 'minha', 'me', 'pessoas', 'alguém'],
    injection: { verbs: ['ignora', 'ignore', 'esquece', 'esqueça', 'revela'], nouns: ['instruções', 'prompt', 'regras'] },
    writing: { verbs: ['escreve', 'escreva', 'compõe'], nouns: ['poema', 'poesia', 'história', 'canção', 'carta'] },
    crisis: ['quero morrer', 'me matar', 'suicidar', 'não quero viver'],
  },
};
