/**
 * @module The WebSocket half of the fake Discord: a gateway that speaks plain JSON
 * (`encoding=json`, no compression), as discord.js does when `zlib-sync` is absent.
 *
 * HELLO (op 10) on connect; IDENTIFY (op 2) → READY with `session_id` and a
 * `resume_gateway_url` pointing back at this fake, then one GUILD_CREATE per guild of the
 * shard; HEARTBEAT (op 1) → ACK (op 11); RESUME (op 6) → the missed events, then RESUMED.
 * Tests dispatch INTERACTION_CREATE, MESSAGE_CREATE and THREAD_CREATE through it, drop
 * connections and ask for reconnects. Every session keeps its sequence numbers and the events it sent, so a
 * resumed session gets what it missed while disconnected, as on Discord.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

/** Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

/** Gateway intents the fake honours when it decides who receives an event. */
export const Intent = {
  Guilds: 1 << 0,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

interface GatewayPayload {
  op: number;
  d?: unknown;
  s?: number | null;
  t?: string | null;
}

/** One gateway session: survives a dropped socket until it is resumed or invalidated. */
export interface GatewaySession {
  readonly id: string;
  readonly shard: [number, number];
  readonly intents: number;
  /** The last sequence number sent. */
  seq: number;
  /** Every dispatch sent in this session, for replay on RESUME. */
  readonly sent: GatewayPayload[];
  socket?: WebSocket;
  /** How many times this session was resumed. */
  resumes: number;
}

export interface FakeGatewayHooks {
  /** The bot token IDENTIFY and RESUME must carry. */
  token: string;
  /** The READY payload's user and application. */
  readyData(): { user: unknown; application: unknown };
  /** Guild ids known to the fake, to list (unavailable) in READY. */
  guildIds(): string[];
  /** The full GUILD_CREATE payload of a guild. */
  guildCreate(guildId: string): unknown;
  /** `ws://host:port` of the server this gateway is attached to. */
  baseUrl(): string;
}

export interface FakeGatewayOptions {
  /** @defaultValue 41 250 ms, as Discord sends */
  heartbeatIntervalMs?: number;
}

/** Which shard of `count` owns a guild: `(guild_id >> 22) % count`. DMs go to shard 0. */
export function shardOf(guildId: string | undefined, count: number): number {
  if (!guildId) return 0;
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

export class FakeGateway {
  readonly #hooks: FakeGatewayHooks;
  readonly #server = new WebSocketServer({ noServer: true });
  readonly #sessions = new Map<string, GatewaySession>();
  #heartbeatIntervalMs: number;
  /** Whether to answer heartbeats (a test can stop, to make the client see a zombie connection). */
  ackHeartbeats = true;
  /** Intent bits this fake's application may not use: an IDENTIFY asking for any of them is closed with 4014 (disallowed intents). */
  disallowedIntents = 0;
  /** Close every IDENTIFY with 4004 (authentication failed), as for a token reset after the REST check. */
  refuseIdentify = false;
  /** Accept connections but send nothing, not even Hello (a gateway that hangs). */
  silent = false;
  /** Counts tests read: fresh IDENTIFYs, RESUMEs, connections, heartbeats. */
  readonly stats = { identifies: 0, resumes: 0, connections: 0, heartbeats: 0, resumeUrlConnections: 0 };
  /** Called with every payload a client sends (for debugging tests). */
  onClientPayload?: (payload: GatewayPayload, session: GatewaySession | undefined) => void;
  readonly #listeners = new Set<() => void>();

  constructor(hooks: FakeGatewayHooks, options: FakeGatewayOptions = {}) {
    this.#hooks = hooks;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
  }

  set heartbeatIntervalMs(value: number) {
    this.#heartbeatIntervalMs = value;
  }

  /** Sessions in the order they identified. */
  get sessions(): GatewaySession[] {
    return [...this.#sessions.values()];
  }

  /** Called after every state change (connect, READY, RESUMED, drop), for `waitFor` helpers. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Takes over an HTTP upgrade request for the gateway paths. Returns false for other paths. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://fake');
    if (url.pathname !== '/gateway' && url.pathname !== '/resume-gateway') return false;
    if (url.searchParams.get('encoding') && url.searchParams.get('encoding') !== 'json') {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\nThis fake gateway speaks encoding=json only.');
      return true;
    }
    if (url.searchParams.get('compress')) {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\nThis fake gateway does not compress.');
      return true;
    }
    this.#server.handleUpgrade(request, socket, head, (ws) => {
      this.stats.connections += 1;
      if (url.pathname === '/resume-gateway') this.stats.resumeUrlConnections += 1;
      this.#accept(ws);
    });
    return true;
  }

  #accept(ws: WebSocket): void {
    let session: GatewaySession | undefined;
    const send = (payload: GatewayPayload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
    };
    if (this.silent) return;
    send({ op: Op.Hello, d: { heartbeat_interval: this.#heartbeatIntervalMs }, s: null, t: null });
    ws.on('message', (raw) => {
      let payload: GatewayPayload;
      try {
        payload = JSON.parse(String(raw)) as GatewayPayload;
      } catch {
        ws.close(4002, 'Decode error');
        return;
      }
      this.onClientPayload?.(payload, session);
      switch (payload.op) {
        case Op.Heartbeat:
          this.stats.heartbeats += 1;
          if (this.ackHeartbeats) send({ op: Op.HeartbeatAck, s: null, t: null });
          return;
        case Op.Identify: {
          const d = payload.d as { token?: string; intents?: number; shard?: [number, number] };
          if (d.token !== this.#hooks.token || this.refuseIdentify) {
            ws.close(4004, 'Authentication failed');
            return;
          }
          if ((d.intents ?? 0) & this.disallowedIntents) {
            ws.close(4014, 'Disallowed intent(s).');
            return;
          }
          if (session) {
            ws.close(4005, 'Already authenticated');
            return;
          }
          this.stats.identifies += 1;
          const shard: [number, number] = d.shard ?? [0, 1];
          session = {
            id: randomBytes(16).toString('hex'),
            shard,
            intents: d.intents ?? 0,
            seq: 0,
            sent: [],
            socket: ws,
            resumes: 0,
          };
          this.#sessions.set(session.id, session);
          const { user, application } = this.#hooks.readyData();
          const guilds = this.#hooks.guildIds().filter((id) => shardOf(id, shard[1]) === shard[0]);
          this.#dispatchTo(session, 'READY', {
            v: 10,
            user,
            application,
            guilds: guilds.map((id) => ({ id, unavailable: true })),
            session_id: session.id,
            resume_gateway_url: `${this.#hooks.baseUrl()}/resume-gateway`,
            shard,
            private_channels: [],
            relationships: [],
            user_settings: {},
            guild_join_requests: [],
            presences: [],
            geo_ordered_rtc_regions: [],
          });
          if (session.intents & Intent.Guilds) {
            for (const id of guilds) this.#dispatchTo(session, 'GUILD_CREATE', this.#hooks.guildCreate(id));
          }
          this.#changed();
          return;
        }
        case Op.Resume: {
          const d = payload.d as { token?: string; session_id?: string; seq?: number };
          const found = d.session_id ? this.#sessions.get(d.session_id) : undefined;
          if (d.token !== this.#hooks.token || !found) {
            send({ op: Op.InvalidSession, d: false, s: null, t: null });
            return;
          }
          if (found.socket && found.socket !== ws && found.socket.readyState === found.socket.OPEN)
            found.socket.terminate();
          session = found;
          session.socket = ws;
          session.resumes += 1;
          this.stats.resumes += 1;
          for (const missed of session.sent.filter((p) => (p.s ?? 0) > (d.seq ?? 0))) send(missed);
          this.#dispatchTo(session, 'RESUMED', null);
          this.#changed();
          return;
        }
        case Op.PresenceUpdate:
        case Op.RequestGuildMembers:
          return;
        default:
          ws.close(4001, 'Unknown opcode');
      }
    });
    ws.on('close', () => {
      if (session?.socket === ws) session.socket = undefined;
      this.#changed();
    });
  }

  #dispatchTo(session: GatewaySession, t: string, d: unknown): void {
    session.seq += 1;
    const payload: GatewayPayload = { op: Op.Dispatch, t, s: session.seq, d };
    session.sent.push(payload);
    const ws = session.socket;
    if (ws && ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }

  /**
   * Sends a dispatch event to the session that serves a guild (or DMs, shard 0): the first
   * session that identified for that shard, or the session named. A session whose socket is
   * down keeps the event and replays it when resumed. Returns the session used, if any.
   */
  dispatch(
    t: string,
    d: unknown,
    target: { guildId?: string; sessionId?: string; requiredIntents?: number } = {},
  ): GatewaySession | undefined {
    const session = target.sessionId
      ? this.#sessions.get(target.sessionId)
      : this.sessions.find((s) => shardOf(target.guildId, s.shard[1]) === s.shard[0]);
    if (!session) return undefined;
    if (target.requiredIntents && (session.intents & target.requiredIntents) !== target.requiredIntents)
      return undefined;
    this.#dispatchTo(session, t, d);
    return session;
  }

  /**
   * Drops every live connection. With a resumable close code (default 4000, "unknown
   * error") or `terminate` (no close frame at all), clients resume; 4007/4009 make them
   * identify again.
   */
  dropConnections(options: { code?: number; terminate?: boolean } = {}): number {
    let dropped = 0;
    for (const session of this.#sessions.values()) {
      const ws = session.socket;
      if (!ws || ws.readyState !== ws.OPEN) continue;
      dropped += 1;
      if (options.terminate) ws.terminate();
      else ws.close(options.code ?? 4000, 'Dropped by the test');
    }
    return dropped;
  }

  /** Asks every connected client to reconnect (op 7), as Discord does before maintenance. */
  requestReconnect(): void {
    for (const session of this.#sessions.values()) {
      session.socket?.send(JSON.stringify({ op: Op.Reconnect, d: null, s: null, t: null }));
    }
  }

  /** Whether the session has a live socket. */
  isConnected(session: GatewaySession): boolean {
    return session.socket !== undefined && session.socket.readyState === session.socket.OPEN;
  }

  async close(): Promise<void> {
    for (const client of this.#server.clients) client.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
