// `dream setup`: host profile, scheduler files and config (contract §8).
import { UsageError } from '../args';
import { COMMON_FLAGS, type Command } from '../command';

export const setupCommand: Command = {
  name: 'setup',
  summary: 'look at this machine, then preview or apply a schedule and settings',
  usage: ['setup [--apply] [--scheduler S] [--at HH:MM] [--runner R]... [--yes] [--remove] [--workspace DIR] [--json]'],
  flags: [...COMMON_FLAGS],
  examples: ['dream setup'],
  run() {
    throw new UsageError('dream setup: not in this version of Dream yet');
  },
};
