/**
 * A local OpenAI-compatible server (POST /v1/chat/completions, plain and streamed) for the AI tests:
 * the real provider code of the AI SDK talks to it over HTTP, exactly as it would talk to Ollama, vLLM
 * or llama.cpp. Each test decides, per model, how the next calls are answered (an answer, a status
 * code, a hang, a malformed body, output that breaks the schema) and reads what was asked.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeUsage {
  prompt?: number;
  completion?: number;
}

export type Behaviour =
  /** A completion: `content` (default: a valid answer for the request) and the usage to report. */
  | { kind: 'answer'; content?: string; usage?: FakeUsage; delayMs?: number }
  /** An HTTP error such as 429 or 500, with optional headers (e.g. retry-after). */
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** 200 with a body that is not JSON at all. */
  | { kind: 'malformed' }
  /** A well-formed completion whose content is JSON that does not match the requested schema. */
  | { kind: 'invalid_output'; usage?: FakeUsage }
  /** Streams only: sends the first `afterChunks` text chunks, then drops the connection. */
  | { kind: 'cut'; afterChunks: number };

export interface FakeCall {
  model: string;
  stream: boolean;
  /** The parsed request body. */
  body: {
    model: string;
    messages: { role: string; content: string }[];
    max_tokens?: number;
    response_format?: { type: string; json_schema?: { name?: string; schema?: unknown } };
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
  };
  behaviour: Behaviour['kind'];
  /** The usage reported back (answers only). */
  usage?: { prompt_tokens: number; completion_tokens: number };
  at: number;
}

/** A valid task breakdown, as the model would return it for the structured-output request. */
export const VALID_BREAKDOWN = {
  subtasks: [
    { title: 'Draft the outline', description: 'List the sections and owners.', priority: 'high', estimate: '2h' },
    { title: 'Write the first version', description: 'Fill every section.', priority: 'medium', estimate: '1d' },
    { title: 'Review with the team', description: 'Collect comments and fix them.', priority: 'low', estimate: '3h' },
  ],
};

export const SUMMARY_TEXT =
  'Progress: the project is moving; 1 of 3 tasks is done. Blockers: none reported. Overdue: one task is past its due date.';

export class FakeOpenAI {
  readonly calls: FakeCall[] = [];
  private readonly queues = new Map<string, Behaviour[]>();
  private readonly defaults = new Map<string, Behaviour>();
  private readonly sockets = new Set<Socket>();
  private server: http.Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  /** The next calls to `model` are answered with these behaviours, in order (then the default). */
  queue(model: string, ...behaviours: Behaviour[]): void {
    this.queues.set(model, [...(this.queues.get(model) ?? []), ...behaviours]);
  }

  /** How `model` answers once its queue is empty (initially: a valid answer). */
  setDefault(model: string, behaviour: Behaviour): void {
    this.defaults.set(model, behaviour);
  }

  reset(): void {
    this.queues.clear();
    this.defaults.clear();
    this.calls.length = 0;
  }

  callsTo(model: string): FakeCall[] {
    return this.calls.filter((c) => c.model === model);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private next(model: string): Behaviour {
    const q = this.queues.get(model);
    if (q && q.length > 0) return q.shift() as Behaviour;
    return this.defaults.get(model) ?? { kind: 'answer' };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = JSON.parse(raw) as FakeCall['body'];
    const behaviour = this.next(body.model);
    const call: FakeCall = { model: body.model, stream: body.stream === true, body, behaviour: behaviour.kind, at: Date.now() };
    this.calls.push(call);
    switch (behaviour.kind) {
      case 'hang':
        return; // the socket stays open until the client gives up or the server closes
      case 'status':
        res
          .writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers })
          .end(JSON.stringify({ error: { message: `fake error ${behaviour.status}`, type: 'server_error' } }));
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "broken", "choices": [ this is not json');
        return;
      case 'invalid_output':
        return this.complete(res, call, JSON.stringify({ subtasks: [{ name: 'no title here', priority: 'whenever' }] }), behaviour.usage);
      case 'cut':
        return this.complete(res, call, SUMMARY_TEXT, undefined, behaviour.afterChunks);
      case 'answer': {
        if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
        const content = behaviour.content ?? (body.response_format ? JSON.stringify(VALID_BREAKDOWN) : SUMMARY_TEXT);
        return this.complete(res, call, content, behaviour.usage);
      }
    }
  }

  private async complete(res: http.ServerResponse, call: FakeCall, content: string, usage: FakeUsage | undefined, cutAfter?: number) {
    const promptChars = call.body.messages.reduce((n, m) => n + String(m.content).length, 0);
    const reported = {
      prompt_tokens: usage?.prompt ?? Math.ceil(promptChars / 4),
      completion_tokens: usage?.completion ?? Math.ceil(content.length / 4),
    };
    call.usage = reported;
    const fullUsage = { ...reported, total_tokens: reported.prompt_tokens + reported.completion_tokens };
    const id = `chatcmpl-${this.calls.length}`;
    const created = Math.floor(Date.now() / 1000);
    if (!call.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: call.model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: fullUsage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: call.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    send(chunk({ role: 'assistant', content: '' }, null));
    const pieces = content.match(/.{1,24}/gs) ?? [];
    for (const [i, piece] of pieces.entries()) {
      if (cutAfter !== undefined && i >= cutAfter) {
        res.destroy();
        return;
      }
      send(chunk({ content: piece }, null));
      await new Promise((r) => setTimeout(r, 5));
    }
    send(chunk({}, 'stop'));
    if (call.body.stream_options?.include_usage)
      send({ id, object: 'chat.completion.chunk', created, model: call.model, choices: [], usage: fullUsage });
    res.end('data: [DONE]\n\n');
  }
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  return new FakeOpenAI().start();
}
