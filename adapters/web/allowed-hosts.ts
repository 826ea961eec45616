/**
 * @module Which host names the web chat answers to. A page reached under any other name is
 * refused before it is served: that stops DNS rebinding (a site whose name suddenly resolves to
 * 127.0.0.1 would otherwise be same-origin with the chat), and it lets origin checks and
 * moderator rights trust a `Host` that has passed this list.
 */

/** A `Host` value or the authority of an `Origin`, split into its parts (lower case). */
export interface Authority {
  /** `localhost`, `192.168.1.5`, `[::1]`, `chat.example.com`. */
  hostname: string;
  /** Empty when the value names no port. */
  port: string;
}

const AUTHORITY = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::(\d{1,5}))?$/;

/** Addresses that mean "every interface": a listen address, never a name a page is reached by. */
const WILDCARDS = new Set(['0.0.0.0', '[::]', '::']);

export function parseAuthority(value: string | undefined): Authority | undefined {
  const match = AUTHORITY.exec((value ?? '').trim().toLowerCase());
  if (!match) return undefined;
  return { hostname: match[1]!, port: match[2] ?? '' };
}

/** Whether a host name always means this machine: `localhost`, 127.0.0.0/8 or `[::1]`. */
export function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Whether a peer address (from the socket) is this machine. */
export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

export class AllowedHosts {
  readonly #listenHost: Authority | undefined;
  readonly #listed: Authority[];

  /**
   * @param listenHost `WEB_HOST`: allowed under any port unless it is a wildcard (`0.0.0.0`, `::`).
   * @param extra `WEB_ALLOWED_HOSTS` entries, `name` (any port) or `name:port`.
   * @throws Error naming the first entry that is not a host name.
   */
  constructor(listenHost: string, extra: readonly string[]) {
    const host = bracketed(listenHost);
    const parsed = WILDCARDS.has(host.toLowerCase()) ? undefined : parseAuthority(host);
    this.#listenHost = parsed && { hostname: parsed.hostname, port: '' };
    this.#listed = extra.map((entry) => {
      const authority = parseAuthority(bracketed(entry));
      if (!authority) throw new Error(`"${entry}" is not a host name or host:port`);
      return authority;
    });
  }

  /** Whether the chat answers to this `Host`: a loopback name (any port) or a configured one. */
  allows(authority: Authority): boolean {
    return isLoopbackName(authority.hostname) || this.isNamed(authority);
  }

  /** Whether `WEB_HOST` or `WEB_ALLOWED_HOSTS` names it (a loopback name with another port is not enough). */
  isNamed(authority: Authority): boolean {
    return [this.#listenHost, ...this.#listed].some((entry) => entry !== undefined && matches(entry, authority));
  }

  /**
   * Whether `WEB_ALLOWED_HOSTS` names it: an `Origin` other than the request's own `Host` must be
   * listed there (`WEB_HOST` alone would let another program on this machine, at another port, post).
   */
  isListed(authority: Authority): boolean {
    return this.#listed.some((entry) => matches(entry, authority));
  }
}

function matches(entry: Authority, authority: Authority): boolean {
  return entry.hostname === authority.hostname && (entry.port === '' || entry.port === authority.port);
}

/** A bare IPv6 address (`::1`, `fe80::1`) in brackets, as it appears in a `Host`. */
function bracketed(value: string): string {
  return value.split(':').length > 2 && !value.startsWith('[') ? `[${value}]` : value;
}

/** `Host` as it may be shown back in a sentence: a host name's own characters, at most 100 of them. */
export function printableHost(value: string | undefined): string {
  const cleaned = (value ?? '').replace(/[^A-Za-z0-9.:[\]-]/g, '').slice(0, 100);
  return cleaned || '(none)';
}
