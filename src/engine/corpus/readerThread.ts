// The reader thread (worker_threads, bundled as dist/readerThread.js): reads, parses and works out
// the notes it is asked for, with the very functions the main thread uses (corpus.ts, note.ts,
// knowledge.ts), and answers in batches (readerProtocol.ts). It holds no state between requests.
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { readNoteFile } from './readNote';
import { isVisible, noteFacts, primeBodyFacts } from './knowledge';
import { parseNoteText } from './note';
import { readRequestSchema, type ReadItem, type ReadReply } from './readerProtocol';

const BATCH = 200;

const port = parentPort;
if (port)
  port.on('message', (raw: unknown) => {
    const req = readRequestSchema.parse(raw);
    let items: ReadItem[] = [];
    let chunks: Buffer[] = [];
    let size = 0;
    const flush = (done: boolean) => {
      // the batch's bytes in one buffer, handed over without a copy
      const data = new ArrayBuffer(size);
      const view = new Uint8Array(data);
      let at = 0;
      for (const c of chunks) {
        view.set(c, at);
        at += c.length;
      }
      port.postMessage({ type: 'notes', id: req.id, items, data, done } satisfies ReadReply, [data]);
      items = [];
      chunks = [];
      size = 0;
    };
    for (const f of req.files) {
      const r = readNoteFile(path.join(req.agentsDir, f.rel));
      if (!r) items.push({ rel: f.rel, gone: true });
      else if ('error' in r) items.push({ rel: f.rel, error: r.error });
      else {
        const { note: n, body } = parseNoteText(f.rel, r.bytes);
        primeBodyFacts(n, body);
        // the note's fields without its body: the main thread decodes it from the bytes if asked
        const note = {
          rel: n.rel,
          hash: n.hash,
          utf8: n.utf8,
          bom: n.bom,
          eol: n.eol,
          hasFrontmatter: n.hasFrontmatter,
          fmError: n.fmError,
          lenient: n.lenient,
          fm: n.fm,
          fmText: n.fmText,
          bodyOffset: n.bodyOffset,
        };
        items.push({
          rel: f.rel,
          bytes: { offset: size, length: r.bytes.length },
          id: r.id,
          note,
          facts: noteFacts(n, f.sig && isVisible(n)),
        });
        chunks.push(r.bytes);
        size += r.bytes.length;
      }
      if (items.length >= BATCH) flush(false);
    }
    flush(true);
  });
