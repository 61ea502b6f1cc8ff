// One way to own and release editor resources (after vscode-pull-request-github's Disposable):
// a class extends Disposable and `_register`s what it creates; dispose() releases all of it once.
import type * as vscode from 'vscode';

export function disposeAll(disposables: vscode.Disposable[]): void {
  while (disposables.length) disposables.shift()?.dispose();
}

/** a Disposable from a plain function (timers, listeners that are not vscode events) */
export function toDisposable(fn: () => void): vscode.Disposable {
  return { dispose: fn };
}

export abstract class Disposable implements vscode.Disposable {
  private _isDisposed = false;
  protected _disposables: vscode.Disposable[] = [];

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    disposeAll(this._disposables);
  }

  /** Releases `value` with this object; registered after dispose(), it is released at once. */
  protected _register<T extends vscode.Disposable>(value: T): T {
    if (this._isDisposed) value.dispose();
    else this._disposables.push(value);
    return value;
  }

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }
}
