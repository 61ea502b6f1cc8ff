// A loopback server speaking the Anthropic Messages API (POST /v1/messages, streamed SSE or JSON)
// for driving the real `claude` CLI end to end: the first turn answers with a `StructuredOutput`
// tool call carrying a canned report; a turn that carries a tool_result ends with text.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  url: string;
  body: Record<string, unknown>;
  raw: string;
}

export interface FakeMessagesApi {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function fakeMessagesApi(structured: unknown): Promise<FakeMessagesApi> {
  const requests: SeenRequest[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      const body = JSON.parse(raw) as { model: string; stream?: boolean; messages: unknown[] };
      requests.push({ url: req.url, body, raw });
      n++;
      const done = JSON.stringify(body.messages).includes('"tool_result"');
      const content = done
        ? [{ type: 'text', text: 'Done.' }]
        : [{ type: 'tool_use', id: `toolu_0${n}`, name: 'StructuredOutput', input: structured }];
      const stop = done ? 'end_turn' : 'tool_use';
      const msg = {
        id: `msg_0${n}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content,
        stop_reason: stop,
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 34 },
      };
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(msg));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const ev = (type: string, data: Record<string, unknown>) =>
        res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
      ev('message_start', { message: { ...msg, content: [], stop_reason: null, usage: { input_tokens: 12, output_tokens: 1 } } });
      content.forEach((c, index) => {
        if (c.type === 'text') {
          ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
          ev('content_block_delta', { index, delta: { type: 'text_delta', text: (c as { text: string }).text } });
        } else {
          const t = c as { id: string; name: string; input: unknown };
          ev('content_block_start', { index, content_block: { type: 'tool_use', id: t.id, name: t.name, input: {} } });
          ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(t.input) } });
        }
        ev('content_block_stop', { index });
      });
      ev('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 34 } });
      ev('message_stop', {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
