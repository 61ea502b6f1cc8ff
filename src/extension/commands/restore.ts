// Review (§10): restore one change or a whole run (§5.7) from the runs tree, the diff editor's title
// bar and the report; archive the review candidates after a look. Every write goes through the
// engine (restoreRun / archiveLearnings: the write guard, a commit marker, the run lock).
import * as vscode from 'vscode';
import { archiveLearnings, DreamError, restoreRun, type RestoreResult } from '../../engine';
import { changeRefForUri } from '../diff';
import { asObject, type Register, type Services } from './shared';

interface RestoreArgs {
  folder: string;
  runId: string;
  /** paths (relative to .agents/) of the change; empty for the whole run */
  changes: string[];
  force?: boolean;
  /** skip the confirmation of a whole-run restore (tests, the report's own confirmation) */
  confirmed?: boolean;
}

/** a tree change node, {folder, runId, change}, a diff editor's file URI, or {folder, runId, paths} */
function restoreArgs(arg: unknown, wholeRun: boolean): RestoreArgs | null {
  if (arg instanceof vscode.Uri) {
    const ref = changeRefForUri(arg);
    return ref ? { folder: ref.folder, runId: ref.runId, changes: [ref.change.path] } : null;
  }
  const o = asObject(arg);
  if (!o || typeof o.folder !== 'string') return null;
  const run = asObject(o.run);
  const runId = typeof o.runId === 'string' ? o.runId : run && typeof run.runId === 'string' ? run.runId : null;
  if (!runId) return null;
  const change = asObject(o.change);
  const paths = Array.isArray(o.paths) ? o.paths.map(String) : change && typeof change.path === 'string' ? [change.path] : [];
  if (!wholeRun && !paths.length) return null;
  return { folder: o.folder, runId, changes: wholeRun ? [] : paths, force: o.force === true, confirmed: o.confirmed === true };
}

export function restoreCommands(s: Services, reg: Register): vscode.Disposable[] {
  const { log, controller, tree } = s;

  const restore = async (a: RestoreArgs): Promise<RestoreResult | undefined> => {
    if (controller.running && controller.folder === a.folder) {
      void vscode.window.showWarningMessage('Dream: a run is in progress here; restore after it ends.');
      return undefined;
    }
    const what = a.changes.length ? `.agents/${a.changes[0]}` : `every change of run ${a.runId}`;
    let r: RestoreResult;
    try {
      r = restoreRun({ workspace: a.folder, runId: a.runId, changes: a.changes, force: a.force });
    } catch (e) {
      if (!(e instanceof DreamError) || !/^refused to restore/.test(e.message) || a.force) throw e;
      const pick = await vscode.window.showWarningMessage(`Dream: ${e.message.replace(/ Look at the file.*$/, '')}`, 'Restore Anyway');
      if (pick !== 'Restore Anyway') return undefined;
      r = restoreRun({ workspace: a.folder, runId: a.runId, changes: a.changes, force: true });
    }
    for (const line of r.recovery) log.warn(line);
    tree.refresh();
    if (!r.record) {
      void vscode.window.showInformationMessage(`Dream: nothing to restore; ${what} is already as it was before the run.`);
      return r;
    }
    log.info(`restored ${r.record.paths.length} file(s) of run ${a.runId}: ${r.record.paths.map((p) => p.path).join(', ')}`);
    void vscode.window.showInformationMessage(
      a.changes.length
        ? `Dream: restored ${what} as it was before run ${a.runId}.`
        : `Dream: restored ${r.record.paths.length} file(s) of run ${a.runId} as they were before it.`,
    );
    return r;
  };

  return [
    reg('dream.restoreChange', async (arg?: unknown) => {
      const a = restoreArgs(arg ?? vscode.window.activeTextEditor?.document.uri, false);
      if (!a) {
        void vscode.window.showWarningMessage('Dream: pick a change in the Dream runs view (or open its diff) to restore it.');
        return undefined;
      }
      return restore(a);
    }),

    reg('dream.restoreRun', async (arg?: unknown) => {
      const a = restoreArgs(arg, true);
      if (!a) {
        void vscode.window.showWarningMessage('Dream: pick a run in the Dream runs view to restore it.');
        return undefined;
      }
      if (!a.confirmed) {
        const ok = await vscode.window.showWarningMessage(
          `Restore every change of run ${a.runId}? Each file gets its bytes from before the run back (newest change first); files changed since are refused.`,
          { modal: true },
          'Restore Whole Run',
        );
        if (ok !== 'Restore Whole Run') return undefined;
      }
      return restore(a);
    }),

    reg('dream.archiveReview', async (arg?: unknown) => {
      const o = asObject(arg);
      const folder = typeof o?.folder === 'string' ? o.folder : await s.folders.pick('Archive These', controller.folder);
      const paths = Array.isArray(o?.paths) ? o.paths.map(String) : [];
      if (!folder || !paths.length) return undefined;
      if (controller.running && controller.folder === folder) {
        void vscode.window.showWarningMessage('Dream: a run is in progress here; archive after it ends.');
        return undefined;
      }
      if (o?.confirmed !== true) {
        const ok = await vscode.window.showWarningMessage(
          `Archive ${paths.length} note${paths.length === 1 ? '' : 's'} after your look? They move to .agents/learnings/.archive/ (nothing is deleted).`,
          { modal: true },
          'Archive These',
        );
        if (ok !== 'Archive These') return undefined;
      }
      const r = archiveLearnings({ workspace: folder, paths, reason: 'archived after review in VS Code' });
      log.info(`archived ${paths.length} note(s) after review`);
      tree.refresh();
      void vscode.window.showInformationMessage(`Dream: archived ${paths.length} note${paths.length === 1 ? '' : 's'}.`);
      return r;
    }),
  ];
}
