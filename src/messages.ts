/**
 * @module The words moodshift says to people, kept apart from the logic.
 * Every `UserError` code has one message here; adapters never write their own.
 */
import { platformCommands } from './commands.ts';
import { EMOTIONS, EMOTION_TABLE, type Emotion } from './emotions.ts';
import { ErrorCode, UserError } from './errors.ts';

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
  [ErrorCode.ImageBusy]: () => `I'm still reading your last picture. One picture at a time, please: send this one again in a moment.`,
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
  [ErrorCode.EmotionBlocked]: (d) => `A moderator has blocked ${d.emotion} in ${d.where ?? 'this chat'}. Try another feeling.`,
  [ErrorCode.ElementBlocked]: (d) => `A moderator has blocked ${d.element} edits in ${d.where ?? 'this chat'}.`,
  [ErrorCode.IntensityCapped]: (d) => `That is as strong as edits go in ${d.where ?? 'this chat'} (a moderator set the limit).`,
  [ErrorCode.WordBlocked]: (d) =>
    `I can't make that edit: a word in it is not allowed in ${d.where ?? 'this chat'}.`,
  [ErrorCode.RateLimited]: (d) => `You're going fast! Please try again in ${d.seconds} s.`,
  [ErrorCode.Banned]: (d) => `A moderator has stopped you from using the bot in ${d.where ?? 'this chat'}.`,
  [ErrorCode.NotModerator]: () => `Only moderators can use that command.`,
  [ErrorCode.UnknownEmotion]: (d) =>
    `"${d.word}" is not one of the emotions I know. Try one of: ${EMOTIONS.join(', ')}.`,
  [ErrorCode.BadCommand]: (d) => `${d.usage ? `Usage: ${d.usage}` : `I don't know that command.`} Type /help for the list.`,
  [ErrorCode.TooManyJobs]: (d) => `You already have ${Number(d.limit) === 1 ? 'an edit' : `${d.limit} edits`} running. Please wait for ${Number(d.limit) === 1 ? 'it' : 'one'} to finish.`,
  [ErrorCode.RenderTimeout]: () => `That edit took too long and was stopped. Press "Try again" to have another go.`,
  [ErrorCode.TemporarilyUnavailable]: () =>
    `The bot is temporarily unavailable. Nothing you sent is lost; please try again in a minute.`,
  [ErrorCode.PictureStorageFull]: () => `I'm short of space for new pictures right now; please try again later.`,
  [ErrorCode.PictureExpired]: () =>
    `That earlier picture has expired from my storage, so I can't edit it any more. Please send the photo again.`,
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
    askForFeeling: 'J\'ai bien reçu ta photo ! Quelle émotion veux-tu ? Par exemple « plus triste », « plus effrayante » ou « plus calme ».',
    askBack: 'Je n\'ai pas compris l\'émotion que tu veux. Essaie par exemple « rends-la plus triste » ou « plus calme ». Je connais :',
    help: [
      'Envoie-moi une photo et dis-moi quelle émotion elle doit transmettre : « plus triste », « plus effrayante », « un peu plus calme ».',
      'Ensuite, affine : « plus », « moins », « annuler », « rétablir », « réessayer », « recommencer », ou une autre émotion.',
    ],
    continueByReply: 'Réponds à l\'une de mes images (ou utilise ses boutons) pour agir sur celle-ci ; une nouvelle émotion part toujours de ta photo d\'origine.',
    continueByClick: 'Clique sur l\'une de mes images pour que ton prochain message agisse sur celle-ci (ses boutons aussi) ; une nouvelle émotion part toujours de ta photo d\'origine.',
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
    apology: 'Désolé, quelque chose s\'est mal passé de mon côté. Réessaie, s\'il te plaît.',
  },
  es: {
    askForFeeling: '¡Recibí tu foto! ¿Qué emoción quieres? Por ejemplo «más triste», «más aterradora» o «más tranquila».',
    askBack: 'No entendí qué emoción quieres. Prueba por ejemplo «hazla más triste» o «más tranquila». Conozco:',
    help: [
      'Envíame una foto y dime qué emoción debe transmitir: «más triste», «más aterradora», «un poco más tranquila».',
      'Después ajústala: «más», «menos», «deshacer», «rehacer», «otra vez», «empezar de nuevo», u otra emoción.',
    ],
    continueByReply: 'Responde a cualquiera de mis imágenes (o usa sus botones) para actuar sobre esa; una emoción nueva siempre se hace desde tu foto original.',
    continueByClick: 'Haz clic en cualquiera de mis imágenes para que tu próximo mensaje actúe sobre esa (sus botones también); una emoción nueva siempre se hace desde tu foto original.',
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
    askForFeeling: 'Dein Bild ist angekommen! Welche Stimmung soll es haben? Zum Beispiel „trauriger“, „gruseliger“ oder „ruhiger“.',
    askBack: 'Ich habe nicht verstanden, welche Stimmung du möchtest. Versuch es zum Beispiel mit „mach es trauriger“ oder „ruhiger“. Ich kenne:',
    help: [
      'Schick mir ein Foto und sag mir, wie es wirken soll: „trauriger“, „gruseliger“, „etwas ruhiger“.',
      'Dann verfeinern: „mehr“, „weniger“, „rückgängig“, „wiederherstellen“, „nochmal“, „von vorn“ oder eine andere Stimmung.',
    ],
    continueByReply: 'Antworte auf eines meiner Bilder (oder nutze seine Knöpfe), um an diesem weiterzuarbeiten; eine neue Stimmung entsteht immer aus deinem Originalfoto.',
    continueByClick: 'Klick auf eines meiner Bilder, damit deine nächste Nachricht an diesem weiterarbeitet (seine Knöpfe ebenso); eine neue Stimmung entsteht immer aus deinem Originalfoto.',
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
    askForFeeling: 'Ho ricevuto la tua foto! Che emozione vuoi? Per esempio «più triste», «più spaventosa» o «più calma».',
    askBack: 'Non ho capito che emozione vuoi. Prova per esempio «rendila più triste» o «più calma». Conosco:',
    help: [
      'Mandami una foto e dimmi che emozione deve trasmettere: «più triste», «più spaventosa», «un po\' più calma».',
      'Poi perfezionala: «di più», «di meno», «annulla», «ripristina», «riprova», «ricomincia», o un\'altra emozione.',
    ],
    continueByReply: 'Rispondi a una delle mie immagini (o usa i suoi pulsanti) per agire su quella; una nuova emozione parte sempre dalla tua foto originale.',
    continueByClick: 'Fai clic su una delle mie immagini perché il tuo prossimo messaggio agisca su quella (anche i suoi pulsanti); una nuova emozione parte sempre dalla tua foto originale.',
    commandsLabel: 'Comandi:',
    moderatorsLabel: 'Moderazione:',
    emotionListHeader: 'Posso dare a un\'immagine queste emozioni:',
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
    askForFeeling: 'Recebi a sua foto! Que emoção você quer? Por exemplo “mais triste”, “mais assustadora” ou “mais calma”.',
    askBack: 'Não entendi que emoção você quer. Tente por exemplo “deixa mais triste” ou “mais calma”. Eu conheço:',
    help: [
      'Envie uma foto e diga que emoção ela deve transmitir: “mais triste”, “mais assustadora”, “um pouco mais calma”.',
      'Depois ajuste: “mais”, “menos”, “desfazer”, “refazer”, “de novo”, “recomeçar”, ou outra emoção.',
    ],
    continueByReply: 'Responda a qualquer uma das minhas imagens (ou use os botões dela) para agir sobre ela; uma emoção nova é sempre feita a partir da sua foto original.',
    continueByClick: 'Clique em qualquer uma das minhas imagens para que a sua próxima mensagem atue sobre ela (os botões dela também); uma emoção nova é sempre feita a partir da sua foto original.',
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
    [ErrorCode.NoImage]: () => 'Envoie-moi d\'abord une photo, puis dis-moi quelle émotion elle doit transmettre (par exemple « plus triste »).',
    [ErrorCode.NothingToUndo]: () => 'Il n\'y a rien à annuler.',
    [ErrorCode.NothingToRedo]: () => 'Il n\'y a rien à rétablir.',
    [ErrorCode.NothingToRefine]: () => 'Il n\'y a pas encore de retouche à renforcer ou atténuer. Dis-moi d\'abord une émotion, par exemple « plus calme ».',
    [ErrorCode.EditNotFound]: () => 'Je ne retrouve plus cette image (elle a peut-être expiré). Renvoie la photo, s\'il te plaît.',
    [ErrorCode.ImageCorrupt]: () => 'Cette image semble abîmée ou incomplète, je ne peux pas la lire. Renvoie-la ou essaie-en une autre.',
    [ErrorCode.ImageTooLarge]: (d) => `Ce fichier est trop lourd ; la limite est ${d.limit}. Envoie une image plus petite, s'il te plaît.`,
    [ErrorCode.ImageFormatNotAllowed]: () => 'Je ne peux pas retoucher ce type de fichier. Envoie une image JPEG, PNG, WebP, GIF ou TIFF.',
    [ErrorCode.EmotionBlocked]: (d) => `Un modérateur a bloqué « ${d.emotion} » ici. Essaie une autre émotion.`,
    [ErrorCode.RateLimited]: (d) => `Tu vas vite ! Réessaie dans ${d.seconds} s.`,
    [ErrorCode.RenderTimeout]: () => 'Cette retouche a pris trop de temps et a été arrêtée. Appuie sur « Try again » pour réessayer.',
    [ErrorCode.TemporarilyUnavailable]: () => 'Le bot est momentanément indisponible. Rien de ce que tu as envoyé n\'est perdu ; réessaie dans une minute.',
    [ErrorCode.NotModerator]: () => 'Seuls les modérateurs peuvent utiliser cette commande.',
    [ErrorCode.PictureStorageFull]: () => "Je manque de place pour de nouvelles images en ce moment ; réessaie plus tard, s'il te plaît.",
    [ErrorCode.PictureExpired]: () => "Cette image précédente a expiré de mon stockage, je ne peux plus la retoucher. Renvoie la photo, s'il te plaît.",
  },
  es: {
    [ErrorCode.NoImage]: () => 'Primero envíame una foto y luego dime qué emoción debe transmitir (por ejemplo «más triste»).',
    [ErrorCode.NothingToUndo]: () => 'No hay nada que deshacer.',
    [ErrorCode.NothingToRedo]: () => 'No hay nada que rehacer.',
    [ErrorCode.NothingToRefine]: () => 'Todavía no hay ninguna edición que intensificar o suavizar. Primero dime una emoción, por ejemplo «más tranquila».',
    [ErrorCode.EditNotFound]: () => 'Ya no encuentro esa imagen (puede que haya caducado). Envía la foto otra vez, por favor.',
    [ErrorCode.ImageCorrupt]: () => 'Esa imagen parece dañada o incompleta y no puedo leerla. Envíala otra vez o prueba con otra.',
    [ErrorCode.ImageTooLarge]: (d) => `Ese archivo es demasiado grande; el límite es ${d.limit}. Envía una imagen más pequeña, por favor.`,
    [ErrorCode.ImageFormatNotAllowed]: () => 'No puedo editar ese tipo de archivo. Envía una imagen JPEG, PNG, WebP, GIF o TIFF.',
    [ErrorCode.EmotionBlocked]: (d) => `Un moderador ha bloqueado «${d.emotion}» aquí. Prueba con otra emoción.`,
    [ErrorCode.RateLimited]: (d) => `¡Vas muy rápido! Inténtalo de nuevo en ${d.seconds} s.`,
    [ErrorCode.RenderTimeout]: () => 'Esa edición tardó demasiado y se detuvo. Pulsa «Try again» para intentarlo otra vez.',
    [ErrorCode.TemporarilyUnavailable]: () => 'El bot no está disponible en este momento. No se ha perdido nada de lo que enviaste; inténtalo de nuevo en un minuto.',
    [ErrorCode.NotModerator]: () => 'Solo los moderadores pueden usar ese comando.',
    [ErrorCode.PictureStorageFull]: () => "Ahora mismo me falta espacio para imágenes nuevas; inténtalo de nuevo más tarde, por favor.",
    [ErrorCode.PictureExpired]: () => "Esa imagen anterior ha caducado en mi almacenamiento y ya no puedo editarla. Envía la foto otra vez, por favor.",
  },
  de: {
    [ErrorCode.NoImage]: () => 'Schick mir zuerst ein Foto und sag mir dann, wie es wirken soll (zum Beispiel „trauriger“).',
    [ErrorCode.NothingToUndo]: () => 'Es gibt nichts rückgängig zu machen.',
    [ErrorCode.NothingToRedo]: () => 'Es gibt nichts wiederherzustellen.',
    [ErrorCode.NothingToRefine]: () => 'Es gibt noch keine Bearbeitung, die stärker oder schwächer werden könnte. Nenn mir zuerst eine Stimmung, zum Beispiel „ruhiger“.',
    [ErrorCode.EditNotFound]: () => 'Ich finde dieses Bild nicht mehr (vielleicht ist es abgelaufen). Bitte schick das Foto noch einmal.',
    [ErrorCode.ImageCorrupt]: () => 'Dieses Bild scheint beschädigt oder unvollständig zu sein, ich kann es nicht lesen. Schick es noch einmal oder versuch ein anderes.',
    [ErrorCode.ImageTooLarge]: (d) => `Diese Datei ist zu groß; die Grenze liegt bei ${d.limit}. Bitte schick ein kleineres Bild.`,
    [ErrorCode.ImageFormatNotAllowed]: () => 'Diese Art von Datei kann ich nicht bearbeiten. Bitte schick ein JPEG-, PNG-, WebP-, GIF- oder TIFF-Bild.',
    [ErrorCode.EmotionBlocked]: (d) => `Ein Moderator hat „${d.emotion}“ hier gesperrt. Versuch eine andere Stimmung.`,
    [ErrorCode.RateLimited]: (d) => `Du bist schnell! Bitte versuch es in ${d.seconds} s noch einmal.`,
    [ErrorCode.RenderTimeout]: () => 'Diese Bearbeitung hat zu lange gedauert und wurde abgebrochen. Drück auf „Try again“ für einen neuen Versuch.',
    [ErrorCode.TemporarilyUnavailable]: () => 'Der Bot ist gerade nicht erreichbar. Nichts von dem, was du geschickt hast, ist verloren; versuch es in einer Minute noch einmal.',
    [ErrorCode.NotModerator]: () => 'Nur Moderatoren können diesen Befehl verwenden.',
    [ErrorCode.PictureStorageFull]: () => "Mir fehlt gerade Platz für neue Bilder; bitte versuch es später noch einmal.",
    [ErrorCode.PictureExpired]: () => "Dieses frühere Bild ist in meinem Speicher abgelaufen, ich kann es nicht mehr bearbeiten. Bitte schick das Foto noch einmal.",
  },
  it: {
    [ErrorCode.NoImage]: () => 'Prima mandami una foto, poi dimmi che emozione deve trasmettere (per esempio «più triste»).',
    [ErrorCode.NothingToUndo]: () => 'Non c\'è niente da annullare.',
    [ErrorCode.NothingToRedo]: () => 'Non c\'è niente da ripristinare.',
    [ErrorCode.NothingToRefine]: () => 'Non c\'è ancora nessuna modifica da rafforzare o attenuare. Dimmi prima un\'emozione, per esempio «più calma».',
    [ErrorCode.EditNotFound]: () => 'Non trovo più quell\'immagine (forse è scaduta). Manda di nuovo la foto, per favore.',
    [ErrorCode.ImageCorrupt]: () => 'Quell\'immagine sembra danneggiata o incompleta e non riesco a leggerla. Mandala di nuovo o provane un\'altra.',
    [ErrorCode.ImageTooLarge]: (d) => `Quel file è troppo grande; il limite è ${d.limit}. Manda un'immagine più piccola, per favore.`,
    [ErrorCode.ImageFormatNotAllowed]: () => 'Non posso modificare quel tipo di file. Manda un\'immagine JPEG, PNG, WebP, GIF o TIFF.',
    [ErrorCode.EmotionBlocked]: (d) => `Un moderatore ha bloccato «${d.emotion}» qui. Prova un'altra emozione.`,
    [ErrorCode.RateLimited]: (d) => `Vai veloce! Riprova tra ${d.seconds} s.`,
    [ErrorCode.RenderTimeout]: () => 'Quella modifica ha richiesto troppo tempo ed è stata interrotta. Premi «Try again» per riprovare.',
    [ErrorCode.TemporarilyUnavailable]: () => 'Il bot non è disponibile al momento. Niente di ciò che hai mandato è andato perso; riprova tra un minuto.',
    [ErrorCode.NotModerator]: () => 'Solo i moderatori possono usare quel comando.',
    [ErrorCode.PictureStorageFull]: () => "Al momento non ho spazio per nuove immagini; riprova più tardi, per favore.",
    [ErrorCode.PictureExpired]: () => "Quell'immagine precedente è scaduta dalla mia memoria e non posso più modificarla. Manda di nuovo la foto, per favore.",
  },
  pt: {
    [ErrorCode.NoImage]: () => 'Primeiro envie uma foto e depois diga que emoção ela deve transmitir (por exemplo “mais triste”).',
    [ErrorCode.NothingToUndo]: () => 'Não há nada para desfazer.',
    [ErrorCode.NothingToRedo]: () => 'Não há nada para refazer.',
    [ErrorCode.NothingToRefine]: () => 'Ainda não há nenhuma edição para intensificar ou suavizar. Diga primeiro uma emoção, por exemplo “mais calma”.',
    [ErrorCode.EditNotFound]: () => 'Não encontro mais essa imagem (talvez tenha expirado). Envie a foto de novo, por favor.',
    [ErrorCode.ImageCorrupt]: () => 'Essa imagem parece danificada ou incompleta e não consigo lê-la. Envie de novo ou tente outra.',
    [ErrorCode.ImageTooLarge]: (d) => `Esse arquivo é grande demais; o limite é ${d.limit}. Envie uma imagem menor, por favor.`,
    [ErrorCode.ImageFormatNotAllowed]: () => 'Não consigo editar esse tipo de arquivo. Envie uma imagem JPEG, PNG, WebP, GIF ou TIFF.',
    [ErrorCode.EmotionBlocked]: (d) => `Um moderador bloqueou “${d.emotion}” aqui. Tente outra emoção.`,
    [ErrorCode.RateLimited]: (d) => `Você está indo rápido! Tente de novo em ${d.seconds} s.`,
    [ErrorCode.RenderTimeout]: () => 'Essa edição demorou demais e foi interrompida. Toque em “Try again” para tentar de novo.',
    [ErrorCode.TemporarilyUnavailable]: () => 'O bot está temporariamente indisponível. Nada do que você enviou foi perdido; tente de novo em um minuto.',
    [ErrorCode.NotModerator]: () => 'Só moderadores podem usar esse comando.',
    [ErrorCode.PictureStorageFull]: () => "Estou sem espaço para novas imagens agora; tente de novo mais tarde, por favor.",
    [ErrorCode.PictureExpired]: () => "Essa imagem anterior expirou do meu armazenamento e não consigo mais editá-la. Envie a foto de novo, por favor.",
  },
};
