/**
 * @module The slash commands moodshift registers on Discord, shared by the registration
 * script and the interaction handler.
 *
 * Two top-level commands, because Discord sets default member permissions per top-level
 * command, never per subcommand:
 * - `/mood` for everyone: `edit` (image, feeling, intensity), `undo`, `redo`, `reset`,
 *   `help`, `emotions`;
 * - `/moodmod` for moderators: `policy`, `block emotion:`, `unblock emotion:`, `audit`,
 *   registered with `ManageGuild` as default member permission (server admins can grant it to
 *   a moderator role under Server Settings → Integrations) and only usable in servers.
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
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { COMMAND_DESCRIPTIONS } from '../../src/commands.ts';
import { EMOTIONS, EMOTION_TABLE } from '../../src/emotions.ts';
import { INTENSITY, type IntensityLevel } from '../../src/intent.ts';

export const PERSON_COMMAND = 'mood';
export const MODERATOR_COMMAND = 'moodmod';

export const PERSON_SUBCOMMANDS = ['edit', 'undo', 'redo', 'reset', 'help', 'emotions'] as const;
export const MODERATOR_SUBCOMMANDS = ['policy', 'block', 'unblock', 'audit'] as const;
export type PersonSubcommand = (typeof PERSON_SUBCOMMANDS)[number];
export type ModeratorSubcommand = (typeof MODERATOR_SUBCOMMANDS)[number];

/** The intensity choices of `/mood edit`, in the order shown. */
export const INTENSITY_CHOICES = ['low', 'medium', 'high'] as const satisfies readonly IntensityLevel[];
export type IntensityChoice = (typeof INTENSITY_CHOICES)[number];

/** The boolean option of `block`/`unblock` that limits the change to the channel. */
export const CHANNEL_ONLY_OPTION = 'channel_only';

export function isModeratorSubcommand(name: string): name is ModeratorSubcommand {
  return (MODERATOR_SUBCOMMANDS as readonly string[]).includes(name);
}

export function isPersonSubcommand(name: string): name is PersonSubcommand {
  return (PERSON_SUBCOMMANDS as readonly string[]).includes(name);
}

function describe(command: string): string {
  return COMMAND_DESCRIPTIONS.find((c) => c.command === command)?.description ?? command;
}

const emotionChoices = EMOTIONS.map((emotion) => ({ name: `${EMOTION_TABLE[emotion].emoji} ${emotion}`, value: emotion }));

/** The JSON bodies to PUT to `/applications/{id}/commands` (or a guild's commands). */
export function slashCommandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const mood = new SlashCommandBuilder()
    .setName(PERSON_COMMAND)
    .setDescription('Change the feeling of a picture')
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
    .addSubcommand((sub) =>
      sub
        .setName('edit')
        .setDescription('Give a picture another feeling')
        .addAttachmentOption((o) => o.setName('image').setDescription('The picture to edit (or leave out to edit your last one)'))
        .addStringOption((o) =>
          o.setName('feeling').setDescription('How it should feel, e.g. "sadder", "scarier", "calm"').setMaxLength(200),
        )
        .addStringOption((o) =>
          o
            .setName('intensity')
            .setDescription('How strong the change is')
            .addChoices(
              { name: `low (${INTENSITY.low})`, value: 'low' },
              { name: `medium (${INTENSITY.medium})`, value: 'medium' },
              { name: `high (${INTENSITY.high})`, value: 'high' },
            ),
        ),
    )
    .addSubcommand((sub) => sub.setName('undo').setDescription(describe('undo')))
    .addSubcommand((sub) => sub.setName('redo').setDescription(describe('redo')))
    .addSubcommand((sub) => sub.setName('reset').setDescription(describe('reset')))
    .addSubcommand((sub) => sub.setName('help').setDescription(describe('help')))
    .addSubcommand((sub) => sub.setName('emotions').setDescription(describe('emotions')));

  const moodmod = new SlashCommandBuilder()
    .setName(MODERATOR_COMMAND)
    .setDescription('Moderators: decide which feelings moodshift may give pictures here')
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((sub) => sub.setName('policy').setDescription(describe('policy')))
    .addSubcommand((sub) =>
      sub
        .setName('block')
        .setDescription('Block an emotion in this server')
        .addStringOption((o) => o.setName('emotion').setDescription('The emotion to block').setRequired(true).addChoices(...emotionChoices))
        .addBooleanOption((o) => o.setName(CHANNEL_ONLY_OPTION).setDescription('Only in this channel, not the whole server')),
    )
    .addSubcommand((sub) =>
      sub
        .setName('unblock')
        .setDescription('Allow a blocked emotion again')
        .addStringOption((o) => o.setName('emotion').setDescription('The emotion to allow').setRequired(true).addChoices(...emotionChoices))
        .addBooleanOption((o) => o.setName(CHANNEL_ONLY_OPTION).setDescription('Only in this channel, not the whole server')),
    )
    .addSubcommand((sub) => sub.setName('audit').setDescription(describe('audit')));

  return [mood.toJSON(), moodmod.toJSON()];
}
