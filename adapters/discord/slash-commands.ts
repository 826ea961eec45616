/**
 * @module The slash commands moodshift registers on Discord, shared by the registration
 * script and the interaction handler.
 *
 * Two top-level commands, because Discord sets default member permissions per top-level
 * command, never per subcommand:
 * - `/mood` for everyone: `edit` (image, feeling, intensity, emotion, element), `undo`, `redo`,
 *   `reset`, `help`, `emotions`;
 * - `/moodmod` for moderators, every moderation tool: `policy`; `block` and `unblock` (an
 *   `emotion:` or an `element:`); `maxintensity level:`; `words action: text:`;
 *   `ratelimit per_person: per_chat:`; `ban user:` and `unban user:`; `audit count:`. The
 *   changing ones take `channel_only:` to apply to this channel instead of the whole server.
 *   It is registered with `ManageGuild` as default member permission (server admins can grant
 *   it to a moderator role under Server Settings → Integrations) and only usable in servers.
 *
 * Which subcommands there are, their order and their descriptions come from the engine's command
 * table (`src/commands.ts`), so that help lists exactly what is registered; the options are
 * Discord's own, and reach the engine as a typed command (`to-turn.ts`).
 *
 * Whatever Discord shows, the bot checks again at run time (`ManageGuild` or the configured
 * moderator role). The handler also accepts the moderator subcommands under `/mood`, so a
 * server that registered an older single-command layout keeps working.
 */
import {
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type SlashCommandBooleanOption,
  type SlashCommandSubcommandBuilder,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import {
  type CommandName,
  describeCommand,
  DISCORD_MODERATOR_COMMAND,
  DISCORD_PERSON_COMMAND,
  DISCORD_PERSON_SUBCOMMANDS,
  type Element,
  ELEMENTS,
  EMOTION_TABLE,
  EMOTIONS,
  INTENSITY,
  type IntensityLevel,
  MODERATOR_COMMANDS,
  type ModeratorCommandName,
  PICTURE_CLASSES,
} from '../../src/index.ts';

// The names live with the engine's command table, so that the help text lists what is registered here.
export const PERSON_COMMAND = DISCORD_PERSON_COMMAND;
export const MODERATOR_COMMAND = DISCORD_MODERATOR_COMMAND;

export const PERSON_SUBCOMMANDS = DISCORD_PERSON_SUBCOMMANDS;
/** `/moodmod`'s subcommands: the engine's moderator commands, one for one. */
export const MODERATOR_SUBCOMMANDS = MODERATOR_COMMANDS;
export type PersonSubcommand = (typeof PERSON_SUBCOMMANDS)[number];
export type ModeratorSubcommand = ModeratorCommandName;

/** The intensity choices of `/mood edit`, in the order shown. */
export const INTENSITY_CHOICES = ['low', 'medium', 'high'] as const satisfies readonly IntensityLevel[];
export type IntensityChoice = (typeof INTENSITY_CHOICES)[number];

/** The boolean option of the changing moderator subcommands that limits the change to the channel. */
export const CHANNEL_ONLY_OPTION = 'channel_only';

/** The levels of `/moodmod maxintensity`, weakest first (`max` lifts the cap). */
export const MAX_INTENSITY_CHOICES = ['low', 'medium', 'high', 'max'] as const;

/** The actions of `/moodmod words`. */
export const WORDS_ACTIONS = ['add', 'remove', 'list'] as const;

/** Most new edits a moderator may allow per minute (the engine's own limit). */
export const RATE_LIMIT_MAX = 10_000;

/** Most audit entries `/moodmod audit` shows (the engine's default limit). */
export const AUDIT_MAX_ENTRIES = 50;

export function isModeratorSubcommand(name: string): name is ModeratorSubcommand {
  return (MODERATOR_SUBCOMMANDS as readonly string[]).includes(name);
}

/** A subcommand's description, from the engine's command table. */
function describe(command: CommandName): string {
  return describeCommand(command, 'discord');
}

const emotionChoices = EMOTIONS.map((emotion) => ({
  name: `${EMOTION_TABLE[emotion].emoji} ${emotion}`,
  value: emotion,
}));

/** What each element means to a moderator, for the `element:` choices. */
const ELEMENT_LABELS: Record<Element, string> = {
  facial: 'facial expressions',
  action: 'actions (what people do)',
  object: 'objects',
  scene: 'scene and setting',
  color: 'colour and brightness',
};
const elementChoices = ELEMENTS.map((element) => ({ name: ELEMENT_LABELS[element], value: element }));

const channelOnly = (o: SlashCommandBooleanOption) =>
  o.setName(CHANNEL_ONLY_OPTION).setDescription('Only in this channel, not the whole server');

type Subcommand = SlashCommandSubcommandBuilder;

const intensityChoices = INTENSITY_CHOICES.map((level) => ({ name: `${level} (${INTENSITY[level]})`, value: level }));

/**
 * `/mood edit`'s options. Each reaches the engine as it is (`editCommand` in `to-turn.ts`): the
 * feeling is the person's own words, read by the normaliser; the emotion, intensity and element
 * picked are taken without reading any words.
 */
function editOptions(sub: Subcommand): Subcommand {
  return sub
    .addAttachmentOption((o) =>
      o.setName('image').setDescription('The picture to edit (or leave out to edit your last one)'),
    )
    .addStringOption((o) =>
      o.setName('feeling').setDescription('How it should feel, e.g. "sadder", "scarier", "calm"').setMaxLength(200),
    )
    .addStringOption((o) =>
      o
        .setName('intensity')
        .setDescription('How strong the change is')
        .addChoices(...intensityChoices),
    )
    .addStringOption((o) =>
      o
        .setName('emotion')
        .setDescription('Or pick the feeling (then no words are needed)')
        .addChoices(...emotionChoices),
    )
    .addStringOption((o) =>
      o
        .setName('element')
        .setDescription('Change only this kind of thing in the picture')
        .addChoices(...elementChoices),
    );
}

/** The options of each `/moodmod` subcommand (its name and description come from the engine's command table). */
const MODERATOR_OPTIONS: { readonly [N in ModeratorCommandName]: (sub: Subcommand) => Subcommand } = {
  policy: (sub) => sub,
  block: (sub) =>
    sub
      .addStringOption((o) =>
        o
          .setName('emotion')
          .setDescription('The emotion to block')
          .addChoices(...emotionChoices),
      )
      .addStringOption((o) =>
        o
          .setName('element')
          .setDescription('The kind of edit to block')
          .addChoices(...elementChoices),
      )
      .addBooleanOption(channelOnly),
  unblock: (sub) =>
    sub
      .addStringOption((o) =>
        o
          .setName('emotion')
          .setDescription('The emotion to allow')
          .addChoices(...emotionChoices),
      )
      .addStringOption((o) =>
        o
          .setName('element')
          .setDescription('The kind of edit to allow')
          .addChoices(...elementChoices),
      )
      .addBooleanOption(channelOnly),
  maxintensity: (sub) =>
    sub
      .addStringOption((o) =>
        o
          .setName('level')
          .setDescription('The strongest edit allowed')
          .setRequired(true)
          .addChoices(...intensityChoices, { name: 'max (no cap)', value: 'max' }),
      )
      .addBooleanOption(channelOnly),
  words: (sub) =>
    sub
      .addStringOption((o) =>
        o
          .setName('action')
          .setDescription('What to do')
          .setRequired(true)
          .addChoices(...WORDS_ACTIONS.map((action) => ({ name: action, value: action }))),
      )
      .addStringOption((o) =>
        o
          .setName('text')
          .setDescription('Words or phrases, separated by commas (for add and remove)')
          .setMaxLength(1000),
      )
      .addBooleanOption(channelOnly),
  ratelimit: (sub) =>
    sub
      .addIntegerOption((o) =>
        o
          .setName('per_person')
          .setDescription('New edits one person may start a minute')
          .setRequired(true)
          .setMinValue(0)
          .setMaxValue(RATE_LIMIT_MAX),
      )
      .addIntegerOption((o) =>
        o
          .setName('per_chat')
          .setDescription('New edits one channel may start a minute')
          .setMinValue(0)
          .setMaxValue(RATE_LIMIT_MAX),
      )
      .addBooleanOption(channelOnly),
  ban: (sub) =>
    sub
      .addUserOption((o) => o.setName('user').setDescription('The person to ban').setRequired(true))
      .addBooleanOption(channelOnly),
  unban: (sub) =>
    sub
      .addUserOption((o) => o.setName('user').setDescription('The person to allow again').setRequired(true))
      .addBooleanOption(channelOnly),
  audit: (sub) =>
    sub.addIntegerOption((o) =>
      o
        .setName('count')
        .setDescription('How many entries, newest first (default 10)')
        .setMinValue(1)
        .setMaxValue(AUDIT_MAX_ENTRIES),
    ),
  pictures: (sub) =>
    sub
      .addStringOption((o) =>
        o
          .setName('rule')
          .setDescription('block: refuse unsafe pictures; allow: no check (only in age-restricted channels)')
          .addChoices({ name: 'block', value: 'block' }, { name: 'allow', value: 'allow' }),
      )
      .addBooleanOption(channelOnly),
  picturethreshold: (sub) =>
    sub
      .addStringOption((o) =>
        o
          .setName('class')
          .setDescription('The classifier class')
          .setRequired(true)
          .addChoices(...PICTURE_CLASSES.map((name) => ({ name, value: name }))),
      )
      .addStringOption((o) =>
        o
          .setName('score')
          .setDescription('Refuse at this score or more: 0.05 to 1, or "off"')
          .setRequired(true)
          .setMaxLength(8),
      )
      .addBooleanOption(channelOnly),
};

/** The JSON bodies to PUT to `/applications/{id}/commands` (or a guild's commands). */
export function slashCommandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const mood = new SlashCommandBuilder()
    .setName(PERSON_COMMAND)
    .setDescription('Change the feeling of a picture')
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);
  for (const name of PERSON_SUBCOMMANDS) {
    mood.addSubcommand((sub) => {
      sub.setName(name).setDescription(describe(name));
      return name === 'edit' ? editOptions(sub) : sub;
    });
  }

  const moodmod = new SlashCommandBuilder()
    .setName(MODERATOR_COMMAND)
    .setDescription('Moderators: what moodshift may do here (feelings, words, limits, bans, audit log)')
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild);
  for (const name of MODERATOR_SUBCOMMANDS)
    moodmod.addSubcommand((sub) => MODERATOR_OPTIONS[name](sub.setName(name).setDescription(describe(name))));

  return [mood.toJSON(), moodmod.toJSON()];
}
