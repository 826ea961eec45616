/**
 * @module Polish. Adjectives are stems (smutn* for smutny, smutna, smutne, smutniejszy);
 * a stem followed by -iej or -iejsz- is a comparative (smutniej, smutniejsze).
 */
import type { LanguageLexicon } from './types.ts';

export const POLISH: LanguageLexicon = {
  code: 'pl',
  name: 'Polish',
  emotions: {
    sadness: ['smutn*', 'smutek', 'smutku', 'ponur*', 'przygnębiaj*', 'melancholijn*', 'żałobn*', 'posępn*'],
    fear: ['straszn*', 'przerażaj*', 'upiorn*', 'strach', 'strachu', 'lęk', 'lęku', 'niepokojąc*', 'złowrog*'],
    anger: [
      'zły',
      'zła',
      'złe',
      'złość',
      'złości',
      'wściekł*',
      'gniewn*',
      'gniew',
      'gniewu',
      'rozzłoszczon*',
      'agresywn*',
    ],
    disgust: ['obrzydliw*', 'ohydn*', 'odrażając*', 'wstrętn*', 'paskudn*', 'obrzydzeni*', 'brudn*'],
    amusement: ['zabawn*', 'śmieszn*', 'komiczn*', 'humor', 'humorystyczn*'],
    awe: ['majestatyczn*', 'imponując*', 'wspaniał*', 'zachwycając*', 'podziw', 'monumentaln*', 'wzniosł*'],
    contentment: [
      'spokojn*',
      'spokój',
      'spokoju',
      'błog*',
      'przytuln*',
      'relaksując*',
      'sielank*',
      'łagodn*',
      'kojąc*',
    ],
    excitement: ['ekscytując*', 'emocjonując*', 'energiczn*', 'dynamiczn*', 'żywiołow*', 'porywając*'],
    happy: ['szczęśliw*', 'radosn*', 'wesoł*', 'weselsz*', 'radość', 'szczęście'],
  },
  comparativeEndings: ['iej', 'iejsz', 'iejszy', 'iejsza', 'iejsze'],
  more: ['bardziej', 'więcej'],
  less: ['mniej'],
  negators: ['nie', 'bez'],
  so: ['tak', 'aż tak'],
  intensity: {
    low: ['trochę', 'lekko', 'nieco', 'odrobinę', 'delikatnie', 'troszkę', 'ciut'],
    high: ['bardzo', 'mocno', 'znacznie', 'dużo', 'naprawdę', 'wyraźnie'],
    max: ['maksymalnie', 'ekstremalnie', 'skrajnie', 'całkowicie', 'niesamowicie', 'najbardziej'],
  },
  commands: {
    undo: ['cofnij', 'cofnąć', 'cofnij to', 'wstecz', 'poprzedni', 'poprzednia'],
    redo: ['ponów', 'ponowić', 'przywróć cofnięte'],
    reset: ['oryginał', 'oryginalne', 'resetuj', 'zresetuj', 'zacznij od nowa', 'od początku', 'przywróć oryginał'],
    retry: ['jeszcze raz', 'spróbuj ponownie', 'spróbuj jeszcze raz', 'inna wersja', 'ponownie', 'powtórz'],
    help: ['pomoc', 'pomocy'],
    emotions: ['jakie emocje'],
  },
  followUps: {
    otherWay: ['w drugą stronę', 'odwrotnie', 'na odwrót', 'przeciwnie'],
    warmer: ['cieplej', 'cieplejsz*'],
    colder: ['chłodniej', 'zimniej', 'chłodniejsz*'],
  },
  aboutOneself: { openers: ['jestem', 'czuję się'], fillers: ['dziś', 'dzisiaj', 'teraz', 'taki', 'taka'] },
  talk: {
    pictureWords: ['zdjęci*', 'obraz*', 'zrób', 'zróbcie', 'zmień', 'dodaj'],
    questionWords: ['jak', 'dlaczego', 'czemu', 'kiedy', 'gdzie', 'kto'],
    topicWords: ['ja', 'mnie', 'mój', 'moja', 'moje', 'mi', 'ludzie'],
    injection: { verbs: ['zignoruj', 'ignoruj', 'zapomnij'], nouns: ['instrukcj*', 'polece*', 'prompt*', 'zasad*'] },
    writing: { verbs: ['napisz'], nouns: ['wiersz*', 'opowiadani*', 'histori*', 'piosenk*', 'list'] },
    crisis: ['chcę umrzeć', 'zabić się', 'nie chcę żyć'],
  },
};
