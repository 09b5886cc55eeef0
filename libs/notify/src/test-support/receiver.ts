/** A real HTTP webhook receiver on 127.0.0.1:0 that records requests and answers as scripted. */
import http from 'node:http';

export interface Received {
  body: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

/** Returns the status to answer with, or 'hang' to never answer. */
export type Script = (
  n: number,
  body: string,
) => number | 'hang' | { status: number; headers: Record<string, string> };

export interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export async function startReceiver(script: Script = () => 204): Promise<Receiver> {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ body, headers: req.headers, at: Date.now() });
      const r = script(received.length, body);
      if (r === 'hang') {
        hanging.push(res);
        return;
      }
      const { status, headers } = typeof r === 'number' ? { status: r, headers: {} } : r;
      res.writeHead(status, headers).end();
    });
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hanging) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
