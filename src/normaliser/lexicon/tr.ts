/**
 * @module Turkish. Words take suffixes (üzgün, üzgünüm, korkutucu, korkunç), so feelings are
 * stems; "daha" (more) and "daha az" (less) come before the word, "değil" (not) after it.
 */
import type { LanguageLexicon } from './types.ts';

export const TURKISH: LanguageLexicon = {
  code: 'tr',
  name: 'Turkish',
  emotions: {
    sadness: ['üzgün*', 'hüzün*', 'hüzünlü*', 'kederli*', 'keder', 'melankolik*', 'acıklı*', 'üzücü*', 'kasvetli*'],
    fear: ['korkunç*', 'korkutucu*', 'korku', 'korkulu*', 'ürkütücü*', 'ürpertici*', 'tüyler ürpertici', 'dehşet*'],
    anger: ['kızgın*', 'öfkeli*', 'öfke', 'sinirli*', 'hiddetli*', 'hiddet', 'kızgınlık'],
    disgust: ['iğrenç*', 'tiksindirici*', 'tiksinti*', 'mide bulandırıcı', 'pis', 'pislik', 'kirli*'],
    amusement: ['komik*', 'eğlenceli*', 'gülünç*', 'esprili*', 'mizahi*'],
    awe: ['görkemli*', 'muhteşem*', 'heybetli*', 'etkileyici*', 'büyüleyici*', 'huşu', 'ihtişam*'],
    contentment: [
      'huzurlu*',
      'huzur',
      'sakin*',
      'dingin*',
      'rahat',
      'rahatlatıcı*',
      'sıcacık*',
      'sakinleştirici*',
      'sükunet*',
    ],
    excitement: ['heyecanlı*', 'heyecan*', 'coşkulu*', 'coşku', 'enerjik*', 'hareketli*', 'canlı*'],
    happy: ['mutlu*', 'neşeli*', 'neşe', 'sevinçli*', 'sevinç', 'mutluluk*'],
  },
  more: ['daha'],
  less: ['az'],
  negators: [],
  negatorsAfter: ['değil', 'olmasın', 'yapma', 'etme', 'olmadan'],
  so: ['bu kadar', 'o kadar'],
  intensity: {
    low: ['biraz', 'hafif', 'hafifçe', 'azıcık', 'birazcık', 'az biraz'],
    high: ['çok', 'oldukça', 'epey', 'gerçekten', 'fazlasıyla', 'bayağı'],
    max: ['aşırı', 'son derece', 'maksimum', 'tamamen', 'müthiş', 'en fazla'],
  },
  commands: {
    undo: ['geri al', 'geri', 'önceki', 'iptal'],
    redo: ['yinele', 'yeniden yap', 'geri getir'],
    reset: ['sıfırla', 'orijinal', 'orijinali', 'baştan başla', 'başa dön', 'ilk hali'],
    retry: ['tekrar dene', 'bir daha', 'tekrar', 'yeniden dene', 'başka bir versiyon', 'başka bir tane'],
    help: ['yardım'],
    emotions: ['hangi duygular'],
  },
  followUps: {
    otherWay: ['tam tersi', 'tersi', 'ters yönde', 'tersine'],
    warmer: ['daha sıcak'],
    colder: ['daha soğuk'],
  },
  aboutOneself: {
    openers: ['ben', 'kendimi'],
    fillers: ['bugün'],
    endings: ['yım', 'yim', 'yum', 'yüm', 'ım', 'im', 'um', 'üm'],
  },
  talk: {
    pictureWords: ['fotoğraf*', 'resm*', 'resim*', 'görsel*', 'yap', 'değiştir'],
    questionWords: ['nasıl', 'neden', 'niye', 'nerede', 'kim'],
    topicWords: ['ben', 'benim', 'bana', 'beni', 'insanlar'],
    injection: { verbs: ['yoksay', 'unut', 'görmezden'], nouns: ['talimat*', 'prompt*', 'kural*'] },
    writing: { verbs: ['yaz'], nouns: ['şiir*', 'hikaye*', 'şarkı*', 'mektup*'] },
    crisis: ['ölmek istiyorum', 'kendimi öldürmek', 'yaşamak istemiyorum'],
  },
};
