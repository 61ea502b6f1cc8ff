// The lanes' home (pure Node, never vscode): optional work around a bedtime run.
//   council/  Tier 2 Dream Council (codex, claude) reviewing the night, read-only
//   curator/  Tier 1 local curator (Ollama + Gemma) drafting into knowledge/pending/
//   setup/    host profile, schedulers, config apply
// The CLI and the worker hand `bedtimeLanes()` to the engine's runBedtime; the engine never imports
// this folder.
import type { DreamSettings, Lane } from '../engine';
import { councilLane } from './council';
import { curatorLane } from './curator';

/** The lanes a bedtime run calls after its loop, in order (contract §3 step 5). */
export function bedtimeLanes(_settings?: DreamSettings): Lane[] {
  return [councilLane(), curatorLane()];
}
