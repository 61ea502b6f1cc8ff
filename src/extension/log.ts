// The "Dream" log output channel (a LogOutputChannel: the user picks the level).
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  constructor() {
    this.channel = vscode.window.createOutputChannel('Dream', { log: true });
  }
  trace(msg: string): void {
    this.channel.trace(msg);
  }
  debug(msg: string): void {
    this.channel.debug(msg);
  }
  info(msg: string): void {
    this.channel.info(msg);
  }
  warn(msg: string): void {
    this.channel.warn(msg);
  }
  error(msg: string | Error): void {
    this.channel.error(msg);
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
