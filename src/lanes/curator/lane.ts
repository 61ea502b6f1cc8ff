// Tier 1 local curator (contract §6). Not built yet: a run with the curator enabled says so plainly.
import type { Lane } from '../../engine';

export function curatorLane(): Lane {
  return {
    name: 'curator',
    async run({ settings }) {
      if (!settings.localCurator.enabled)
        return { steps: [{ name: 'curator', status: 'skipped', note: 'local curator disabled' }], degraded: [] };
      return {
        steps: [{ name: 'curator', status: 'skipped', note: 'the local curator lane is not available in this version' }],
        degraded: ['local curator enabled, but the curator lane is not available in this version; no Tier 1 drafts were made'],
      };
    },
  };
}
