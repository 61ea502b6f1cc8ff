// Keep-awake with a stand-in systemd-inhibit on PATH that records its arguments and lifetime: the
// inhibitor is there while the run runs and gone after it (and after a crash); missing, the run
// goes on and the summary says so once, in plain words.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { keepAwakeCommand, startKeepAwake } from '../../src/host/keepAwake';
import { makeWorkspace, rm, tmpDir } from './helpers/fixture';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
/** running (an exited child not yet reaped — a zombie where no init reaps — counts as ended) */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};
const until = async (what: string, ok: () => boolean, ms = 10000) => {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** a stand-in systemd-inhibit: records its pid, arguments and start, then runs its command as the real one does (its lifetime is that command's) */
function standIn(bin: string, rec: string): void {
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(
    path.join(bin, 'systemd-inhibit'),
    [
      '#!/bin/sh',
      `REC='${rec}'`,
      'echo $$ > "$REC/pid"',
      `printf '%s\\n' "$@" > "$REC/args"`,
      'date +%s > "$REC/start"',
      'while [ $# -gt 0 ]; do case "$1" in --*) shift;; *) break;; esac; done',
      'exec "$@"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
}

function startRun(ws: string, env: NodeJS.ProcessEnv) {
  const p = spawn(process.execPath, [CLI, 'start', '--workspace', ws, '--json', '--max-iterations', '2'], {
    env: { PATH: '/usr/bin:/bin', DREAM_KEEP_AWAKE: 'true', ...env },
  });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; out: string }>((r) => p.on('exit', (code) => r({ code, out })));
  return { p, done };
}

describe('keep-awake', function () {
  this.timeout(60000);
  let ws: string;
  let dir: string;
  beforeEach(() => ((ws = makeWorkspace()), (dir = tmpDir('dream-inhibit-'))));
  afterEach(() => (rm(ws), rm(dir)));

  it('systemd-inhibit holds an idle:sleep inhibitor while the run runs, and none after', async () => {
    const bin = path.join(dir, 'bin');
    const rec = path.join(dir, 'rec');
    fs.mkdirSync(rec);
    standIn(bin, rec);
    const { p, done } = startRun(ws, { PATH: `${bin}:/usr/bin:/bin`, DREAM_TEST_FAULTS: JSON.stringify({ stageDelayMs: 400 }) });
    await until('the inhibitor', () => fs.existsSync(path.join(rec, 'pid')));
    const holder = Number(fs.readFileSync(path.join(rec, 'pid'), 'utf8'));
    assert.ok(alive(holder), 'the inhibitor lives while the run runs');
    const args = fs.readFileSync(path.join(rec, 'args'), 'utf8').trim().split('\n');
    assert.deepEqual(args.slice(0, 4), ['--what=idle:sleep', '--who=Dream', '--why=Dream bedtime run in progress', '--mode=block']);
    assert.equal(args[8], String(p.pid), 'it watches the run process');
    const r = await done;
    assert.equal(r.code, 0);
    const summary = JSON.parse(r.out);
    assert.equal(summary.runtime.keep_awake_mode, 'systemd-inhibit');
    assert.equal(summary.runtime.keep_awake_note, undefined);
    await until('the inhibitor to end', () => !alive(holder), 3000);
  });

  it('a run killed by SIGKILL does not leave the inhibitor behind (it watches the run pid)', async () => {
    const bin = path.join(dir, 'bin');
    const rec = path.join(dir, 'rec');
    fs.mkdirSync(rec);
    standIn(bin, rec);
    const { p, done } = startRun(ws, { PATH: `${bin}:/usr/bin:/bin`, DREAM_TEST_FAULTS: JSON.stringify({ stageDelayMs: 2000 }) });
    await until('the inhibitor', () => fs.existsSync(path.join(rec, 'pid')));
    const holder = Number(fs.readFileSync(path.join(rec, 'pid'), 'utf8'));
    p.kill('SIGKILL');
    await done;
    await until('the inhibitor to end after the crash', () => !alive(holder), 6000);
  });

  it('missing: the run goes on and the summary says so once, in plain words', async () => {
    const { done } = startRun(ws, { PATH: path.join(dir, 'empty') });
    const r = await done;
    assert.equal(r.code, 0);
    const s = JSON.parse(r.out);
    assert.equal(s.status, 'done');
    assert.equal(s.runtime.keep_awake_mode, 'unavailable');
    const line = 'could not keep the machine awake: systemd-inhibit is not available';
    assert.equal(s.runtime.keep_awake_note, line);
    assert.equal(s.degraded.filter((d: string) => d.includes('keep the machine awake')).length, 1);
    const md = fs.readFileSync(path.join(ws, '.agents/overnight/latest/summary.md'), 'utf8');
    const degraded = md.slice(md.indexOf('## Degraded'));
    assert.equal(degraded.split(line).length - 1, 1, 'listed once under Degraded');
    assert.match(md, /^- Keep-awake: asked for, but not available on this machine \(see what degraded\)$/m);
    assert.doesNotMatch(md, /Keep awake: true via/);
  });

  it('a helper that fails at once is reported with its own words; each OS gets its own holder', async () => {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'systemd-inhibit'),
      '#!/bin/sh\necho "Failed to connect to bus: No such file or directory" >&2\nexit 1\n',
      {
        mode: 0o755,
      },
    );
    const k = await startKeepAwake(true, 60000, { platform: 'linux', env: { PATH: bin } });
    assert.equal(k.mode, 'unavailable');
    assert.equal(
      k.note,
      'could not keep the machine awake: systemd-inhibit stopped at once (Failed to connect to bus: No such file or directory)',
    );
    assert.equal((await startKeepAwake(false, 1000)).mode, 'disabled');
    fs.writeFileSync(path.join(bin, 'caffeinate'), '#!/bin/sh\n', { mode: 0o755 });
    assert.deepEqual(keepAwakeCommand('darwin', 42, 600, { PATH: bin }), { cmd: 'caffeinate', args: ['-i', '-w', '42', '-t', '600'] });
    fs.writeFileSync(path.join(bin, 'powershell'), '#!/bin/sh\n', { mode: 0o755 });
    const win = keepAwakeCommand('win32', 42, 600, { PATH: bin, PATHEXT: '' });
    assert.ok(
      'cmd' in win && win.args.at(-1)!.includes('SetThreadExecutionState(0x80000001)') && win.args.at(-1)!.includes('Get-Process -Id 42'),
    );
    assert.deepEqual(keepAwakeCommand('aix', 42, 600, { PATH: bin }), { missing: 'Dream cannot keep a aix machine awake' });
  });
});
