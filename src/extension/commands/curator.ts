// The Tier 1 local curator commands: thin surfaces over src/lanes/curator. Status and diagnose open a
// readable markdown document; a problem with a command to fix it offers "Fix" (a terminal with it).
import * as vscode from 'vscode';
import {
  appendEvent,
  compactLedger,
  curatorStatus,
  diagnoseLines,
  enqueueJob,
  EVENTS_FILE,
  newEvent,
  parseDays,
  SEVERITIES,
  sessionNotes,
  statusMarkdown,
  type CuratorStatus,
} from '../../lanes/curator';
import { effectiveSettings } from '../settings';
import { asObject, type Register, type Services } from './shared';

const KIND_HELP: Record<string, string> = {
  'ingest-session': 'summarise a session note (or a file you name) into draft learnings',
  'lint-wiki': 'look for contradictions, duplicates and broken structure among related learnings',
  'dream-seed': "propose next ideas from tonight's summary and queue",
};
const SEVERITY_HELP: Record<string, string> = {
  info: 'for the record',
  warn: 'worth a look',
  high: 'needs a person soon',
  critical: 'needs a person now',
};

export function curatorCommands(s: Services, reg: Register): vscode.Disposable[] {
  const { log, folders } = s;
  return [
    reg('dream.curatorStatus', async (arg?: unknown) => curatorReport(s, 'status', asObject(arg) ?? {})),
    reg('dream.curatorDiagnose', async (arg?: unknown) => curatorReport(s, 'diagnose', asObject(arg) ?? {})),

    reg('dream.curatorEnqueue', async (arg?: unknown) => {
      const folder = await folders.pick('Curator Enqueue Job');
      if (!folder) return undefined;
      const allowed = effectiveSettings(folder).settings.localCurator.allowedJobKinds;
      if (!allowed.length) {
        void vscode.window.showWarningMessage('Dream: dream.localCurator.allowedJobKinds is empty: no job kind may be queued.');
        return undefined;
      }
      const o = asObject(arg) ?? {};
      let kind = typeof o.kind === 'string' ? o.kind : undefined;
      if (kind === undefined)
        kind = (
          await vscode.window.showQuickPick(
            allowed.map((k) => ({ label: k, detail: KIND_HELP[k] })),
            { title: 'Dream: Curator Enqueue Job', placeHolder: 'Job kind (from dream.localCurator.allowedJobKinds)' },
          )
        )?.label;
      if (!kind) return undefined;
      let source = typeof o.source === 'string' ? o.source : undefined;
      if (source === undefined && !('kind' in o) && kind !== 'dream-seed') {
        const picked = await pickSource(folder, kind);
        if (picked === undefined) return undefined;
        source = picked;
      }
      const { job, path } = enqueueJob(folder, { kind, source: source?.trim() || undefined, allowed });
      log.info(`curator: queued ${job.kind} job ${job.id} in ${path}`);
      void vscode.window.showInformationMessage(
        `Dream: queued a ${job.kind} job (${job.id}); the next bedtime run with the curator enabled works it.`,
      );
      return { ...job, path };
    }),

    reg('dream.curatorEvent', async (arg?: unknown) => {
      const folder = await folders.pick('Curator Record Event');
      if (!folder) return undefined;
      const o = asObject(arg) ?? {};
      const source =
        typeof o.source === 'string'
          ? o.source
          : await vscode.window.showInputBox({
              title: 'Dream: Curator Record Event (1/4)',
              prompt: 'Source of the event (who or what noticed it)',
              value: 'vscode',
              validateInput: (v) => (v.trim() ? null : 'a source is required'),
            });
      if (!source) return undefined;
      const severity =
        typeof o.severity === 'string'
          ? o.severity
          : (
              await vscode.window.showQuickPick(
                SEVERITIES.map((v) => ({ label: v, description: SEVERITY_HELP[v] })),
                { title: 'Dream: Curator Record Event (2/4)', placeHolder: 'Severity' },
              )
            )?.label;
      if (!severity) return undefined;
      const desiredAction =
        typeof o.desiredAction === 'string'
          ? o.desiredAction
          : await vscode.window.showInputBox({
              title: 'Dream: Curator Record Event (3/4)',
              prompt: 'Desired action (what should happen about it)',
              validateInput: (v) => (v.trim() ? null : 'a desired action is required'),
            });
      if (!desiredAction) return undefined;
      let budget = typeof o.budget === 'number' ? o.budget : undefined;
      if (budget === undefined && !('source' in o)) {
        const b = await vscode.window.showInputBox({
          title: 'Dream: Curator Record Event (4/4)',
          prompt: 'Escalation budget: how many council reviews this may cause (0 = record only, no escalation)',
          value: '0',
          validateInput: (v) => (/^\d+$/.test(v.trim()) ? null : 'a whole number >= 0'),
        });
        if (b === undefined) return undefined;
        budget = Number(b.trim());
      }
      const ev = newEvent({
        source,
        severity,
        desiredAction,
        budget: budget ?? 0,
        note: typeof o.note === 'string' ? o.note : 'recorded from VS Code',
      });
      appendEvent(folder, ev);
      log.info(`curator: recorded event ${ev.id} (${ev.severity}, budget ${ev.budget}) in .agents/${EVENTS_FILE}, status needs-review`);
      void vscode.window.showInformationMessage(
        `Dream: event ${ev.id} recorded for review${ev.budget > 0 ? ` (escalation to ${ev.escalation_target}, budget ${ev.budget})` : ' (no escalation without a budget)'}.`,
      );
      return ev;
    }),

    reg('dream.curatorCompact', async (arg?: unknown) => {
      const folder = await folders.pick('Curator Compact');
      if (!folder) return undefined;
      const o = asObject(arg) ?? {};
      const olderThanDays =
        typeof o.olderThan === 'string' ? parseDays(o.olderThan) : typeof o.olderThanDays === 'number' ? o.olderThanDays : 30;
      const dry = compactLedger(folder, { apply: false, olderThanDays });
      log.info(`curator compact: ${dry.message}`);
      let apply = o.apply === true;
      if (!apply && o.apply === undefined && dry.wouldArchive.length) {
        const c = await vscode.window.showInformationMessage(
          `Dream: ${dry.message}`,
          { modal: true, detail: 'Apply moves those entries to events.archive.jsonl; entries awaiting review always stay.' },
          'Apply',
        );
        apply = c === 'Apply';
      } else if (!apply) void vscode.window.showInformationMessage(`Dream: ${dry.message}`);
      if (!apply) return dry;
      const done = compactLedger(folder, { apply: true, olderThanDays });
      log.info(`curator compact: ${done.message}`);
      void vscode.window.showInformationMessage(`Dream: ${done.message}`);
      return done;
    }),
  ];
}

/** The job's source: a session note from a list (newest first), the default, or any file typed in; undefined = cancelled. */
async function pickSource(folder: string, kind: string): Promise<string | undefined> {
  const title = `Dream: Curator Enqueue Job (${kind})`;
  const other = { label: '$(edit) Another file…', value: 'other' };
  const items: (vscode.QuickPickItem & { value: string })[] =
    kind === 'ingest-session'
      ? [
          { label: '$(history) The newest session note not ingested yet', value: '' },
          ...sessionNotes(folder)
            .slice(0, 50)
            .map((n) => ({ label: n.rel.replace(/^\.agents\//, ''), description: new Date(n.mtimeMs).toLocaleString(), value: n.rel })),
          other,
        ]
      : [
          { label: '$(debug-step-over) The next learnings in turn', value: '' },
          { ...other, label: '$(edit) Start from a learning…' },
        ];
  const pick = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: kind === 'ingest-session' ? 'What to summarise' : 'Where to start',
  });
  if (!pick) return undefined;
  if (pick.value !== 'other') return pick.value;
  return vscode.window.showInputBox({
    title,
    prompt: kind === 'ingest-session' ? 'A file to summarise, relative to the workspace' : 'A learning, e.g. .agents/learnings/x.md',
    validateInput: (v) => (v.trim() ? null : 'a path is required'),
  });
}

/** The status (or diagnose) as a markdown document beside the editor; "Fix" opens a terminal with the fixing command. */
async function curatorReport(
  s: Services,
  mode: 'status' | 'diagnose',
  o: Record<string, unknown>,
): Promise<CuratorStatus | string[] | undefined> {
  const folder = await s.folders.pick(mode === 'status' ? 'Curator Status' : 'Curator Diagnose');
  if (!folder) return undefined;
  const st = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Dream: asking Ollama…', cancellable: false },
    () => curatorStatus(folder, effectiveSettings(folder).settings),
  );
  const lines = diagnoseLines(st.diagnostics);
  s.log.info(`curator ${mode} for ${folder}:`);
  for (const l of lines) s.log.info(`  ${l}`);
  if (o.show !== false) {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: statusMarkdown(st, folder) });
    await vscode.commands
      .executeCommand('markdown.showPreview', doc.uri)
      .then(undefined, () => vscode.window.showTextDocument(doc, { preview: true }));
  }
  const fix = st.diagnostics.find((d) => d.command);
  const first = st.diagnostics[0];
  if (o.show !== false)
    void (
      first
        ? vscode.window.showWarningMessage(`Dream curator: ${first.problem}: ${first.fix}`, ...(fix ? ['Fix'] : []), 'Show Log')
        : vscode.window.showInformationMessage('Dream curator: ready.', 'Show Log')
    ).then((c) => {
      if (c === 'Show Log') s.log.show();
      if (c === 'Fix' && fix?.command) {
        const t = vscode.window.createTerminal({ name: 'Dream: curator fix', cwd: folder });
        t.show();
        t.sendText(fix.command, true);
      }
    });
  return mode === 'status' ? st : lines;
}
