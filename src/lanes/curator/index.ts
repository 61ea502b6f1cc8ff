// Tier 1 local curator (contract §6): Ollama + Gemma drafts into knowledge/pending/, a queue, an
// event ledger, and promotion by a person. Pure Node (never vscode); the editor and the CLI are thin
// surfaces over what this barrel exports.
export * from './helpers';
export * from './promote';
export { curatorLane } from './lane';
