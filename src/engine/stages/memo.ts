// Stage memo: MEASURE is a deterministic function of the corpus notes (immutable, content-addressed
// objects), the raw queue/index bytes, which cited paths exist, the day and the settings. An
// iteration that changes nothing measures exactly the state the previous iteration measured (live
// + its staged changes, now committed): the previous result is the answer.
import type { CorpusView } from '../corpus/corpus';
import { citationsOf, type CitationChecker } from '../corpus/knowledge';
import type { Note } from '../corpus/note';

interface Inputs {
  paths: string[];
  notes: Note[];
  nextWork: Buffer | null;
  index: Buffer | null;
  /** for each cited path of the live learnings, whether it exists (1) or not (0) */
  citations: Uint8Array;
  extra: string;
}

function sameBits(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameBuf(a: Buffer | null, b: Buffer | null): boolean {
  return a === b || (!!a && !!b && a.equals(b));
}

export class StageMemo<R> {
  private last: { inputs: Inputs; result: R } | null = null;

  private inputs(view: CorpusView, citations: CitationChecker, extra: string): Inputs {
    const paths = view.paths();
    const notes = paths.map((p) => view.note(p)!);
    // which cited paths of the live learnings exist (files outside .agents/ can come and go)
    const bits: number[] = [];
    for (const n of view.notesOf('learning')) for (const c of citationsOf(n)) bits.push(citations.exists(c) ? 1 : 0);
    return {
      paths,
      notes,
      nextWork: view.raw('rpi/next-work.jsonl'),
      index: view.raw('index.jsonl'),
      citations: Uint8Array.from(bits),
      extra,
    };
  }

  private same(a: Inputs, b: Inputs): boolean {
    if (a.extra !== b.extra || a.paths.length !== b.paths.length || !sameBits(a.citations, b.citations)) return false;
    for (let i = 0; i < a.paths.length; i++) if (a.paths[i] !== b.paths[i] || a.notes[i] !== b.notes[i]) return false;
    return sameBuf(a.nextWork, b.nextWork) && sameBuf(a.index, b.index);
  }

  /** runs `compute` unless the inputs are the previous call's; `reusable` decides whether a result may be reused */
  run(view: CorpusView, citations: CitationChecker, extra: string, compute: () => R, reusable: (r: R) => boolean = () => true): R {
    const inputs = this.inputs(view, citations, extra);
    if (this.last && this.same(this.last.inputs, inputs)) return this.last.result;
    const result = compute();
    // keyed on the inputs as they were before compute (REDUCE stages into the same view)
    this.last = reusable(result) ? { inputs, result } : null;
    return result;
  }
}
