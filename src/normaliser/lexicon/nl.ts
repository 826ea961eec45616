/** @module Dutch. */
import type { LanguageLexicon } from './types.ts';

export const DUTCH: LanguageLexicon = {
  code: 'nl',
  name: 'Dutch',
  emotions: {
    sadness: ['verdrietig', 'verdrietige', 'droevig', 'droevige', 'treurig', 'treurige', 'somber', 'sombere', 'triest', 'triestig', 'melancholisch', 'verdriet', 'eenzaam', 'eenzame'],
    fear: ['eng', 'enge', 'griezelig', 'griezelige', 'angstaanjagend', 'angstaanjagende', 'beangstigend', 'beangstigende', 'spookachtig', 'spookachtige', 'angstig', 'angst', 'luguber', 'unheimisch'],
    anger: ['boos', 'boze', 'kwaad', 'kwade', 'woedend', 'woedende', 'razend', 'razende', 'woede', 'nijdig', 'agressief'],
    disgust: ['walgelijk', 'walgelijke', 'vies', 'vieze', 'smerig', 'smerige', 'goor', 'gore', 'ranzig', 'ranzige', 'weerzinwekkend', 'walging', 'vuil', 'vuile'],
    amusement: ['grappig', 'grappige', 'komisch', 'komische', 'lollig', 'lollige', 'geestig', 'geestige', 'humoristisch'],
    awe: ['majestueus', 'majestueuze', 'indrukwekkend', 'indrukwekkende', 'ontzagwekkend', 'adembenemend', 'adembenemende', 'overweldigend', 'ontzag', 'groots', 'grootse'],
    contentment: ['rustig', 'rustige', 'kalm', 'kalme', 'vredig', 'vredige', 'sereen', 'serene', 'gezellig', 'gezellige', 'ontspannen', 'knus', 'knusse', 'behaaglijk', 'rust'],
    excitement: ['spannend', 'spannende', 'opwindend', 'opwindende', 'energiek', 'energieke', 'levendig', 'levendige', 'enthousiast', 'opgewonden', 'swingend'],
    happy: ['blij', 'blije', 'vrolijk', 'vrolijke', 'gelukkig', 'gelukkige', 'opgewekt', 'vreugde', 'geluk'],
  },
  comparatives: {
    sadness: ['verdrietiger', 'droeviger', 'treuriger', 'somberder', 'triester', 'eenzamer'],
    fear: ['enger', 'griezeliger', 'angstaanjagender', 'spookachtiger'],
    anger: ['bozer', 'kwader', 'woedender', 'nijdiger'],
    disgust: ['viezer', 'smeriger', 'goorder', 'ranziger', 'walgelijker'],
    amusement: ['grappiger', 'lolliger', 'geestiger'],
    awe: ['indrukwekkender', 'majestueuzer', 'grootser'],
    contentment: ['rustiger', 'kalmer', 'vrediger', 'gezelliger', 'knusser'],
    excitement: ['spannender', 'opwindender', 'energieker', 'levendiger'],
    happy: ['blijer', 'vrolijker', 'gelukkiger'],
  },
  more: ['meer', 'nog', 'extra'],
  less: ['minder'],
  negators: ['niet', 'geen', 'zonder', 'nooit'],
  so: ['zo', 'zó'],
  intensity: {
    low: ['een beetje', 'beetje', 'een tikje', 'tikje', 'lichtjes', 'enigszins', 'een klein beetje', 'iets'],
    high: ['heel', 'erg', 'zeer', 'echt', 'flink', 'behoorlijk'],
    max: ['extreem', 'maximaal', 'ontzettend', 'enorm', 'uiterst', 'zo veel mogelijk'],
  },
  commands: {
    undo: ['ongedaan maken', 'maak ongedaan', 'ongedaan', 'terug', 'vorige', 'herstel de vorige'],
    redo: ['opnieuw uitvoeren', 'opnieuw toepassen', 'breng het terug'],
    reset: ['terug naar het origineel', 'het origineel', 'origineel', 'opnieuw beginnen', 'begin opnieuw', 'van voren af aan'],
    retry: ['nog een keer', 'nog eens', 'probeer opnieuw', 'probeer het opnieuw', 'opnieuw', 'een andere versie'],
    help: ['hulp', 'help me'],
    emotions: ['welke emoties', 'welke gevoelens'],
  },
  followUps: { otherWay: ['de andere kant op', 'andersom', 'het omgekeerde', 'het tegenovergestelde'], warmer: ['warmer'], colder: ['kouder', 'kil', 'killer'] },
  aboutOneself: { openers: ['ik ben', 'ik voel me', 'ik voel mij'], fillers: ['vandaag', 'nu', 'een', 'beetje'] },
};
