// cron: one crontab line, tagged with the workspace id so that apply is idempotent (the line is
// replaced, never added twice) and remove takes out only Dream's line. The command goes to /bin/sh:
// every argument single-quoted; `%` (cron's newline) escaped as `\%`.
import { shQuote } from '../../../host/quote';
import { osCommand, type ScheduleInput, type SchedulePlan } from './types';
import { SCHEDULER_DIR } from './systemd';

export function cronMarker(id: string): string {
  return `# dream:${id}`;
}

export function cronLine(s: ScheduleInput): string {
  if (/[\n\r]/.test(s.command.join('') + (s.path ?? '')))
    throw new Error('cron cannot run a command whose path holds a line break; use another scheduler');
  const [hh, mm] = s.at.split(':').map(Number);
  const log = `${s.workspace}/.agents/overnight/cron.log`;
  const sh = `${s.path ? `PATH=${shQuote(s.path)} ` : ''}${s.command.map(shQuote).join(' ')} >> ${shQuote(log)} 2>&1`;
  return `${mm} ${hh} * * * ${sh.replace(/%/g, '\\%')} ${cronMarker(s.id)}`;
}

/** The crontab with Dream's line for this workspace put in (or replaced), every other line kept. */
export function withCronLine(current: string, line: string | null, id: string): string {
  const marker = cronMarker(id);
  const kept = current.split('\n').filter((l) => !l.endsWith(marker));
  while (kept.length && kept[kept.length - 1] === '') kept.pop();
  if (line) kept.push(line);
  return kept.length ? kept.join('\n') + '\n' : '';
}

export function cronPlan(s: ScheduleInput): SchedulePlan {
  const line = cronLine(s);
  return {
    mode: 'cron',
    files: [{ rel: `${SCHEDULER_DIR}/dream-${s.id}.cron`, content: line + '\n' }],
    // the new crontab is computed from `crontab -l` when the command runs (see register.ts)
    register: [osCommand(['crontab', '-'])],
    remove: [osCommand(['crontab', '-'])],
    notes: ['cron gets one line, tagged with the workspace id; your other crontab lines are kept.'],
  };
}
