// `dream curator status|diagnose|enqueue|compact|event`: the Tier 1 local curator (contract §6).
// The lane arrives in its own change (issue 10); until then the command says so plainly.
import { UsageError } from '../args';
import { COMMON_FLAGS, type Command } from '../command';

export const curatorCommand: Command = {
  name: 'curator',
  summary: 'the local curator (Ollama + Gemma): status, diagnose, enqueue, compact, event',
  usage: ['curator status|diagnose|enqueue|compact|event ... [--workspace DIR] [--json]'],
  notes: ['The local curator is not in this version of Dream yet.'],
  flags: [...COMMON_FLAGS],
  examples: ['dream curator status'],
  run() {
    throw new UsageError('dream curator: the local curator is not in this version of Dream yet');
  },
};
