// Tier 2 Dream Council (contract §7). Not built yet: a run that asks for runners says so plainly.
import type { Lane } from '../../engine';

export function councilLane(): Lane {
  return {
    name: 'council',
    async run({ settings }) {
      if (!settings.runners.length) return { steps: [{ name: 'council', status: 'skipped', note: 'no runners configured' }], degraded: [] };
      return {
        steps: [{ name: 'council', status: 'skipped', note: 'the Dream Council lane is not available in this version' }],
        degraded: [
          `council runners ${settings.runners.join(', ')} requested, but the Dream Council lane is not available in this version; the report has no council section`,
        ],
      };
    },
  };
}
