// A loopback HTTP server speaking the part of the Ollama API the `ollama` client uses: GET
// /api/version, GET /api/tags, POST /api/chat (streamed NDJSON or one JSON object). Every request
// is logged with its raw body, so tests can prove what left the machine.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatCall {
  model: string;
  stream: boolean;
  format: unknown;
  messages: { role: string; content: string }[];
}

/** What to answer to one chat call: a reply text (streamed in pieces), a delay, an HTTP error, or a stall. */
export type ChatReply =
  string | { text?: string; delayMs?: number; chunkDelayMs?: number; status?: number; error?: string; stall?: boolean };

export interface FakeOllama {
  url: string;
  port: number;
  /** raw request log: method, path, body */
  log: { method: string; path: string; body: string }[];
  chats: ChatCall[];
  models: string[];
  version: string;
  /** replies handed out in order; when empty, `fallback` answers */
  replies: ChatReply[];
  fallback: (call: ChatCall) => ChatReply;
  /** delay for /api/version and /api/tags */
  probeDelayMs: number;
  close(): Promise<void>;
}

export async function startFakeOllama(opts: Partial<Pick<FakeOllama, 'models' | 'version' | 'probeDelayMs'>> = {}): Promise<FakeOllama> {
  const sockets = new Set<import('node:net').Socket>();
  const fake: FakeOllama = {
    url: '',
    port: 0,
    log: [],
    chats: [],
    models: opts.models ?? ['gemma4:e4b'],
    version: opts.version ?? '0.12.3',
    replies: [],
    fallback: () => '{"learnings":[],"findings":[],"ideas":[]}',
    probeDelayMs: opts.probeDelayMs ?? 0,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      fake.log.push({ method: req.method ?? '', path: req.url ?? '', body });
      const later = (ms: number, f: () => void) => (ms ? setTimeout(f, ms) : f());
      if (req.method === 'GET' && req.url === '/api/version')
        return later(fake.probeDelayMs, () => json(res, 200, { version: fake.version }));
      if (req.method === 'GET' && req.url === '/api/tags')
        return later(fake.probeDelayMs, () =>
          json(res, 200, {
            models: fake.models.map((name) => ({
              name,
              model: name,
              modified_at: '2026-11-01T00:00:00Z',
              size: 1,
              digest: 'x',
              details: {},
            })),
          }),
        );
      if (req.method === 'POST' && req.url === '/api/chat') {
        const call = JSON.parse(body) as ChatCall;
        fake.chats.push(call);
        if (!fake.models.includes(call.model)) return json(res, 404, { error: `model "${call.model}" not found, try pulling it first` });
        const r0 = fake.replies.length ? fake.replies.shift()! : fake.fallback(call);
        const r = typeof r0 === 'string' ? { text: r0 } : r0;
        return later(r.delayMs ?? 0, () => {
          if (r.status) return json(res, r.status, { error: r.error ?? 'boom' });
          const text = r.text ?? '';
          const msg = (content: string, done: boolean) => ({
            model: call.model,
            created_at: new Date().toISOString(),
            message: { role: 'assistant', content },
            done,
            ...(done ? { done_reason: 'stop', total_duration: 1, eval_count: 1 } : {}),
          });
          if (call.stream === false) return json(res, 200, msg(text, true));
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          const pieces = text.match(/[\s\S]{1,16}/g) ?? [];
          let i = 0;
          const tick = () => {
            if (res.destroyed) return;
            if (i < pieces.length) {
              res.write(JSON.stringify(msg(pieces[i++]!, false)) + '\n');
              if (r.stall && i === Math.ceil(pieces.length / 2)) return; // never finishes
              return later(r.chunkDelayMs ?? 0, tick);
            }
            res.end(JSON.stringify(msg('', true)) + '\n');
          };
          tick();
        });
      }
      json(res, 404, { error: 'not found' });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.port = (server.address() as AddressInfo).port;
  fake.url = `http://127.0.0.1:${fake.port}`;
  return fake;
}

/** A loopback port with nothing listening. */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
