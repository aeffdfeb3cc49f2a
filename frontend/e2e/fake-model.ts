/**
 * A local OpenAI-compatible model server for the browser tests (adapted from
 * backend/test/ai/fake-openai.ts): POST /v1/chat/completions, plain JSON or streamed, answering a
 * valid task breakdown when structured output is asked for and a plain summary otherwise. The app
 * under test reaches it through AI_COMPATIBLE_BASE_URL, set by global-setup.ts to the port the test
 * listens on. It records what was asked, so a test can prove the real provider code called it.
 */
import http from 'node:http';
import type { Socket } from 'node:net';

export const FAKE_BREAKDOWN = {
  subtasks: [
    { title: 'List the venue requirements', description: 'Capacity, budget, dates and location.', priority: 'high', estimate: '2h' },
    { title: 'Shortlist three venues', description: 'Compare price and availability.', priority: 'medium', estimate: '1d' },
    {
      title: 'Sign the contract <b>now</b>',
      description: 'Markup in model output stays text: <i>not HTML</i>.',
      priority: 'low',
      estimate: '1h',
    },
  ],
};

export const FAKE_SUMMARY = 'Progress: the launch is on track. Blockers: none reported. Overdue: nothing is past its due date.';

export interface FakeModelCall {
  model: string;
  stream: boolean;
  structured: boolean;
}

export class FakeModel {
  readonly calls: FakeModelCall[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  async listen(port: number): Promise<this> {
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    const body = JSON.parse(raw) as {
      model: string;
      messages: { content: unknown }[];
      stream?: boolean;
      response_format?: unknown;
      stream_options?: { include_usage?: boolean };
    };
    const structured = !!body.response_format;
    this.calls.push({ model: body.model, stream: body.stream === true, structured });
    const content = structured ? JSON.stringify(FAKE_BREAKDOWN) : FAKE_SUMMARY;
    const promptChars = body.messages.reduce((n, m) => n + String(m.content).length, 0);
    const usage = { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: Math.ceil(content.length / 4) };
    const fullUsage = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    const id = `chatcmpl-${this.calls.length}`;
    const created = Math.floor(Date.now() / 1000);
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: fullUsage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: body.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    send(chunk({ role: 'assistant', content: '' }, null));
    for (const piece of content.match(/.{1,16}/gs) ?? []) {
      send(chunk({ content: piece }, null));
      await new Promise((r) => setTimeout(r, 40)); // slow enough that the page shows text arriving
    }
    send(chunk({}, 'stop'));
    if (body.stream_options?.include_usage)
      send({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage: fullUsage });
    res.end('data: [DONE]\n\n');
  }
}
