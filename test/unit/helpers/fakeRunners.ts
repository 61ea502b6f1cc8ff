// Stand-in `codex` and `claude` executables (node scripts put first on PATH) for the council tests.
// Each records its argv, cwd, environment and stdin in FAKE_RECORD_DIR and answers as its mode says
// (FAKE_CODEX_MODE / FAKE_CLAUDE_MODE). They speak the real CLIs' output conventions: codex writes
// its last message to the `-o` file, claude prints one JSON result envelope on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { tmpDir } from './fixture';

export type FakeMode =
  | 'valid'
  | 'invalid-json'
  | 'mismatch'
  | 'wrong-runner'
  | 'empty'
  | 'not-logged-in'
  | 'slow'
  | 'slow-stubborn'
  | 'write'
  | 'leave-child'
  | 'exit-error';

const SCRIPT = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const runner = path.basename(process.argv[1]).replace(/\.js$/, '');
const mode = process.env['FAKE_' + runner.toUpperCase() + '_MODE'] || 'valid';
const dir = process.env.FAKE_RECORD_DIR;
let stdin = '';
try { stdin = fs.readFileSync(0, 'utf8'); } catch (e) { stdin = '<unreadable: ' + e.code + '>'; }
const args = process.argv.slice(2);
const rec = { runner, mode, argv: args, cwd: process.cwd(), env: process.env, stdin, pid: process.pid };
fs.writeFileSync(path.join(dir, runner + '.json'), JSON.stringify(rec, null, 2));
const custom = process.env['FAKE_' + runner.toUpperCase() + '_REPORT'];
const report = custom ? JSON.parse(custom) : {
  runner, headline: runner + ' says the night went fine', recommended_kind: 'validate',
  recommended_first_action: 'Run the test suite against the merged notes', risks: ['stale citations'],
  opportunities: ['promote two learnings'], confidence: 'medium', wildcard_idea: '',
};
function answer(obj) {
  if (runner === 'codex') {
    const i = args.indexOf('-o');
    fs.writeFileSync(args[i + 1], typeof obj === 'string' ? obj : JSON.stringify(obj));
    process.stdout.write('codex: done\n');
  } else if (typeof obj === 'string') {
    process.stdout.write(JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: obj, session_id: 's' }));
  } else {
    process.stdout.write(JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: '', structured_output: obj, session_id: 's' }));
  }
}
function grandchild() {
  const c = spawn(process.execPath, ['-e', 'process.on("SIGTERM",()=>{});setInterval(()=>{},1000)'], { stdio: 'ignore' });
  fs.writeFileSync(path.join(dir, runner + '.grandchild.pid'), String(c.pid));
  return c;
}
switch (mode) {
  case 'valid': answer(report); break;
  case 'invalid-json': answer('{"runner": "' + runner + '", this is not json'); break;
  case 'mismatch': answer({ ...report, recommended_kind: 'celebrate', headline: undefined }); break;
  case 'wrong-runner': answer({ ...report, runner: 'gemini' }); break;
  case 'empty': if (runner === 'codex') answer(''); break;
  case 'not-logged-in':
    process.stdout.write(JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: 'Not logged in · Please run /login', session_id: 's' }));
    process.exitCode = 1;
    break;
  case 'exit-error': process.stderr.write('something went wrong\nfatal: no credentials\n'); process.exitCode = 3; break;
  case 'write':
    fs.writeFileSync(path.join(process.cwd(), 'pwned.txt'), 'the council wrote this');
    fs.appendFileSync(path.join(process.cwd(), 'README.md'), 'edited\n');
    answer(report);
    break;
  case 'leave-child': grandchild().unref(); answer(report); break;
  case 'slow':
  case 'slow-stubborn':
    if (mode === 'slow-stubborn') process.on('SIGTERM', () => {});
    grandchild();
    fs.writeFileSync(path.join(dir, runner + '.started'), '');
    setInterval(() => {}, 1000);
    break;
}
`;

export interface FakeRunners {
  bin: string;
  records: string;
  /** env for the lane: PATH with the stand-ins first, modes, the record folder */
  env(modes: Partial<Record<'codex' | 'claude', FakeMode>>, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  record(runner: 'codex' | 'claude'): { argv: string[]; cwd: string; env: Record<string, string>; stdin: string; pid: number } | null;
  grandchildPid(runner: 'codex' | 'claude'): number | null;
  cleanup(): void;
}

export function fakeRunners(names: readonly string[] = ['codex', 'claude']): FakeRunners {
  const bin = tmpDir('dream-fake-runners-');
  const records = tmpDir('dream-fake-records-');
  const script = path.join(bin, 'fake-runner.js');
  fs.writeFileSync(script, SCRIPT);
  for (const n of names) {
    fs.writeFileSync(path.join(bin, `${n}.js`), `require(${JSON.stringify(script)});\n`);
    fs.writeFileSync(
      path.join(bin, n),
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(bin, `${n}.js`))} "$@"\n`,
      {
        mode: 0o755,
      },
    );
  }
  return {
    bin,
    records,
    env(modes, extra = {}) {
      return {
        ...process.env,
        PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
        FAKE_RECORD_DIR: records,
        ...(modes.codex ? { FAKE_CODEX_MODE: modes.codex } : {}),
        ...(modes.claude ? { FAKE_CLAUDE_MODE: modes.claude } : {}),
        ...extra,
      };
    },
    record(runner) {
      const f = path.join(records, `${runner}.json`);
      return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : null;
    },
    grandchildPid(runner) {
      const f = path.join(records, `${runner}.grandchild.pid`);
      return fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8')) : null;
    },
    cleanup() {
      fs.rmSync(bin, { recursive: true, force: true });
      fs.rmSync(records, { recursive: true, force: true });
    },
  };
}

/** alive and not a zombie waiting for its reaper */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = s.slice(s.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform !== 'linux';
  }
}
