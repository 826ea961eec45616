/**
 * @module What the adapter conformance suite (`stories.ts`) needs of a platform: a person sends a
 * photo or text, presses a button, picks an emotion, replies to an earlier picture, a moderator
 * runs a tool, the bot restarts; and what the bot answered, read off the platform's own surface
 * (the fake Discord, the fake Bot API, the web chat's HTTP API or its page in Chromium). A driver never reads the engine
 * or its store: the stories see what a person sees.
 *
 * Every method that acts waits for the bot's answer to that act and returns it. An answer is the
 * bot's first message for the act that is not a progress status ("Planning the edit…").
 */
import type { Emotion } from '../../../src/emotions.ts';

/** A button under a picture, by what it does (the suite never depends on a platform's labels). */
export type Action = 'more' | 'less' | 'undo' | 'redo' | 'retry';

/** The label a person reads on each button (the same on Discord, Telegram and the web page). */
export const ACTION_LABELS: Record<Action, string> = {
  more: 'More',
  less: 'Less',
  undo: 'Undo',
  redo: 'Redo',
  retry: 'Try again',
};

/** A person on the platform, made by the driver; opaque to the stories. */
export interface Person {
  readonly name: string;
}

/** The bot's answer to one act. */
export interface Answer {
  /** The text (a caption, a question, a refusal…). */
  text: string;
  /** The picture that came with it, if any. */
  image?: Buffer;
  /** The buttons offered under it. */
  actions: Action[];
  /** The emotions offered to pick from (a menu or buttons). */
  emotions: Emotion[];
  /** Whether progress ("Planning…", "Rendering: step…") was shown to the person before this answer. */
  progressSeen: boolean;
  /** Whether only the person who acted can see the answer (a Discord ephemeral reply). */
  private: boolean;
}

/** A moderator tool, as the engine's command table names it; each driver writes it the platform's way. */
export type ModeratorCommand =
  { name: 'block' | 'unblock'; emotion: Emotion } | { name: 'ban' | 'unban'; person: Person } | { name: 'policy' };

export interface DriverCapabilities {
  /**
   * Who may use the moderator tools where the stories run: `some` (a role or a permission makes
   * a moderator, as on Discord servers and Telegram groups), `everyone` (the web chat on the
   * operator's own machine: whoever reaches the page runs it), `nobody` (private chats).
   */
  moderators: 'some' | 'everyone' | 'nobody';
  /** Whether the answers to moderator tools are private to the moderator (Discord ephemeral replies). */
  privateModeratorAnswers: boolean;
  /** Whether a moderator can name a person to ban (Discord and Telegram people have ids; web visitors are anonymous sessions). */
  bans: boolean;
  /** Whether people share the place and can press each other's buttons (a server channel, a group; not a private chat or the web page). */
  sharedPlace: boolean;
}

export interface AdapterDriver {
  readonly name: string;
  readonly capabilities: DriverCapabilities;
  /** A new person without moderator rights (each story takes its own, so stories never share a conversation). */
  member(name: string): Person;
  /** A new person with moderator rights where the platform has them (`capabilities.moderators`). */
  moderator(name: string): Person;
  /** Sends a photo, with `text` as its caption or feeling, or alone when `text` is undefined. */
  sendPhoto(as: Person, photo: Buffer, text?: string): Promise<Answer>;
  /** Sends a file the way a person attaches any file (not necessarily a picture). */
  sendFile(as: Person, file: { bytes: Buffer; name: string; type: string }, text: string): Promise<Answer>;
  /** Sends text addressed to the bot (a mention in a group, a `/mood edit feeling:` on Discord). */
  sendText(as: Person, text: string): Promise<Answer>;
  /** Presses a button under an earlier answer. */
  press(as: Person, on: Answer, action: Action): Promise<Answer>;
  /** Picks an emotion offered under an earlier answer. */
  choose(as: Person, on: Answer, emotion: Emotion): Promise<Answer>;
  /** Replies with `text` to an earlier answer (a picture), so that it acts on that edit. */
  replyTo(as: Person, on: Answer, text: string): Promise<Answer>;
  /** Asks for help. */
  help(as: Person): Promise<Answer>;
  /** Runs a moderator tool. */
  moderate(as: Person, command: ModeratorCommand): Promise<Answer>;
  /**
   * Stops the bot (adapter and engine) and starts a new one against the same platform and the
   * same Redis, as a deploy does. Only for drivers made with a Redis URL.
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** How a conformance test file makes its driver. */
export type DriverFactory = (options: { redisUrl?: string }) => Promise<AdapterDriver>;

/** Progress texts (`describeProgress` in src/turn.ts): never an answer. */
export const PROGRESS_TEXT = /^(Planning|Rendering|Queued)/;

/** The emotions named in labels such as "😱 fear" or "amusement". */
export function emotionsIn(labels: readonly string[], all: readonly Emotion[]): Emotion[] {
  return labels.flatMap((label) => all.filter((emotion) => new RegExp(`\\b${emotion}\\b`, 'i').test(label)));
}

/** The actions whose labels appear among `labels`. */
export function actionsIn(labels: readonly string[]): Action[] {
  return (Object.keys(ACTION_LABELS) as Action[]).filter((action) => labels.includes(ACTION_LABELS[action]));
}

/**
 * A moderator tool as typed in a chat: `/block fear`, `/ban 1234`, `/policy`. `idOf` gives the
 * platform's id of a person; without it a ban cannot be written (web visitors are anonymous).
 */
export function moderatorCommandText(command: ModeratorCommand, idOf?: (person: Person) => string | number): string {
  switch (command.name) {
    case 'policy':
      return '/policy';
    case 'block':
    case 'unblock':
      return `/${command.name} ${command.emotion}`;
    case 'ban':
    case 'unban':
      if (!idOf) throw new Error('nobody can be named to ban here');
      return `/${command.name} ${idOf(command.person)}`;
  }
}
