/**
 * @module The words moodshift says to people, kept apart from the logic.
 * Every `UserError` code has one message here; adapters never write their own.
 */
import { platformCommands } from './commands.ts';
import { ELEMENTS, EMOTIONS, EMOTION_TABLE, type Element, type Emotion } from './emotions.ts';
import { ErrorCode, UserError } from './errors.ts';
import { describeIntensity, type NotARequest, type UnknownIntent } from './intent.ts';
import type { AuditEntry } from './moderation/moderation.ts';
import { PICTURE_CLASSES, type PictureClass } from './moderation/policy.ts';
import type { Progress, ReplyAction } from './turn.ts';

type Details = Record<string, string | number>;

const userErrorMessages: Record<ErrorCode, (d: Details) => string> = {
  [ErrorCode.ImageTooLarge]: (d) =>
    `That file is too big (${d.actual ?? 'over the limit'}); the limit is ${d.limit}. Please send a smaller picture.`,
  [ErrorCode.ImageTooManyPixels]: (d) =>
    `That picture has too many pixels (${d.actual}); the limit is ${d.limit}. Please send a smaller picture.`,
  [ErrorCode.ImageFormatNotAllowed]: (d) =>
    `I can't edit ${d.format ? `${d.format} files` : 'that kind of file'}. Please send a JPEG, PNG, WebP, GIF or TIFF picture.`,
  [ErrorCode.ImageCorrupt]: () =>
    `That picture looks broken or incomplete, so I can't read it. Please send it again or try another one.`,
  [ErrorCode.ImageTooSlow]: () =>
    `That picture would take too long to read, so I stopped. Please send it again as an ordinary photo or screenshot (for example exported from your photo app).`,
  [ErrorCode.ImageBusy]: () =>
    `I'm still reading your last picture. One picture at a time, please: send this one again in a moment.`,
  [ErrorCode.ImageDownloadFailed]: () => `I couldn't download that picture. Please send it again.`,
  [ErrorCode.ImageHostNotAllowed]: () =>
    `I only take pictures uploaded to this chat, not links to other sites. Please attach the picture itself.`,
  [ErrorCode.NoImage]: () => `Send me a photo first, then tell me how it should feel (for example "make it sadder").`,
  [ErrorCode.NothingToUndo]: () => `There is nothing to undo.`,
  [ErrorCode.NothingToRedo]: () => `There is nothing to redo.`,
  [ErrorCode.NothingToRefine]: () =>
    `There is no edit to make stronger or weaker yet. Tell me a feeling first, for example "make it calmer".`,
  [ErrorCode.EditNotFound]: () =>
    `I can't find that picture any more (it may have expired). Please send the photo again.`,
  [ErrorCode.EmotionBlocked]: (d) =>
    `A moderator has blocked ${d.emotion} in ${d.where ?? 'this chat'}. Try another feeling.`,
  [ErrorCode.ElementBlocked]: (d) => `A moderator has blocked ${d.element} edits in ${d.where ?? 'this chat'}.`,
  [ErrorCode.IntensityCapped]: (d) =>
    `That is as strong as edits go in ${d.where ?? 'this chat'} (a moderator set the limit).`,
  [ErrorCode.WordBlocked]: (d) => `I can't make that edit: a word in it is not allowed in ${d.where ?? 'this chat'}.`,
  [ErrorCode.RateLimited]: (d) => `You're going fast! Please try again in ${d.seconds} s.`,
  [ErrorCode.Banned]: (d) => `A moderator has stopped you from using the bot in ${d.where ?? 'this chat'}.`,
  [ErrorCode.NotModerator]: () => `Only moderators can use that command.`,
  [ErrorCode.UnknownEmotion]: (d) =>
    `"${d.word}" is not one of the emotions I know. Try one of: ${EMOTIONS.join(', ')}.`,
  [ErrorCode.BadCommand]: (d) =>
    `${d.usage ? `Usage: ${d.usage}` : `I don't know that command.`} Type /help for the list.`,
  [ErrorCode.TooManyJobs]: (d) =>
    `You already have ${Number(d.limit) === 1 ? 'an edit' : `${d.limit} edits`} running. Please wait for ${Number(d.limit) === 1 ? 'it' : 'one'} to finish.`,
  [ErrorCode.RenderTimeout]: () => `That edit took too long and was stopped. Press "Try again" to have another go.`,
  [ErrorCode.TemporarilyUnavailable]: () =>
    `The bot is temporarily unavailable. Nothing you sent is lost; please try again in a minute.`,
  [ErrorCode.PictureStorageFull]: () => `I'm short of space for new pictures right now; please try again later.`,
  [ErrorCode.PictureExpired]: () =>
    `That earlier picture has expired from my storage, so I can't edit it any more. Please send the photo again.`,
  [ErrorCode.PictureBlocked]: (d) =>
    d.stage === 'outgoing'
      ? `I can't show that edit: the picture rule of ${d.where ?? 'this chat'} does not allow the result.`
      : `I can't take that picture: the picture rule of ${d.where ?? 'this chat'} does not allow it.`,
  [ErrorCode.PictureUnchecked]: () => `I couldn't check this picture; please try again.`,
};

/**
 * The short sentence a person sees for a UserError, in the person's language when `locale` (a BCP 47
 * tag such as `fr-CA`, from `turn.locale`) is one of {@link MESSAGE_LOCALES} and the message is
 * translated; otherwise in English.
 */
export function userMessage(error: UserError, locale?: string): string {
  const translated = LOCALIZED_USER_ERRORS[messageLocale(locale)]?.[error.code];
  return (translated ?? userErrorMessages[error.code])(error.details);
}

export const APOLOGY = `Sorry, something went wrong on my side. Please try again.`;

export function emotionListText(locale?: string): string {
  const lang = messageLocale(locale);
  if (lang !== 'en') {
    const words = LOCALIZED_TEXT[lang];
    return `${words.emotionListHeader}\n${EMOTIONS.map((e) => `${EMOTION_TABLE[e].emoji} ${e}: ${words.meanings[e]}`).join('\n')}`;
  }
  return (
    'I can make a picture feel:\n' +
    EMOTIONS.map((e) => `${EMOTION_TABLE[e].emoji} ${e}: ${EMOTION_TABLE[e].meaning}`).join('\n')
  );
}

/** Who asks for help, and where: the help lists the commands of that platform, moderator ones only to moderators. */
export interface HelpAudience {
  /** `turn.key.platform` (`web`, `telegram`, `discord`, …). */
  platform: string;
  /** Whether the person may use the moderator commands there (`turn.actor.isModerator`). */
  moderator: boolean;
}

const ENGLISH_HELP = {
  help: [
    'Send me a photo and tell me how it should feel: "make this sadder", "scarier", "a bit calmer".',
    'Then refine it: "more", "less", "undo", "redo", "try again", "start over", or another feeling.',
  ],
  continueByReply:
    'Reply to any of my pictures (or use its buttons) to act on that one; a new feeling is always made from your original photo.',
  continueByClick:
    'Click any of my pictures to make your next message act on that one (its buttons act on it too); a new feeling is always made from your original photo.',
  commandsLabel: 'Commands:',
  moderatorsLabel: 'Moderators:',
};

/**
 * The help text: what to send, how to act on an earlier picture on that platform (the web chat
 * clicks, the others reply), and every command a person there can type, the moderator commands
 * only for a moderator. @defaultValue audience: a member on Telegram
 */
export function helpText(locale?: string, audience: HelpAudience = { platform: 'telegram', moderator: false }): string {
  const lang = messageLocale(locale);
  const words = lang === 'en' ? ENGLISH_HELP : LOCALIZED_TEXT[lang];
  const commands = platformCommands(audience.platform);
  return [
    ...words.help,
    audience.platform === 'web' ? words.continueByClick : words.continueByReply,
    `${words.commandsLabel} ${commands.person.join(', ')}.`,
    ...(audience.moderator ? [`${words.moderatorsLabel} ${commands.moderator.join(', ')}.`] : []),
  ].join('\n');
}

/**
 * The first line of a picture's caption: the feeling the original photo showed and the one it was
 * given (`contentment → sadness`). When the photo already showed the feeling asked for, the edit makes
 * more of it, and the caption says so instead of `contentment → contentment`.
 */
export function captionTitle(source: Emotion | undefined, target: Emotion): string {
  return source === target ? `more ${target} than the original` : `${source ?? 'original'} → ${target}`;
}

/**
 * The caption's last line when the faces could not carry the feeling (issue 15, item 5): what
 * carries it instead. `no-face` is said only when the caption speaks of a face (a landscape's
 * caption needs no excuse).
 */
export const FACE_NOTES: Readonly<Record<'no-face' | 'open-smile', string>> = {
  'no-face': 'No face here could be changed, so the light, the colours and the scene carry the feeling.',
  'open-smile':
    'A broad smile cannot be fully undone, so the light, the colours and the scene carry most of the feeling.',
};

/** The edited caption with the right face note (and no stale one from an earlier render of the same plan). */
export function withFaceNote(caption: string, note: keyof typeof FACE_NOTES | undefined): string {
  let text = caption;
  for (const line of Object.values(FACE_NOTES)) text = text.replace(` ${line}`, '').replace(line, '');
  text = text.trim();
  if (!note) return text;
  if (note === 'no-face' && !/\b(face|faces|smil\w*|frown\w*|expression\w*|eyes|mouth|brows?|lips)\b/i.test(text))
    return text;
  return text ? `${text} ${FACE_NOTES[note]}` : FACE_NOTES[note];
}

/** The first caption line of a picture that undo or redo shows again: it is an earlier picture, not a new edit. */
export const SHOWN_AGAIN: Readonly<Record<'undo' | 'redo', string>> = {
  undo: 'Undo: back to the picture before this one, shown again (nothing new was made).',
  redo: 'Redo: the picture you undid, shown again (nothing new was made).',
};

/** `moodshift chat`'s help: a terminal cannot reply to a picture, so it names pictures by number. */
export const CLI_CHAT_HELP = [
  'Tell me how the picture should feel: "make this sadder", "scarier", "a bit calmer".',
  'Then refine it: "more", "less", "undo", "redo", "try again", "start over", or another feeling.',
  'Each result is saved as picture-N; type /quit or press Ctrl+D to leave.',
].join('\n');

export const ASK_FOR_FEELING = 'Got your picture! How should it feel? For example "sadder", "scarier" or "calmer".';

export function askBackText(locale?: string): string {
  const lang = messageLocale(locale);
  if (lang !== 'en') return `${LOCALIZED_TEXT[lang].askBack} ${EMOTIONS.join(', ')}.`;
  return `I didn't catch the feeling you want. Try for example "make it sadder" or "calmer". I know: ${EMOTIONS.join(', ')}.`;
}

// ---------------------------------------------------------------------------------------------
// Answers to words that asked for nothing (issue 17): what is not a request, and a feeling that
// is missing. In the languages the bot writes; the other languages the rules read get English
// with one plain line saying so.

const ELEMENT_WORDS: Readonly<Record<Element, string>> = {
  facial: 'the faces',
  action: 'what people are doing',
  object: 'the objects',
  scene: 'the scene',
  color: 'the colours and light',
};

/** Languages the rules normaliser reads but the bot does not write: it answers in English and says so. */
export const READ_ONLY_LANGUAGES: Readonly<Record<string, string>> = {
  nl: 'Dutch',
  ja: 'Japanese',
  zh: 'Chinese',
  ko: 'Korean',
  ru: 'Russian',
  pl: 'Polish',
  tr: 'Turkish',
  ar: 'Arabic',
  hi: 'Hindi',
};

interface UnderstoodWords {
  notARequest: Readonly<Record<NotARequest, string>>;
  /** "Not {emotion}: which feeling then? For example {a few}." */
  negated: (emotion: string, examples: string) => string;
  /** "I understood {parts}, but not which feeling." */
  understood: (parts: string) => string;
  intensity: Readonly<Record<'subtle' | 'moderate' | 'strong' | 'maximum', string>>;
  elements: Readonly<Record<Element, string>>;
}

const UNDERSTOOD_WORDS: Readonly<Record<MessageLocale, UnderstoodWords>> = {
  en: {
    notARequest: {
      greeting: 'Hi! Send me a photo and tell me how it should feel, for example "make it calmer".',
      thanks: "You're welcome! Tell me if you'd like another feeling.",
      'chit-chat':
        "I'm a picture bot, so I'm better at feelings in photos than at small talk. Send me a photo and tell me how it should feel.",
      joke: 'Jokes are not my strong point, but I can make a picture funnier: send me a photo and say "make it funny".',
      writing:
        "I don't write poems or stories; I change how pictures feel. Send me a photo and tell me how it should feel.",
      question:
        "That's a question for someone other than a picture bot, sorry. I can change how a photo feels: send one and tell me the feeling.",
      statement: 'Thanks for telling me! If you send a photo, I can give it a feeling.',
      distress:
        "I'm sorry you're feeling this way. I'm only a picture bot and can't help the way a person can, but talking to someone you trust, or to a local helpline, can. I haven't changed anything.",
      injection: "I only change how pictures feel, so I can't do that. Nothing was changed.",
    },
    negated: (emotion, examples) => `Not ${emotion}, got it. Which feeling then? For example ${examples}.`,
    understood: (parts) =>
      `I understood ${parts}, but not which feeling. Pick one below or say for example "make it calmer".`,
    intensity: {
      subtle: 'a subtle change',
      moderate: 'a moderate change',
      strong: 'a strong change',
      maximum: 'the strongest change',
    },
    elements: ELEMENT_WORDS,
  },
  fr: {
    notARequest: {
      greeting:
        'Bonjour ! Envoie-moi une photo et dis-moi quelle émotion elle doit transmettre, par exemple « plus calme ».',
      thanks: 'Avec plaisir ! Dis-moi si tu veux une autre émotion.',
      'chit-chat':
        "Je suis un bot d'images : je suis meilleur pour les émotions des photos que pour la conversation. Envoie-moi une photo et dis-moi l'émotion voulue.",
      joke: "Les blagues, ce n'est pas mon fort, mais je peux rendre une image plus drôle : envoie une photo et dis « plus drôle ».",
      writing:
        "Je n'écris ni poèmes ni histoires ; je change l'émotion des images. Envoie-moi une photo et dis-moi l'émotion voulue.",
      question:
        "Désolé, c'est une question pour quelqu'un d'autre qu'un bot d'images. Je peux changer l'émotion d'une photo : envoie-la et dis-moi l'émotion.",
      statement: "Merci de me le dire ! Si tu m'envoies une photo, je peux lui donner une émotion.",
      distress:
        "Je suis désolé que tu te sentes ainsi. Je ne suis qu'un bot d'images et ne peux pas aider comme une personne, mais parler à quelqu'un de confiance, ou à une ligne d'écoute, peut aider. Je n'ai rien changé.",
      injection: "Je change seulement l'émotion des images, je ne peux donc pas faire ça. Rien n'a été changé.",
    },
    negated: (emotion, examples) => `Pas ${emotion}, compris. Quelle émotion alors ? Par exemple ${examples}.`,
    understood: (parts) =>
      `J'ai compris ${parts}, mais pas quelle émotion. Choisis-en une ci-dessous ou dis par exemple « plus calme ».`,
    intensity: {
      subtle: 'un changement léger',
      moderate: 'un changement modéré',
      strong: 'un changement fort',
      maximum: 'le changement le plus fort',
    },
    elements: {
      facial: 'les visages',
      action: 'ce que font les gens',
      object: 'les objets',
      scene: 'la scène',
      color: 'les couleurs et la lumière',
    },
  },
  es: {
    notARequest: {
      greeting: '¡Hola! Envíame una foto y dime qué emoción debe transmitir, por ejemplo «más tranquila».',
      thanks: '¡De nada! Dime si quieres otra emoción.',
      'chit-chat':
        'Soy un bot de imágenes: se me dan mejor las emociones de las fotos que la charla. Envíame una foto y dime la emoción.',
      joke: 'Los chistes no son lo mío, pero puedo hacer una imagen más divertida: envía una foto y di «más divertida».',
      writing: 'No escribo poemas ni historias; cambio la emoción de las imágenes. Envíame una foto y dime la emoción.',
      question:
        'Lo siento, esa pregunta es para alguien que no sea un bot de imágenes. Puedo cambiar la emoción de una foto: envíala y dime la emoción.',
      statement: '¡Gracias por contármelo! Si me envías una foto, puedo darle una emoción.',
      distress:
        'Siento que te sientas así. Solo soy un bot de imágenes y no puedo ayudar como una persona, pero hablar con alguien de confianza, o con una línea de ayuda, sí puede. No he cambiado nada.',
      injection: 'Solo cambio la emoción de las imágenes, así que no puedo hacer eso. No se ha cambiado nada.',
    },
    negated: (emotion, examples) => `No ${emotion}, entendido. ¿Qué emoción entonces? Por ejemplo ${examples}.`,
    understood: (parts) => `Entendí ${parts}, pero no qué emoción. Elige una abajo o di por ejemplo «más tranquila».`,
    intensity: {
      subtle: 'un cambio sutil',
      moderate: 'un cambio moderado',
      strong: 'un cambio fuerte',
      maximum: 'el cambio más fuerte',
    },
    elements: {
      facial: 'las caras',
      action: 'lo que hace la gente',
      object: 'los objetos',
      scene: 'la escena',
      color: 'los colores y la luz',
    },
  },
  de: {
    notARequest: {
      greeting: 'Hallo! Schick mir ein Foto und sag mir, wie es wirken soll, zum Beispiel „ruhiger“.',
      thanks: 'Gern geschehen! Sag Bescheid, wenn du eine andere Stimmung möchtest.',
      'chit-chat':
        'Ich bin ein Bilder-Bot: Stimmungen in Fotos kann ich besser als Plaudern. Schick mir ein Foto und sag mir die Stimmung.',
      joke: 'Witze sind nicht meine Stärke, aber ich kann ein Bild lustiger machen: schick ein Foto und sag „lustiger“.',
      writing:
        'Ich schreibe keine Gedichte oder Geschichten; ich ändere die Stimmung von Bildern. Schick mir ein Foto und sag mir die Stimmung.',
      question:
        'Das ist leider eine Frage für jemand anderen als einen Bilder-Bot. Ich kann die Stimmung eines Fotos ändern: schick eines und sag mir die Stimmung.',
      statement: 'Danke, dass du es mir sagst! Wenn du ein Foto schickst, kann ich ihm eine Stimmung geben.',
      distress:
        'Es tut mir leid, dass es dir so geht. Ich bin nur ein Bilder-Bot und kann nicht helfen wie ein Mensch, aber mit jemandem zu reden, dem du vertraust, oder mit einer Telefonseelsorge, kann helfen. Ich habe nichts verändert.',
      injection: 'Ich ändere nur die Stimmung von Bildern, deshalb kann ich das nicht tun. Nichts wurde verändert.',
    },
    negated: (emotion, examples) => `Nicht ${emotion}, verstanden. Welche Stimmung dann? Zum Beispiel ${examples}.`,
    understood: (parts) =>
      `Ich habe ${parts} verstanden, aber nicht welche Stimmung. Wähl unten eine aus oder sag zum Beispiel „ruhiger“.`,
    intensity: {
      subtle: 'eine leichte Änderung',
      moderate: 'eine mittlere Änderung',
      strong: 'eine starke Änderung',
      maximum: 'die stärkste Änderung',
    },
    elements: {
      facial: 'die Gesichter',
      action: 'was die Leute tun',
      object: 'die Gegenstände',
      scene: 'die Szene',
      color: 'die Farben und das Licht',
    },
  },
  it: {
    notARequest: {
      greeting: 'Ciao! Mandami una foto e dimmi che emozione deve trasmettere, per esempio «più calma».',
      thanks: "Prego! Dimmi se vuoi un'altra emozione.",
      'chit-chat':
        "Sono un bot di immagini: con le emozioni delle foto me la cavo meglio che con le chiacchiere. Mandami una foto e dimmi l'emozione.",
      joke: "Le barzellette non sono il mio forte, ma posso rendere un'immagine più divertente: manda una foto e di' «più divertente».",
      writing: "Non scrivo poesie né storie; cambio l'emozione delle immagini. Mandami una foto e dimmi l'emozione.",
      question:
        "Mi dispiace, è una domanda per qualcuno che non sia un bot di immagini. Posso cambiare l'emozione di una foto: mandala e dimmi l'emozione.",
      statement: "Grazie di avermelo detto! Se mi mandi una foto, posso darle un'emozione.",
      distress:
        'Mi dispiace che ti senta così. Sono solo un bot di immagini e non posso aiutarti come una persona, ma parlare con qualcuno di cui ti fidi, o con un servizio di ascolto, può aiutare. Non ho cambiato nulla.',
      injection: "Cambio solo l'emozione delle immagini, quindi non posso farlo. Non è stato cambiato nulla.",
    },
    negated: (emotion, examples) => `Non ${emotion}, capito. Che emozione allora? Per esempio ${examples}.`,
    understood: (parts) =>
      `Ho capito ${parts}, ma non quale emozione. Scegline una qui sotto o di' per esempio «più calma».`,
    intensity: {
      subtle: 'un cambiamento leggero',
      moderate: 'un cambiamento moderato',
      strong: 'un cambiamento forte',
      maximum: 'il cambiamento più forte',
    },
    elements: {
      facial: 'i volti',
      action: 'quello che fanno le persone',
      object: 'gli oggetti',
      scene: 'la scena',
      color: 'i colori e la luce',
    },
  },
  pt: {
    notARequest: {
      greeting: 'Olá! Envie uma foto e diga que emoção ela deve transmitir, por exemplo “mais calma”.',
      thanks: 'De nada! Diga se quiser outra emoção.',
      'chit-chat':
        'Sou um bot de imagens: sou melhor com emoções em fotos do que com conversa. Envie uma foto e diga a emoção.',
      joke: 'Piadas não são o meu forte, mas posso deixar uma imagem mais divertida: envie uma foto e diga “mais divertida”.',
      writing: 'Não escrevo poemas nem histórias; mudo a emoção das imagens. Envie uma foto e diga a emoção.',
      question:
        'Desculpe, essa pergunta é para alguém que não seja um bot de imagens. Posso mudar a emoção de uma foto: envie uma e diga a emoção.',
      statement: 'Obrigado por me contar! Se você enviar uma foto, posso dar uma emoção a ela.',
      distress:
        'Sinto muito que você esteja se sentindo assim. Sou só um bot de imagens e não posso ajudar como uma pessoa, mas conversar com alguém de confiança, ou com um serviço de apoio, pode ajudar. Não mudei nada.',
      injection: 'Eu só mudo a emoção das imagens, então não posso fazer isso. Nada foi alterado.',
    },
    negated: (emotion, examples) => `Não ${emotion}, entendi. Que emoção então? Por exemplo ${examples}.`,
    understood: (parts) =>
      `Entendi ${parts}, mas não qual emoção. Escolha uma abaixo ou diga por exemplo “mais calma”.`,
    intensity: {
      subtle: 'uma mudança sutil',
      moderate: 'uma mudança moderada',
      strong: 'uma mudança forte',
      maximum: 'a mudança mais forte',
    },
    elements: {
      facial: 'os rostos',
      action: 'o que as pessoas fazem',
      object: 'os objetos',
      scene: 'a cena',
      color: 'as cores e a luz',
    },
  },
};

/** "I read Dutch, but I answer in English." for the languages the bot reads but does not write. */
function englishOnlyNote(locale?: string): string {
  const name = READ_ONLY_LANGUAGES[locale?.trim().toLowerCase().split(/[-_]/)[0] ?? ''];
  return name ? `\n(I read ${name}, but I answer in English.)` : '';
}

/** The brief, kind answer to words that are not a request ("hello", "I'm so sad today"); nothing is changed. */
export function notARequestText(kind: NotARequest, locale?: string): string {
  return UNDERSTOOD_WORDS[messageLocale(locale)].notARequest[kind] + englishOnlyNote(locale);
}

/**
 * The answer when the feeling is missing: a ruled-out emotion ("not sad") gets a question naming a
 * few others (of the other valence); named elements and intensity are said back; otherwise the
 * plain ask-back. The emotions go with it as buttons.
 */
export function feelingMissingText(intent: UnknownIntent, locale?: string): string {
  const words = UNDERSTOOD_WORDS[messageLocale(locale)];
  if (intent.negated) {
    const valence = EMOTION_TABLE[intent.negated].valence;
    const examples = EMOTIONS.filter((e) => EMOTION_TABLE[e].valence !== valence)
      .slice(0, 3)
      .join(', ');
    return words.negated(intent.negated, examples) + englishOnlyNote(locale);
  }
  const parts = [
    ...(intent.elements ?? []).map((e) => words.elements[e]),
    ...(intent.intensity !== undefined
      ? [words.intensity[describeIntensity(intent.intensity) as keyof UnderstoodWords['intensity']]]
      : []),
  ];
  if (parts.length > 0) return words.understood(parts.join(', ')) + englishOnlyNote(locale);
  return askBackText(locale) + englishOnlyNote(locale);
}

// ---------------------------------------------------------------------------------------------
// The bot's own short messages in other languages. Emotion names, commands and button labels stay
// in English: they are what people type and what the buttons say. Messages that quote an English
// detail (where a moderator blocked something) say "here" instead. A message missing here is sent
// in English.

/** The languages the bot's own short messages are written in. */
export const MESSAGE_LOCALES = ['en', 'fr', 'es', 'de', 'it', 'pt'] as const;
export type MessageLocale = (typeof MESSAGE_LOCALES)[number];
type OtherLocale = Exclude<MessageLocale, 'en'>;

/** The message language for a BCP 47 tag (`fr-CA` → `fr`, `pt_BR` → `pt`); English for anything else. */
export function messageLocale(tag?: string): MessageLocale {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return (MESSAGE_LOCALES as readonly string[]).includes(language ?? '') ? (language as MessageLocale) : 'en';
}

/** The texts {@link localizedText} knows, beside the UserError messages. */
export type LocalizedTextKey = 'askForFeeling' | 'askBack' | 'help' | 'emotionList' | 'apology';

/** One of the bot's own texts in the person's language (`locale` from `turn.locale`), English by default. */
export function localizedText(key: LocalizedTextKey, locale?: string): string {
  const lang = messageLocale(locale);
  switch (key) {
    case 'askForFeeling':
      return lang === 'en' ? ASK_FOR_FEELING : LOCALIZED_TEXT[lang].askForFeeling;
    case 'askBack':
      return askBackText(lang);
    case 'help':
      return helpText(lang);
    case 'emotionList':
      return emotionListText(lang);
    case 'apology':
      return lang === 'en' ? APOLOGY : LOCALIZED_TEXT[lang].apology;
  }
}

interface LocalizedWords {
  askForFeeling: string;
  /** Followed by the list of emotion names. */
  askBack: string;
  /** What to send and how to refine it. */
  help: readonly string[];
  /** How to act on an earlier picture where people reply to messages (Telegram, Discord). */
  continueByReply: string;
  /** How to act on an earlier picture in the web chat, where people click it. */
  continueByClick: string;
  commandsLabel: string;
  moderatorsLabel: string;
  emotionListHeader: string;
  meanings: Record<(typeof EMOTIONS)[number], string>;
  apology: string;
}

const LOCALIZED_TEXT: Readonly<Record<OtherLocale, LocalizedWords>> = {
  fr: {
    askForFeeling:
      "J'ai bien reçu ta photo ! Quelle émotion veux-tu ? Par exemple « plus triste », « plus effrayante » ou « plus calme ».",
    askBack:
      "Je n'ai pas compris l'émotion que tu veux. Essaie par exemple « rends-la plus triste » ou « plus calme ». Je connais :",
    help: [
      'Envoie-moi une photo et dis-moi quelle émotion elle doit transmettre : « plus triste », « plus effrayante », « un peu plus calme ».',
      'Ensuite, affine : « plus », « moins », « annuler », « rétablir », « réessayer », « recommencer », ou une autre émotion.',
    ],
    continueByReply:
      "Réponds à l'une de mes images (ou utilise ses boutons) pour agir sur celle-ci ; une nouvelle émotion part toujours de ta photo d'origine.",
    continueByClick:
      "Clique sur l'une de mes images pour que ton prochain message agisse sur celle-ci (ses boutons aussi) ; une nouvelle émotion part toujours de ta photo d'origine.",
    commandsLabel: 'Commandes :',
    moderatorsLabel: 'Modération :',
    emotionListHeader: 'Je peux donner à une image ces émotions :',
    meanings: {
      amusement: 'drôle, espiègle, léger',
      awe: 'immense, majestueux, merveilleux',
      contentment: 'calme, douillet, paisible, serein',
      excitement: 'palpitant, énergique, éclatant',
      anger: 'furieux, hostile, enragé',
      disgust: 'répugnant, écœurant, pourri',
      fear: 'effrayant, inquiétant, menaçant',
      sadness: 'sombre, mélancolique, solitaire',
    },
    apology: "Désolé, quelque chose s'est mal passé de mon côté. Réessaie, s'il te plaît.",
  },
  es: {
    askForFeeling:
      '¡Recibí tu foto! ¿Qué emoción quieres? Por ejemplo «más triste», «más aterradora» o «más tranquila».',
    askBack: 'No entendí qué emoción quieres. Prueba por ejemplo «hazla más triste» o «más tranquila». Conozco:',
    help: [
      'Envíame una foto y dime qué emoción debe transmitir: «más triste», «más aterradora», «un poco más tranquila».',
      'Después ajústala: «más», «menos», «deshacer», «rehacer», «otra vez», «empezar de nuevo», u otra emoción.',
    ],
    continueByReply:
      'Responde a cualquiera de mis imágenes (o usa sus botones) para actuar sobre esa; una emoción nueva siempre se hace desde tu foto original.',
    continueByClick:
      'Haz clic en cualquiera de mis imágenes para que tu próximo mensaje actúe sobre esa (sus botones también); una emoción nueva siempre se hace desde tu foto original.',
    commandsLabel: 'Comandos:',
    moderatorsLabel: 'Moderación:',
    emotionListHeader: 'Puedo dar a una imagen estas emociones:',
    meanings: {
      amusement: 'divertida, juguetona, desenfadada',
      awe: 'inmensa, majestuosa, asombrosa',
      contentment: 'tranquila, acogedora, apacible, serena',
      excitement: 'emocionante, enérgica, vibrante',
      anger: 'furiosa, hostil, enfurecida',
      disgust: 'asquerosa, repugnante, podrida',
      fear: 'aterradora, inquietante, amenazante',
      sadness: 'sombría, melancólica, solitaria',
    },
    apology: 'Lo siento, algo falló por mi parte. Inténtalo de nuevo, por favor.',
  },
  de: {
    askForFeeling:
      'Dein Bild ist angekommen! Welche Stimmung soll es haben? Zum Beispiel „trauriger“, „gruseliger“ oder „ruhiger“.',
    askBack:
      'Ich habe nicht verstanden, welche Stimmung du möchtest. Versuch es zum Beispiel mit „mach es trauriger“ oder „ruhiger“. Ich kenne:',
    help: [
      'Schick mir ein Foto und sag mir, wie es wirken soll: „trauriger“, „gruseliger“, „etwas ruhiger“.',
      'Dann verfeinern: „mehr“, „weniger“, „rückgängig“, „wiederherstellen“, „nochmal“, „von vorn“ oder eine andere Stimmung.',
    ],
    continueByReply:
      'Antworte auf eines meiner Bilder (oder nutze seine Knöpfe), um an diesem weiterzuarbeiten; eine neue Stimmung entsteht immer aus deinem Originalfoto.',
    continueByClick:
      'Klick auf eines meiner Bilder, damit deine nächste Nachricht an diesem weiterarbeitet (seine Knöpfe ebenso); eine neue Stimmung entsteht immer aus deinem Originalfoto.',
    commandsLabel: 'Befehle:',
    moderatorsLabel: 'Moderation:',
    emotionListHeader: 'Ich kann einem Bild diese Stimmungen geben:',
    meanings: {
      amusement: 'lustig, verspielt, unbeschwert',
      awe: 'gewaltig, majestätisch, wundersam',
      contentment: 'ruhig, gemütlich, friedlich, zufrieden',
      excitement: 'aufregend, energiegeladen, lebendig',
      anger: 'wütend, feindselig, zornig',
      disgust: 'eklig, widerlich, verfault',
      fear: 'gruselig, unheimlich, bedrohlich',
      sadness: 'düster, melancholisch, einsam',
    },
    apology: 'Entschuldigung, bei mir ist etwas schiefgegangen. Bitte versuch es noch einmal.',
  },
  it: {
    askForFeeling:
      'Ho ricevuto la tua foto! Che emozione vuoi? Per esempio «più triste», «più spaventosa» o «più calma».',
    askBack: 'Non ho capito che emozione vuoi. Prova per esempio «rendila più triste» o «più calma». Conosco:',
    help: [
      "Mandami una foto e dimmi che emozione deve trasmettere: «più triste», «più spaventosa», «un po' più calma».",
      "Poi perfezionala: «di più», «di meno», «annulla», «ripristina», «riprova», «ricomincia», o un'altra emozione.",
    ],
    continueByReply:
      'Rispondi a una delle mie immagini (o usa i suoi pulsanti) per agire su quella; una nuova emozione parte sempre dalla tua foto originale.',
    continueByClick:
      'Fai clic su una delle mie immagini perché il tuo prossimo messaggio agisca su quella (anche i suoi pulsanti); una nuova emozione parte sempre dalla tua foto originale.',
    commandsLabel: 'Comandi:',
    moderatorsLabel: 'Moderazione:',
    emotionListHeader: "Posso dare a un'immagine queste emozioni:",
    meanings: {
      amusement: 'divertente, giocosa, spensierata',
      awe: 'vasta, maestosa, meravigliosa',
      contentment: 'calma, accogliente, pacifica, serena',
      excitement: 'emozionante, energica, vivace',
      anger: 'furiosa, ostile, infuriata',
      disgust: 'disgustosa, ripugnante, marcia',
      fear: 'spaventosa, inquietante, minacciosa',
      sadness: 'cupa, malinconica, solitaria',
    },
    apology: 'Scusa, qualcosa è andato storto da parte mia. Riprova, per favore.',
  },
  pt: {
    askForFeeling:
      'Recebi a sua foto! Que emoção você quer? Por exemplo “mais triste”, “mais assustadora” ou “mais calma”.',
    askBack: 'Não entendi que emoção você quer. Tente por exemplo “deixa mais triste” ou “mais calma”. Eu conheço:',
    help: [
      'Envie uma foto e diga que emoção ela deve transmitir: “mais triste”, “mais assustadora”, “um pouco mais calma”.',
      'Depois ajuste: “mais”, “menos”, “desfazer”, “refazer”, “de novo”, “recomeçar”, ou outra emoção.',
    ],
    continueByReply:
      'Responda a qualquer uma das minhas imagens (ou use os botões dela) para agir sobre ela; uma emoção nova é sempre feita a partir da sua foto original.',
    continueByClick:
      'Clique em qualquer uma das minhas imagens para que a sua próxima mensagem atue sobre ela (os botões dela também); uma emoção nova é sempre feita a partir da sua foto original.',
    commandsLabel: 'Comandos:',
    moderatorsLabel: 'Moderação:',
    emotionListHeader: 'Posso dar a uma imagem estas emoções:',
    meanings: {
      amusement: 'divertida, brincalhona, descontraída',
      awe: 'imensa, majestosa, maravilhosa',
      contentment: 'calma, aconchegante, tranquila, serena',
      excitement: 'emocionante, enérgica, vibrante',
      anger: 'furiosa, hostil, enraivecida',
      disgust: 'nojenta, repugnante, podre',
      fear: 'assustadora, sinistra, ameaçadora',
      sadness: 'sombria, melancólica, solitária',
    },
    apology: 'Desculpe, algo deu errado do meu lado. Tente de novo, por favor.',
  },
};

type Translated = Partial<Record<ErrorCode, (d: Details) => string>>;

/** The most common UserError messages, translated; the others are sent in English. */
const LOCALIZED_USER_ERRORS: Readonly<Partial<Record<MessageLocale, Translated>>> = {
  fr: {
    [ErrorCode.NoImage]: () =>
      "Envoie-moi d'abord une photo, puis dis-moi quelle émotion elle doit transmettre (par exemple « plus triste »).",
    [ErrorCode.NothingToUndo]: () => "Il n'y a rien à annuler.",
    [ErrorCode.NothingToRedo]: () => "Il n'y a rien à rétablir.",
    [ErrorCode.NothingToRefine]: () =>
      "Il n'y a pas encore de retouche à renforcer ou atténuer. Dis-moi d'abord une émotion, par exemple « plus calme ».",
    [ErrorCode.EditNotFound]: () =>
      "Je ne retrouve plus cette image (elle a peut-être expiré). Renvoie la photo, s'il te plaît.",
    [ErrorCode.ImageCorrupt]: () =>
      'Cette image semble abîmée ou incomplète, je ne peux pas la lire. Renvoie-la ou essaie-en une autre.',
    [ErrorCode.ImageTooLarge]: (d) =>
      `Ce fichier est trop lourd ; la limite est ${d.limit}. Envoie une image plus petite, s'il te plaît.`,
    [ErrorCode.ImageFormatNotAllowed]: () =>
      'Je ne peux pas retoucher ce type de fichier. Envoie une image JPEG, PNG, WebP, GIF ou TIFF.',
    [ErrorCode.EmotionBlocked]: (d) => `Un modérateur a bloqué « ${d.emotion} » ici. Essaie une autre émotion.`,
    [ErrorCode.RateLimited]: (d) => `Tu vas vite ! Réessaie dans ${d.seconds} s.`,
    [ErrorCode.RenderTimeout]: () =>
      'Cette retouche a pris trop de temps et a été arrêtée. Appuie sur « Try again » pour réessayer.',
    [ErrorCode.TemporarilyUnavailable]: () =>
      "Le bot est momentanément indisponible. Rien de ce que tu as envoyé n'est perdu ; réessaie dans une minute.",
    [ErrorCode.NotModerator]: () => 'Seuls les modérateurs peuvent utiliser cette commande.',
    [ErrorCode.PictureStorageFull]: () =>
      "Je manque de place pour de nouvelles images en ce moment ; réessaie plus tard, s'il te plaît.",
    [ErrorCode.PictureExpired]: () =>
      "Cette image précédente a expiré de mon stockage, je ne peux plus la retoucher. Renvoie la photo, s'il te plaît.",
    [ErrorCode.PictureBlocked]: (d) =>
      d.stage === 'outgoing'
        ? "Je ne peux pas montrer cette retouche : la règle des images d'ici ne l'autorise pas."
        : "Je ne peux pas prendre cette image : la règle des images d'ici ne l'autorise pas.",
    [ErrorCode.PictureUnchecked]: () => "Je n'ai pas pu vérifier cette image ; réessaie, s'il te plaît.",
  },
  es: {
    [ErrorCode.NoImage]: () =>
      'Primero envíame una foto y luego dime qué emoción debe transmitir (por ejemplo «más triste»).',
    [ErrorCode.NothingToUndo]: () => 'No hay nada que deshacer.',
    [ErrorCode.NothingToRedo]: () => 'No hay nada que rehacer.',
    [ErrorCode.NothingToRefine]: () =>
      'Todavía no hay ninguna edición que intensificar o suavizar. Primero dime una emoción, por ejemplo «más tranquila».',
    [ErrorCode.EditNotFound]: () =>
      'Ya no encuentro esa imagen (puede que haya caducado). Envía la foto otra vez, por favor.',
    [ErrorCode.ImageCorrupt]: () =>
      'Esa imagen parece dañada o incompleta y no puedo leerla. Envíala otra vez o prueba con otra.',
    [ErrorCode.ImageTooLarge]: (d) =>
      `Ese archivo es demasiado grande; el límite es ${d.limit}. Envía una imagen más pequeña, por favor.`,
    [ErrorCode.ImageFormatNotAllowed]: () =>
      'No puedo editar ese tipo de archivo. Envía una imagen JPEG, PNG, WebP, GIF o TIFF.',
    [ErrorCode.EmotionBlocked]: (d) => `Un moderador ha bloqueado «${d.emotion}» aquí. Prueba con otra emoción.`,
    [ErrorCode.RateLimited]: (d) => `¡Vas muy rápido! Inténtalo de nuevo en ${d.seconds} s.`,
    [ErrorCode.RenderTimeout]: () =>
      'Esa edición tardó demasiado y se detuvo. Pulsa «Try again» para intentarlo otra vez.',
    [ErrorCode.TemporarilyUnavailable]: () =>
      'El bot no está disponible en este momento. No se ha perdido nada de lo que enviaste; inténtalo de nuevo en un minuto.',
    [ErrorCode.NotModerator]: () => 'Solo los moderadores pueden usar ese comando.',
    [ErrorCode.PictureStorageFull]: () =>
      'Ahora mismo me falta espacio para imágenes nuevas; inténtalo de nuevo más tarde, por favor.',
    [ErrorCode.PictureExpired]: () =>
      'Esa imagen anterior ha caducado en mi almacenamiento y ya no puedo editarla. Envía la foto otra vez, por favor.',
    [ErrorCode.PictureBlocked]: (d) =>
      d.stage === 'outgoing'
        ? 'No puedo mostrar esa edición: la norma de imágenes de aquí no la permite.'
        : 'No puedo aceptar esa imagen: la norma de imágenes de aquí no la permite.',
    [ErrorCode.PictureUnchecked]: () => 'No he podido comprobar esta imagen; inténtalo de nuevo, por favor.',
  },
  de: {
    [ErrorCode.NoImage]: () =>
      'Schick mir zuerst ein Foto und sag mir dann, wie es wirken soll (zum Beispiel „trauriger“).',
    [ErrorCode.NothingToUndo]: () => 'Es gibt nichts rückgängig zu machen.',
    [ErrorCode.NothingToRedo]: () => 'Es gibt nichts wiederherzustellen.',
    [ErrorCode.NothingToRefine]: () =>
      'Es gibt noch keine Bearbeitung, die stärker oder schwächer werden könnte. Nenn mir zuerst eine Stimmung, zum Beispiel „ruhiger“.',
    [ErrorCode.EditNotFound]: () =>
      'Ich finde dieses Bild nicht mehr (vielleicht ist es abgelaufen). Bitte schick das Foto noch einmal.',
    [ErrorCode.ImageCorrupt]: () =>
      'Dieses Bild scheint beschädigt oder unvollständig zu sein, ich kann es nicht lesen. Schick es noch einmal oder versuch ein anderes.',
    [ErrorCode.ImageTooLarge]: (d) =>
      `Diese Datei ist zu groß; die Grenze liegt bei ${d.limit}. Bitte schick ein kleineres Bild.`,
    [ErrorCode.ImageFormatNotAllowed]: () =>
      'Diese Art von Datei kann ich nicht bearbeiten. Bitte schick ein JPEG-, PNG-, WebP-, GIF- oder TIFF-Bild.',
    [ErrorCode.EmotionBlocked]: (d) => `Ein Moderator hat „${d.emotion}“ hier gesperrt. Versuch eine andere Stimmung.`,
    [ErrorCode.RateLimited]: (d) => `Du bist schnell! Bitte versuch es in ${d.seconds} s noch einmal.`,
    [ErrorCode.RenderTimeout]: () =>
      'Diese Bearbeitung hat zu lange gedauert und wurde abgebrochen. Drück auf „Try again“ für einen neuen Versuch.',
    [ErrorCode.TemporarilyUnavailable]: () =>
      'Der Bot ist gerade nicht erreichbar. Nichts von dem, was du geschickt hast, ist verloren; versuch es in einer Minute noch einmal.',
    [ErrorCode.NotModerator]: () => 'Nur Moderatoren können diesen Befehl verwenden.',
    [ErrorCode.PictureStorageFull]: () =>
      'Mir fehlt gerade Platz für neue Bilder; bitte versuch es später noch einmal.',
    [ErrorCode.PictureExpired]: () =>
      'Dieses frühere Bild ist in meinem Speicher abgelaufen, ich kann es nicht mehr bearbeiten. Bitte schick das Foto noch einmal.',
    [ErrorCode.PictureBlocked]: (d) =>
      d.stage === 'outgoing'
        ? 'Diese Bearbeitung kann ich nicht zeigen: Die Bildregel hier erlaubt sie nicht.'
        : 'Dieses Bild kann ich nicht annehmen: Die Bildregel hier erlaubt es nicht.',
    [ErrorCode.PictureUnchecked]: () => 'Ich konnte dieses Bild nicht prüfen; bitte versuch es noch einmal.',
  },
  it: {
    [ErrorCode.NoImage]: () =>
      'Prima mandami una foto, poi dimmi che emozione deve trasmettere (per esempio «più triste»).',
    [ErrorCode.NothingToUndo]: () => "Non c'è niente da annullare.",
    [ErrorCode.NothingToRedo]: () => "Non c'è niente da ripristinare.",
    [ErrorCode.NothingToRefine]: () =>
      "Non c'è ancora nessuna modifica da rafforzare o attenuare. Dimmi prima un'emozione, per esempio «più calma».",
    [ErrorCode.EditNotFound]: () =>
      "Non trovo più quell'immagine (forse è scaduta). Manda di nuovo la foto, per favore.",
    [ErrorCode.ImageCorrupt]: () =>
      "Quell'immagine sembra danneggiata o incompleta e non riesco a leggerla. Mandala di nuovo o provane un'altra.",
    [ErrorCode.ImageTooLarge]: (d) =>
      `Quel file è troppo grande; il limite è ${d.limit}. Manda un'immagine più piccola, per favore.`,
    [ErrorCode.ImageFormatNotAllowed]: () =>
      "Non posso modificare quel tipo di file. Manda un'immagine JPEG, PNG, WebP, GIF o TIFF.",
    [ErrorCode.EmotionBlocked]: (d) => `Un moderatore ha bloccato «${d.emotion}» qui. Prova un'altra emozione.`,
    [ErrorCode.RateLimited]: (d) => `Vai veloce! Riprova tra ${d.seconds} s.`,
    [ErrorCode.RenderTimeout]: () =>
      'Quella modifica ha richiesto troppo tempo ed è stata interrotta. Premi «Try again» per riprovare.',
    [ErrorCode.TemporarilyUnavailable]: () =>
      'Il bot non è disponibile al momento. Niente di ciò che hai mandato è andato perso; riprova tra un minuto.',
    [ErrorCode.NotModerator]: () => 'Solo i moderatori possono usare quel comando.',
    [ErrorCode.PictureStorageFull]: () => 'Al momento non ho spazio per nuove immagini; riprova più tardi, per favore.',
    [ErrorCode.PictureExpired]: () =>
      "Quell'immagine precedente è scaduta dalla mia memoria e non posso più modificarla. Manda di nuovo la foto, per favore.",
    [ErrorCode.PictureBlocked]: (d) =>
      d.stage === 'outgoing'
        ? 'Non posso mostrare quella modifica: la regola sulle immagini di qui non la consente.'
        : "Non posso accettare quell'immagine: la regola sulle immagini di qui non la consente.",
    [ErrorCode.PictureUnchecked]: () => 'Non sono riuscito a controllare questa immagine; riprova, per favore.',
  },
  pt: {
    [ErrorCode.NoImage]: () =>
      'Primeiro envie uma foto e depois diga que emoção ela deve transmitir (por exemplo “mais triste”).',
    [ErrorCode.NothingToUndo]: () => 'Não há nada para desfazer.',
    [ErrorCode.NothingToRedo]: () => 'Não há nada para refazer.',
    [ErrorCode.NothingToRefine]: () =>
      'Ainda não há nenhuma edição para intensificar ou suavizar. Diga primeiro uma emoção, por exemplo “mais calma”.',
    [ErrorCode.EditNotFound]: () =>
      'Não encontro mais essa imagem (talvez tenha expirado). Envie a foto de novo, por favor.',
    [ErrorCode.ImageCorrupt]: () =>
      'Essa imagem parece danificada ou incompleta e não consigo lê-la. Envie de novo ou tente outra.',
    [ErrorCode.ImageTooLarge]: (d) =>
      `Esse arquivo é grande demais; o limite é ${d.limit}. Envie uma imagem menor, por favor.`,
    [ErrorCode.ImageFormatNotAllowed]: () =>
      'Não consigo editar esse tipo de arquivo. Envie uma imagem JPEG, PNG, WebP, GIF ou TIFF.',
    [ErrorCode.EmotionBlocked]: (d) => `Um moderador bloqueou “${d.emotion}” aqui. Tente outra emoção.`,
    [ErrorCode.RateLimited]: (d) => `Você está indo rápido! Tente de novo em ${d.seconds} s.`,
    [ErrorCode.RenderTimeout]: () =>
      'Essa edição demorou demais e foi interrompida. Toque em “Try again” para tentar de novo.',
    [ErrorCode.TemporarilyUnavailable]: () =>
      'O bot está temporariamente indisponível. Nada do que você enviou foi perdido; tente de novo em um minuto.',
    [ErrorCode.NotModerator]: () => 'Só moderadores podem usar esse comando.',
    [ErrorCode.PictureStorageFull]: () =>
      'Estou sem espaço para novas imagens agora; tente de novo mais tarde, por favor.',
    [ErrorCode.PictureExpired]: () =>
      'Essa imagem anterior expirou do meu armazenamento e não consigo mais editá-la. Envie a foto de novo, por favor.',
    [ErrorCode.PictureBlocked]: (d) =>
      d.stage === 'outgoing'
        ? 'Não posso mostrar essa edição: a regra de imagens daqui não a permite.'
        : 'Não posso aceitar essa imagem: a regra de imagens daqui não a permite.',
    [ErrorCode.PictureUnchecked]: () => 'Não consegui verificar esta imagem; tente de novo, por favor.',
  },
};

// ---------------------------------------------------------------------------------------------
// Buttons and progress, the same words on every platform.

/** Button labels. */
export const BUTTON_LABELS: Readonly<Record<ReplyAction, string>> = {
  more: 'More',
  less: 'Less',
  undo: 'Undo',
  redo: 'Redo',
  retry: 'Try again',
};

/** A short human text for a progress event. */
export function describeProgress(progress: Progress): string {
  switch (progress.stage) {
    case 'queued':
      return progress.position <= 1 ? 'Queued: you are next…' : `Queued: ${progress.position} ahead of you…`;
    case 'planning':
      return 'Planning the edit…';
    case 'rendering':
      return `Rendering: step ${progress.step} of ${progress.steps}…`;
    case 'done':
      return 'Done.';
  }
}

// ---------------------------------------------------------------------------------------------
// Answers of the Editor that are no error.

/** A More or Less press on an edit that cannot go further. */
export const REFINE_LIMIT: Readonly<Record<'more' | 'less', string>> = {
  more: 'That is already the strongest version.',
  less: 'That is already the subtlest version.',
};

/** The caption of the original photo when it is shown again. */
export const ORIGINAL_PHOTO_CAPTION = 'The original photo. How should it feel?';

/** A moderator command where the bot runs without moderation. */
export const MODERATION_NOT_SET_UP = 'Moderation is not set up for this bot.';

// ---------------------------------------------------------------------------------------------
// What moderators read (English only, like the moderator commands): each command's usage and
// answer, the policy, the picture rule and the audit log; and where a rule applies, which the
// refusals people read name too.

/** How an element is named to moderators and in refusals. */
export const MODERATION_ELEMENT_WORDS: Readonly<Record<Element, string>> = {
  facial: 'facial expression',
  action: 'action',
  object: 'object',
  scene: 'scene',
  color: 'colour and brightness',
};

/** Each moderator command's usage, shown with `BadCommand`. */
export const MODERATION_USAGE = {
  policy: '/policy',
  block: `/block <emotion or element> … [channel]  (emotions: ${EMOTIONS.join(', ')}; elements: ${ELEMENTS.join(', ')})`,
  unblock: '/unblock <emotion or element> … [channel]',
  maxintensity: '/maxintensity <low|medium|high|max|0.1 to 1> [channel]',
  words: '/words add|remove <word or "a phrase"> … [channel], or /words list',
  ratelimit: '/ratelimit <edits per person per minute> [edits per chat per minute] [channel]  (0 = no limit)',
  ban: '/ban <user id>',
  unban: '/unban <user id>',
  audit: '/audit [how many, 1 to 50]',
  pictures:
    '/pictures block|allow [channel]  (block: refuse pictures the safety classifier reads past a threshold; allow: no check)',
  picturethreshold: `/picturethreshold <${PICTURE_CLASSES.join('|')}> <0.05 to 1, or off> [channel]`,
} as const;

/** Where a rule applies: `level` of the turn's place on `platform`; `inServer` when the turn has a server or group. */
export function placeText(platform: string, level: 'global' | 'server' | 'channel', inServer: boolean): string {
  if (level === 'server')
    return platform === 'telegram' ? 'this group' : platform === 'web' ? 'this chat' : 'this server';
  if (level === 'channel') return inServer && platform !== 'telegram' ? 'this channel' : 'this chat';
  return 'this chat';
}

/** A rule with the place that sets it (`from`: a place, or `the bot` for the operator's rule). */
export interface RuleFrom<T extends string = string> {
  item: T;
  from: string;
}

/** The resolved picture rule, as `/pictures` and `/policy` show it. */
export interface PictureRuleText {
  rule: 'block' | 'allow';
  ruleFrom: string;
  /** The classes that refuse (threshold below 1), with their thresholds. */
  thresholds: Array<RuleFrom<PictureClass> & { value: number }>;
  /** The classifier's model, or undefined where picture checks are off in this process. */
  model?: string;
}

const wordCount = (n: number) => (n === 1 ? '1 word' : `${n} words`);

export const MODERATION_TEXT = {
  channelOutsideServer: `"channel" works only in a channel of a server; ${MODERATION_USAGE.block}`,
  blockedEmotion: (emotion: Emotion, where: string) =>
    `Blocked ${emotion} in ${where}. People who ask for it are told a moderator blocked it.`,
  blockedElement: (element: Element, where: string) =>
    `Blocked ${MODERATION_ELEMENT_WORDS[element]} edits in ${where}.`,
  /** `stillIn`: the place that still blocks it, if any. */
  unblockedEmotion: (emotion: Emotion, where: string, stillIn: string | undefined) =>
    stillIn === undefined
      ? `${emotion} is allowed again in ${where}.`
      : `${emotion} is allowed by ${where}, but still blocked in ${stillIn} by its own setting.`,
  unblockedElement: (element: Element, where: string, stillIn: string | undefined) =>
    stillIn === undefined
      ? `${MODERATION_ELEMENT_WORDS[element]} edits are allowed again in ${where}.`
      : `${where} no longer blocks ${MODERATION_ELEMENT_WORDS[element]} edits, but ${stillIn} still does (an element blocked further out can only be unblocked there).`,
  /** `stricter`: a lower maximum that still applies, and the place that sets it. */
  maxIntensity: (where: string, value: number, stricter?: { max: number; from: string }) =>
    `Edits in ${where} now go up to ${value} (${describeIntensity(value)}).` +
    (stricter ? ` A stricter limit of ${stricter.max} still applies from ${stricter.from}.` : ''),
  /** The rate limits, counted per `windowMs`. */
  rates: (perUserPerMinute: number, perChatPerMinute: number, windowMs: number) => {
    const person = perUserPerMinute ? `${perUserPerMinute} new edits per person` : 'no limit per person';
    const chat = perChatPerMinute ? `${perChatPerMinute} per chat` : 'no limit per chat';
    const window = windowMs === 60_000 ? 'minute' : `${windowMs / 1000} s`;
    return `${person} and ${chat} per ${window}`;
  },
  rateLimits: (where: string, rates: string) => `Rate limits in ${where}: ${rates}.`,
  banned: (person: string, where: string) => `${person} can no longer use the bot in ${where}.`,
  unbanned: (person: string, where: string, stillIn: string | undefined) =>
    stillIn === undefined
      ? `${person} can use the bot in ${where} again.`
      : `${person} is no longer banned by ${where}, but is still banned in ${stillIn}.`,
  auditEmpty: (where: string) => `The audit log of ${where} is empty.`,
  auditHeader: (count: number, where: string) => `Latest ${count} audit entries for ${where}, newest first:`,
  picturesFixedInDirectMessages:
    "In a direct message the bot operator's picture rule applies; moderators cannot change it here.",
  picturesSet: (rule: 'block' | 'allow', where: string) =>
    rule === 'block'
      ? `Pictures in ${where} are checked now; a picture past a threshold is refused and goes to /audit.`
      : `Pictures in ${where} are no longer checked.`,
  picturesStillCheckedOnDiscord: (where: string) =>
    `Saved for ${where}, but pictures here are still checked: on Discord a moderator may allow them only in a channel marked age-restricted.`,
  picturesRuleFromElsewhere: (where: string, from: string, rule: 'block' | 'allow') =>
    `Saved for ${where}, but ${from} still sets the picture rule to ${rule}.`,
  /** `effective`: the threshold that applies instead (1: the class is off), where another place sets it. */
  pictureThreshold: (
    name: PictureClass,
    where: string,
    value: number,
    effective?: { value: number; from: string; onlyAgeRestricted: boolean },
  ) => {
    const said =
      value >= 1
        ? `${name} no longer refuses pictures in ${where}`
        : `Pictures in ${where} reading ${name} at ${value} or more are refused`;
    if (!effective) return `${said}.`;
    return `${said}, but ${effective.value >= 1 ? 'the class is off' : `a threshold of ${effective.value}`} from ${effective.from} applies here${effective.onlyAgeRestricted ? ' (on Discord only an age-restricted channel may relax it)' : ''}.`;
  },
  pictures: (rule: PictureRuleText) => {
    const model = rule.model ?? 'none (picture checks are off in this process)';
    if (rule.rule === 'allow') return `Pictures: allowed, not checked (set by ${rule.ruleFrom}). Classifier: ${model}.`;
    const thresholds = rule.thresholds.map((t) => `${t.item} ${t.value} (${t.from})`).join(', ');
    return `Pictures: checked (set by ${rule.ruleFrom}); refused at ${thresholds || 'no class (every threshold is off)'}. Classifier: ${model}.`;
  },
  wordsList: (where: string, words: readonly string[]) =>
    words.length
      ? `Blocked words of ${where} (${words.length}): ${words.map((w) => `"${w}"`).join(', ')}`
      : `${where} blocks no words of its own.`,
  wordsTooLong: (max: number) => `${MODERATION_USAGE.words} (each at most ${max} characters)`,
  wordsTooMany: (max: number) => `${MODERATION_USAGE.words} (at most ${max} words per scope)`,
  wordsChanged: (adding: boolean, count: number, where: string, total: number) =>
    `${adding ? 'Added' : 'Removed'} ${wordCount(count)} ${adding ? 'to' : 'from'} the list of ${where}; it now holds ${wordCount(total)}.`,
  policy: (policy: {
    where: string;
    emotions: RuleFrom<Emotion>[];
    elements: RuleFrom<Element>[];
    maxIntensity: number;
    maxIntensityFrom?: string;
    ownWords: number;
    defaultWords: number;
    rates: string;
    banned: number;
    pictures: string;
  }) => {
    const list = <T extends string>(items: RuleFrom<T>[], label: (item: T) => string) =>
      items.length ? items.map((rule) => `${label(rule.item)} (${rule.from})`).join(', ') : 'none';
    return [
      `Moderation policy in ${policy.where}:`,
      `• Blocked feelings: ${list(policy.emotions, (e) => e)}`,
      `• Blocked elements: ${list(policy.elements, (e) => MODERATION_ELEMENT_WORDS[e])}`,
      `• Strongest edit: ${policy.maxIntensity} (${describeIntensity(policy.maxIntensity)})${policy.maxIntensityFrom ? `, set by ${policy.maxIntensityFrom}` : ''}`,
      `• Blocked words: ${policy.ownWords ? `${policy.ownWords} added by moderators or the operator` : 'none added'}; built-in list ${policy.defaultWords ? `on (${policy.defaultWords} terms)` : 'off'}`,
      `• Rate limits: ${policy.rates}`,
      `• Banned people: ${policy.banned}`,
      `• ${policy.pictures}`,
      'Change it with /block, /unblock, /maxintensity, /words, /ratelimit, /ban, /unban, /pictures, /picturethreshold; add "channel" to change only this channel. Read refusals with /audit.',
    ].join('\n');
  },
};

/** The details of audit entries (`/audit`, `moodshift audit`): never harmful words or a picture's scores. */
export const AUDIT_DETAIL = {
  rateLimit: (chatLimit: boolean) => (chatLimit ? 'the chat limit' : 'the per-person limit'),
  intensity: (asked: number, max: number) => `asked for ${asked}, the maximum is ${max}`,
  plannerChose: (planner: string, target: Emotion) => `the ${planner} planner chose ${target}`,
  inRequest: 'in the request',
  inEditedCaption: (planner: string) => `in the edited caption (${planner} planner)`,
  /** Where a blocked word was found, its list (the default list's category, or the place whose list it is) and its fingerprint. */
  word: (found: string, list: { category: string } | { place: string }, fingerprint: string) =>
    `${found}; on ${'category' in list ? `the default list (${list.category})` : `${list.place}'s list`}; ${fingerprint}`,
  pictureUnchecked: (stage: string, timedOut: boolean) =>
    `${stage} picture; the classifier ${timedOut ? 'ran out of time' : 'failed'}`,
  pictureRefused: (stage: string, pictureClass: PictureClass, where: string) =>
    `${stage} picture; ${pictureClass} past ${where}'s threshold`,
  appliedTo: (scopeId: string) => `applied to ${scopeId}`,
};

/** One audit entry as a line a moderator reads. */
export function formatAuditEntry(entry: AuditEntry): string {
  const when = new Date(entry.at).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const what = entry.kind === 'refusal' ? `refused (${entry.rule})` : `changed: ${entry.rule}`;
  const request = entry.request ? ` · "${entry.request}"` : '';
  const detail = entry.detail ? ` · ${entry.detail}` : '';
  return `${when} · ${entry.actor.name} (${entry.actor.id}) · ${what}${request}${detail}`;
}
