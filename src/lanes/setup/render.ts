// The setup plan as a readable Markdown page: printed by `dream setup`, shown by "Dream: Setup".
import type { SetupPlan } from './plan';
import type { CommandResult } from './register';

export interface SetupState {
  status: 'preview' | 'applied' | 'registered' | 'removed';
  written: string[];
  results: CommandResult[];
  remove: boolean;
  /** how to apply from where the page is shown (a CLI line, or an editor button) */
  applyHint?: string;
}

export function renderSetup(plan: SetupPlan, st: SetupState): string {
  const h = plan.host;
  const out: string[] = ['# Dream Setup', ''];
  out.push(`Workspace: \`${plan.workspace}\``, '');
  out.push('## This machine', '');
  out.push(`- OS: ${h.os}; ${h.has_battery ? `a laptop (battery: ${h.battery_source})` : 'a desktop (no battery found)'}`);
  out.push(`- Keep-awake: ${h.keep_awake.supported ? 'yes' : 'no'}: ${h.keep_awake.note}`);
  out.push(
    `- Ollama (local curator): ${h.ollama.reachable ? `reachable at ${h.ollama.url}${h.ollama.version ? ` (version ${h.ollama.version})` : ''}, ${h.ollama.model_installed ? `model ${h.ollama.model} installed` : `model ${h.ollama.model} not installed`}` : `not reachable (${h.ollama.url}: ${h.ollama.error ?? 'no answer'})`}`,
  );
  out.push('- Runners:');
  for (const r of h.runners) out.push(`  - ${r.name}: ${r.note}${r.path ? ` (${r.path})` : ''}`);
  out.push('- Schedulers:');
  for (const s of h.schedulers)
    out.push(`  - ${s.mode}: ${s.available ? 'available' : 'not available'}${s.recommended ? ' (recommended)' : ''}: ${s.note}`);
  out.push('', `## ${st.status === 'preview' ? 'What apply would write' : 'Written'}`, '');
  out.push(`\`${plan.config_path}\`:`, '', '```yaml', plan.config_text.trimEnd(), '```');
  for (const f of plan.files) out.push('', `\`.agents/${f.rel}\`:`, '', '```', f.content.trimEnd(), '```');
  const cmds = st.remove ? plan.remove : plan.register;
  if (cmds.length) {
    out.push('', st.remove ? '## Unregister' : '## Register with the OS', '');
    out.push(st.results.length ? 'Ran:' : 'Not run yet. The command(s):', '', '```sh', ...cmds.map((c) => c.display), '```');
    for (const r of st.results) out.push(`- ${r.ok ? 'ok' : 'FAILED'}: \`${r.command}\`${r.output ? ` — ${r.output}` : ''}`);
  }
  if (plan.notes.length) out.push('', '## Notes', '', ...plan.notes.map((n) => `- ${n}`));
  if (plan.warnings.length) out.push('', '## Warnings', '', ...plan.warnings.map((w) => `- ${w}`));
  out.push('', '## Next', '', nextAction(plan, st));
  return out.join('\n');
}

function nextAction(plan: SetupPlan, st: SetupState): string {
  const cmds = st.remove ? plan.remove : plan.register;
  if (st.status === 'preview')
    return st.remove
      ? `Nothing changed. ${st.applyHint ?? 'Confirm with: dream setup --remove --yes'}`
      : `Nothing written. ${st.applyHint ?? 'Apply with: dream setup --apply' + (cmds.length ? ' (add --yes to register it too)' : '')}`;
  if (st.status === 'applied' && cmds.length) return `Written, not registered. Register it with the command above, or rerun with --yes.`;
  if (st.status === 'removed') return 'The schedule is removed; the config says scheduler: manual.';
  return 'Start one run by hand first to see it work: dream start';
}
