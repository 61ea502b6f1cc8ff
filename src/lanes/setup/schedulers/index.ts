// One entry point for the scheduler formats (contract §8.2).
import { cronPlan } from './cron';
import { launchdPlan } from './launchd';
import { systemdPlan } from './systemd';
import { taskSchedulerPlan } from './taskScheduler';
import type { ScheduleInput, SchedulePlan, SchedulerMode } from './types';

export * from './types';
export { SCHEDULER_DIR } from './systemd';

export function schedulePlan(mode: SchedulerMode, s: ScheduleInput, agentsDir: string, uid: number | null): SchedulePlan {
  switch (mode) {
    case 'systemd':
      return systemdPlan(s, agentsDir);
    case 'cron':
      return cronPlan(s);
    case 'launchd':
      return launchdPlan(s, agentsDir, uid);
    case 'task-scheduler':
      return taskSchedulerPlan(s, agentsDir);
    case 'in-editor':
      return {
        mode,
        files: [],
        register: [],
        remove: [],
        notes: [`VS Code starts the run at ${s.at} while a window on this folder is open (once a night, across windows).`],
      };
    case 'manual':
      return {
        mode,
        files: [],
        register: [],
        remove: [],
        notes: ['No schedule: start a run with `dream start` or "Dream: Start Bedtime Run".'],
      };
  }
}
