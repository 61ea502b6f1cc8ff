// Status and diagnose as text a person reads: markdown for the editor's document, plain lines for
// the terminal. Same facts as `dream curator status --json`.
import { diagnoseLines, type CuratorStatus } from './status';

export function statusMarkdown(st: CuratorStatus, workspace: string): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const L: string[] = [`# Dream local curator`, '', `Workspace: \`${workspace}\``, ''];
  L.push('## Diagnose', '');
  for (const d of st.diagnostics) L.push(`- **${d.problem}**: ${d.fix}`);
  if (!st.diagnostics.length) L.push('Ready.');
  L.push('', '## Ollama', '');
  L.push(`| | |`, `|---|---|`);
  L.push(`| URL | \`${st.ollama_url}\` |`);
  L.push(`| Reachable | ${yes(st.ollama.reachable)}${st.ollama.version ? ` (version ${st.ollama.version})` : ''} |`);
  for (const p of st.ollama.tried.filter((t) => !t.reachable)) L.push(`| ${p.url} | ${p.error ?? 'unreachable'} |`);
  L.push(`| Model | \`${st.model}\` ${st.model_installed ? 'installed' : '**not installed**'} |`);
  L.push(`| Models installed | ${st.ollama.models.map((m) => `\`${m}\``).join(', ') || 'none'} |`);
  L.push('', '## Curator', '');
  L.push(`| | |`, `|---|---|`);
  L.push(`| Enabled | ${yes(st.enabled)} |`);
  L.push(`| Allowed job kinds | ${st.allowed_job_kinds.join(', ') || 'none'} |`);
  L.push(`| Queue | ${st.queue.queued} queued, ${st.queue.processing} processing, ${st.queue.done} done, ${st.queue.failed} failed |`);
  L.push(`| Hourly cap | ${st.cap.used_this_hour} of ${st.cap.hourly_cap} used in the last hour |`);
  L.push(`| Events to review | ${st.pending_events} (\`${st.events_path}\`) |`);
  L.push(`| Drafts to review | ${st.drafts_pending} in \`.agents/knowledge/pending/\` |`);
  L.push('', '## Runners on PATH', '');
  for (const [name, r] of Object.entries(st.runners)) L.push(`- \`${name}\`: ${r.available ? `found (${r.command})` : 'not found'}`);
  L.push('');
  return L.join('\n');
}

export function statusText(st: CuratorStatus): string[] {
  const runners = Object.entries(st.runners)
    .map(([n, r]) => `${n} ${r.available ? 'found' : 'missing'}`)
    .join(', ');
  return [
    `Ollama:   ${st.ollama.reachable ? `reachable at ${st.ollama_url} (version ${st.ollama.version ?? 'unknown'})` : `not reachable at ${st.ollama.tried.map((p) => `${p.url} (${p.error ?? 'unreachable'})`).join(', ') || st.ollama_url}`}`,
    `Models:   ${st.ollama.models.join(', ') || 'none'}`,
    `Model:    ${st.model} ${st.model_installed ? 'installed' : 'not installed'}`,
    `Curator:  ${st.enabled ? 'enabled' : 'disabled'}; kinds ${st.allowed_job_kinds.join(', ') || 'none'}`,
    `Queue:    ${st.queue.queued} queued, ${st.queue.processing} processing, ${st.queue.done} done, ${st.queue.failed} failed`,
    `Cap:      ${st.cap.used_this_hour}/${st.cap.hourly_cap} jobs in the last hour`,
    `Events:   ${st.pending_events} to review`,
    `Drafts:   ${st.drafts_pending} to review`,
    `Runners:  ${runners}`,
    ...diagnoseLines(st.diagnostics).map((l, i) => `${i ? '          ' : 'Diagnose: '}${l}`),
  ];
}
