// Tier 1 local curator (contract §6): Ollama + Gemma drafts into knowledge/pending/, a queue with an
// enforced hourly cap, an event ledger, and promotion by a person. Pure Node (never vscode); the
// editor and the CLI are thin surfaces over what this barrel exports.
//   ollama.ts  probes, URL/model resolution, one bounded JSON chat (only through the `ollama` client)
//   queue.ts   jobs queue → processing → done | failed, the persisted hourly cap
//   ledger.ts  events.jsonl, escalation records, compaction
//   jobs.ts    ingest-session, lint-wiki, dream-seed: prompts, reply schemas, drafts
//   drafts.ts  the draft notes; promote.ts  a person promotes one
//   status.ts  status and diagnose; lane.ts  the run's curator lane (its report section: engine/report/curatorSection.ts)
export * from './ollama';
export * from './queue';
export * from './ledger';
export * from './drafts';
export * from './promote';
export * from './status';
export * from './statusText';
export { sessionNotes, nextSession } from './jobs';
export {
  curatorLane,
  runCurator,
  escalation,
  DEFAULT_JOB_TIMEOUT_MS,
  RESULTS_DIR,
  type CuratorLaneOptions,
  type CuratorJobReport,
} from './lane';
