/**
 * @module Engine `Reply` values to Discord message payloads: the caption as content, the
 * edited picture as an attachment (fitted to the upload limit), a row of buttons
 * (More, Less, Undo, Redo, Try again) and a select menu of the other emotions. Custom ids
 * come from `src/buttons.ts`, so a press names the edit of the message that carries it.
 */
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  StringSelectMenuBuilder,
  type MessageActionRowComponentBuilder,
} from 'discord.js';
import { BUTTON_LABELS, EMOTION_TABLE, encodeButton, type Reply, type ReplyAction } from '../../src/index.ts';
import { fitAttachment } from './fit-attachment.ts';

/** Discord's limit on message content. */
export const MAX_CONTENT = 2000;

/** What a message is made of, in the shape discord.js `send`, `reply` and `editReply` accept. */
export interface DiscordMessageData {
  content: string;
  files: Array<{ attachment: Buffer; name: string }>;
  components: Array<ActionRowBuilder<MessageActionRowComponentBuilder>>;
  /** Empty: an edit replaces whatever attachments the message had. */
  attachments: [];
  allowedMentions: { parse: []; users?: string[]; repliedUser: boolean };
}

const ACTION_STYLES: Record<ReplyAction, ButtonStyle> = {
  more: ButtonStyle.Primary,
  less: ButtonStyle.Secondary,
  undo: ButtonStyle.Secondary,
  redo: ButtonStyle.Secondary,
  retry: ButtonStyle.Secondary,
};

/** The custom id of the emotion menu under a picture; its option values are button payloads. */
export function emotionMenuId(editId: string): string {
  return `ms:menu:${editId}`;
}

export function truncate(text: string, max = MAX_CONTENT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A text-only payload (progress, apologies, notices). */
export function textMessage(content: string): DiscordMessageData {
  return {
    content: truncate(content),
    files: [],
    components: [],
    attachments: [],
    allowedMentions: { parse: [], repliedUser: false },
  };
}

/** The buttons and menu for a reply that shows an edit (none without an edit id). */
export function replyComponents(reply: Reply): Array<ActionRowBuilder<MessageActionRowComponentBuilder>> {
  const editId = reply.editId;
  if (!editId) return [];
  const rows: Array<ActionRowBuilder<MessageActionRowComponentBuilder>> = [];
  const actions = reply.actions.slice(0, 5);
  if (actions.length > 0) {
    rows.push(
      new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
        actions.map((action) =>
          new ButtonBuilder()
            .setCustomId(encodeButton({ kind: action }, editId))
            .setLabel(BUTTON_LABELS[action])
            .setStyle(ACTION_STYLES[action]),
        ),
      ),
    );
  }
  const emotions = reply.emotions.slice(0, 25);
  if (emotions.length > 0) {
    rows.push(
      new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
        new StringSelectMenuBuilder()
          .setCustomId(emotionMenuId(editId))
          .setPlaceholder(reply.kind === 'ask' ? 'Pick a feeling…' : 'Try another feeling…')
          .addOptions(
            emotions.map((emotion) => ({
              label: emotion,
              value: encodeButton({ kind: 'emotion', emotion }, editId),
              description: EMOTION_TABLE[emotion].meaning,
              emoji: EMOTION_TABLE[emotion].emoji,
            })),
          ),
      ),
    );
  }
  return rows;
}

/**
 * The payload for one reply. The picture is re-encoded when it is over `uploadLimitBytes`;
 * when it cannot be made to fit, the caption says why and no file is sent.
 */
export async function replyMessage(reply: Reply, uploadLimitBytes: number): Promise<DiscordMessageData> {
  const message = textMessage(reply.text);
  message.components = replyComponents(reply);
  if (reply.image) {
    const fitted = await fitAttachment(reply.image, uploadLimitBytes);
    if (fitted.ok) {
      message.files = [{ attachment: fitted.image.bytes, name: fitted.image.name }];
      if (fitted.reencoded)
        message.content = truncate(
          `${reply.text}\n-# Re-encoded as a smaller JPEG to fit this channel's upload limit.`,
        );
    } else {
      message.content = truncate(`${reply.text}\n${fitted.reason}`);
    }
  }
  return message;
}
