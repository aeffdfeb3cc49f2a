/**
 * A local HTTP server that plays a third-party API (Stripe, an OpenAI-compatible model server) gone
 * wrong: it hangs, answers malformed JSON, a huge body, or a redirect to another loopback server (the
 * trap, which records whatever reaches it). Loopback only.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Misbehaviour = 'hang' | 'malformed' | 'huge' | 'redirect';

export const HUGE_BYTES = 50 * 1024 * 1024;

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

export class MisbehavingUpstream {
  mode: Misbehaviour = 'hang';
  /** Requests received, by mode. */
  readonly hits: { mode: Misbehaviour; method: string; path: string }[] = [];
  /** Requests that reached the redirect target. */
  readonly trapped: { method: string; path: string; authorization: string | undefined }[] = [];
  port = 0;
  trapPort = 0;
  private readonly server: http.Server;
  private readonly trap: http.Server;
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => this.answer(req, res));
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.trap = http.createServer((req, res) => {
      req.resume();
      this.trapped.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ trapped: true }));
    });
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port = await listen(this.server);
    this.trapPort = await listen(this.trap);
    return this;
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse) {
    this.hits.push({ mode: this.mode, method: req.method ?? '', path: req.url ?? '' });
    switch (this.mode) {
      case 'hang':
        return; // accepted, never answered
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "oops", "object": [unterminated');
        return;
      case 'huge': {
        // 50 MB of a JSON string, streamed: well-formed, useless, and big.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"huge","object":"');
        const chunk = 'x'.repeat(1024 * 1024);
        let sent = 0;
        const pump = () => {
          while (sent < HUGE_BYTES) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end('"}');
        };
        res.on('error', () => {});
        pump();
        return;
      }
      case 'redirect':
        res.writeHead(307, { location: `http://127.0.0.1:${this.trapPort}${req.url ?? '/'}`, 'content-type': 'application/json' });
        res.end('{}');
        return;
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all([this.server, this.trap].map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
