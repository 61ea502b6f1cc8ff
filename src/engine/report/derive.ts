// Everything the summary derives for the morning (first moves, packets, next action, recommended
// commands, weather) from the run's record plus what the workspace holds (focus, the work queue).
import type { Summary } from '../core/schemas';
import { deriveDreamscape, deriveNextAction, deriveRecommended } from './answers';
import type { FocusItem } from './focus';
import { nightEffect } from './night';
import { firstMoves, packetsFrom, type Move } from './packets';

export interface DeriveInputs {
  focus: FocusItem[];
  /** bytes of rpi/next-work.jsonl, or null */
  nextWork: Buffer | null;
  tonightPath: string | null;
}

export function deriveViews(s: Summary, i: DeriveInputs): Move[] {
  s.focus = i.focus;
  const moves = firstMoves({
    summary: s,
    iterations: s.iterations,
    effect: nightEffect(s),
    focus: i.focus,
    nextWork: i.nextWork,
    tonightPath: i.tonightPath,
  });
  s.morning_packets = packetsFrom(moves);
  s.next_action = deriveNextAction(s, moves);
  s.recommended = deriveRecommended(s, moves);
  s.dreamscape = deriveDreamscape(s);
  return moves;
}
