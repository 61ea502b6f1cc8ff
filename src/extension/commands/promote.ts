// A person promotes a draft from knowledge/pending/ to learnings/; Dream never does. The draft is
// shown first, then a confirmation; the move goes through the write guard (src/lanes/curator/promote.ts).
import * as vscode from 'vscode';
import { abs } from '../../engine';
import { listDrafts, promoteDraft, promotionTarget } from '../../lanes/curator';
import { asObject, type Register, type Services } from './shared';

export function promoteCommands(s: Services, reg: Register): vscode.Disposable[] {
  const { log, folders } = s;
  return [
    reg('dream.promoteDraft', async (arg?: unknown) => {
      const o = asObject(arg) ?? {};
      // a draft node of the runs tree carries its folder
      const folder = typeof o.folder === 'string' ? o.folder : await folders.pick('Promote Draft');
      if (!folder) return undefined;
      // a tree node or an explorer resource hands over a path
      const given =
        typeof o.draft === 'string' ? o.draft : arg instanceof vscode.Uri ? arg.fsPath : typeof o.path === 'string' ? o.path : undefined;
      const drafts = await listDrafts(folder);
      let draft = given ? drafts.find((d) => d.rel === given || d.name === given || abs(folder, d.rel) === given) : undefined;
      if (given && !draft) throw new Error(`no draft ${given} in .agents/knowledge/pending/`);
      if (!draft) {
        if (!drafts.length) {
          void vscode.window.showInformationMessage('Dream: no drafts in .agents/knowledge/pending/ to promote.');
          return undefined;
        }
        const pick = await vscode.window.showQuickPick(
          drafts.map((d) => ({
            label: d.title,
            description: d.name,
            detail: d.problem ? `cannot promote: ${d.problem}` : `status: ${d.status}${d.needsReview ? ' · needs review' : ''}`,
            d,
          })),
          { title: 'Dream: Promote Draft', placeHolder: 'Pick the draft you reviewed; it moves to .agents/learnings/' },
        );
        if (!pick) return undefined;
        draft = pick.d;
      }
      if (!draft.editable) throw new Error(`cannot promote ${draft.rel}: ${draft.problem ?? 'unreadable'}`);
      const target = promotionTarget(folder, draft.name);
      if (o.confirm !== true) {
        await vscode.window.showTextDocument(vscode.Uri.file(abs(folder, draft.rel)), { preview: true });
        const ok = await vscode.window.showWarningMessage(
          `Promote "${draft.title}" to .agents/${target}?`,
          {
            modal: true,
            detail:
              'The note moves out of knowledge/pending/ and gets needs_review: false, promoted_by: human, promoted_at and promoted_from. Promote only what you reviewed.',
          },
          'Promote',
        );
        if (ok !== 'Promote') return undefined;
      }
      const p = promoteDraft(folder, draft.rel, { trusted: vscode.workspace.isTrusted });
      log.info(`promoted .agents/${p.from} → .agents/${p.to} (promoted_by: human)`);
      void vscode.window.showTextDocument(vscode.Uri.file(abs(folder, p.to)), { preview: false });
      return { ...p, path: abs(folder, p.to) };
    }),
  ];
}
