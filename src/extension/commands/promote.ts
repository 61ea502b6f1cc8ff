// A person promotes a draft from knowledge/pending/ to learnings/; Dream never does.
import fs from 'node:fs';
import * as vscode from 'vscode';
import { abs, CorpusWriter } from '../../engine';
import { listDrafts, promotedBytes, promotionTarget } from '../../lanes/curator';
import { asObject, type Register, type Services } from './shared';

export function promoteCommands(s: Services, reg: Register): vscode.Disposable[] {
  const { log, folders } = s;
  return [
    reg('dream.promoteDraft', async (arg?: unknown) => {
      const folder = await folders.pick('Promote Draft');
      if (!folder) return undefined;
      const o = asObject(arg) ?? {};
      const drafts = await listDrafts(folder);
      let draft = typeof o.draft === 'string' ? drafts.find((d) => d.rel === o.draft || d.name === o.draft) : undefined;
      if (typeof o.draft === 'string' && !draft) throw new Error(`no draft ${o.draft} in .agents/knowledge/pending/`);
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
        const ok = await vscode.window.showWarningMessage(
          `Promote "${draft.title}" to .agents/${target}?`,
          {
            modal: true,
            detail:
              'The note moves out of knowledge/pending/ and gets needs_review: false, promoted_by: human and promoted_at. Promote only what you reviewed.',
          },
          'Promote',
        );
        if (ok !== 'Promote') return undefined;
      }
      const bytes = promotedBytes(draft.rel, await fs.promises.readFile(abs(folder, draft.rel)));
      const writer = new CorpusWriter(folder);
      writer.write(target, bytes);
      writer.removeFile(draft.rel);
      log.info(`promoted .agents/${draft.rel} → .agents/${target} (promoted_by: human)`);
      void vscode.window.showTextDocument(vscode.Uri.file(abs(folder, target)), { preview: false });
      return { from: draft.rel, to: target, path: abs(folder, target) };
    }),
  ];
}
