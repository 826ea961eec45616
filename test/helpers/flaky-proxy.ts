/**
 * A TCP proxy in front of a real redis-server that cuts its first client connection when that
 * client sends its second INFO, then refuses connections for a while, as a Redis that dies right
 * after a client connected and comes back. ioredis's ready check is a client's first INFO, so
 * the cut lands on the first INFO sent once the client is ready (BullMQ's version check, or the
 * bot's look at the Redis settings).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

export interface FlakyProxy {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  /** Resolves when the cut has happened and the proxy accepts connections again. */
  recovered: Promise<void>;
  close(): Promise<void>;
}

export async function startFlakyProxy(target: { host: string; port: number }, downMs = 1500): Promise<FlakyProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let cutting = false;
  let server: Server;
  let port = 0;
  let signalRecovered!: () => void;
  const recovered = new Promise<void>((resolve) => (signalRecovered = resolve));

  const listen = async (): Promise<void> => {
    server = createServer((client) => {
      const first = ++connections === 1;
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      let infos = 0;
      client.on('data', (chunk: Buffer) => {
        // An INFO command in RESP: an array header, then the bulk string "info".
        if (first) infos += chunk.toString('latin1').match(/\*\d+\r\n\$4\r\ninfo\r\n/gi)?.length ?? 0;
        if (first && infos >= 2) {
          if (!cutting) void cut();
          cutting = true;
          return;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  };

  const cut = async (): Promise<void> => {
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await listen();
    signalRecovered();
  };

  await listen();
  return {
    url: `redis://127.0.0.1:${port}`,
    recovered,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
