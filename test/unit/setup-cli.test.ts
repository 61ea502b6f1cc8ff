// `dream setup` end to end on this Linux machine, with stand-in systemctl and crontab on PATH that
// record what they are asked: preview writes nothing, --apply writes units systemd-analyze accepts
// and prints the registration command, nothing is registered without --yes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { corpusHash, makeWorkspace, rm, tmpDir } from './helpers/fixture';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

describe('dream setup (CLI)', function () {
  this.timeout(60000);
  let ws: string;
  let bin: string;
  let log: string;
  let tab: string;
  beforeEach(() => {
    ws = makeWorkspace({ learnings: 2 });
    bin = tmpDir('dream-bin-');
    log = path.join(bin, 'calls.log');
    tab = path.join(bin, 'crontab.txt');
    fs.writeFileSync(path.join(bin, 'systemctl'), `#!/bin/sh\necho "systemctl $*" >> "${log}"\n`, { mode: 0o755 });
    fs.writeFileSync(
      path.join(bin, 'crontab'),
      `#!/bin/sh\necho "crontab $*" >> "${log}"\nif [ "$1" = "-l" ]; then [ -f "${tab}" ] && cat "${tab}" && exit 0; echo "no crontab for dream" >&2; exit 1; fi\ncat > "${tab}"\n`,
      { mode: 0o755 },
    );
  });
  afterEach(() => (rm(ws), rm(bin)));

  const dream = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, 'setup', '--workspace', ws, ...args], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: bin, DREAM_LOCAL_CURATOR: '{"ollamaUrl":"http://127.0.0.1:9"}' },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');

  it('preview writes nothing and registers nothing', () => {
    const before = corpusHash(ws);
    const r = dream('--scheduler', 'systemd', '--at', '01:30');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^# Dream Setup/);
    assert.match(r.out, /Nothing written/);
    assert.equal(corpusHash(ws), before);
    assert.equal(fs.existsSync(path.join(ws, '.agents/dream/config.yaml')), false);
    assert.equal(calls(), '');
  });

  it('--apply --scheduler systemd --at 01:30: units systemd-analyze accepts, the command printed, nothing registered; --yes registers', () => {
    const r = dream('--apply', '--scheduler', 'systemd', '--at', '01:30');
    assert.equal(r.code, 0, r.err);
    const dir = path.join(ws, '.agents/dream/scheduler');
    const units = fs.readdirSync(dir).map((f) => path.join(dir, f));
    assert.equal(units.length, 2);
    const v = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8' });
    if (v.error) throw new Error('systemd-analyze is missing: install the systemd package (scripts/install-test-deps.sh does)');
    assert.equal(v.status, 0, v.stderr);
    const timer = path.basename(units.find((u) => u.endsWith('.timer'))!);
    assert.match(timer, /^dream-[0-9a-f]{10}\.timer$/);
    assert.ok(r.out.includes(`systemctl --user enable --now ${timer}`), r.out);
    assert.match(r.out, /Written, not registered/);
    assert.equal(calls(), '', 'nothing registered without --yes');
    const cfg = YAML.parse(fs.readFileSync(path.join(ws, '.agents/dream/config.yaml'), 'utf8'));
    assert.equal(cfg.dream.scheduler, 'systemd');
    assert.equal(cfg.dream.scheduleAt, '01:30');
    const yes = dream('--apply', '--scheduler', 'systemd', '--at', '01:30', '--yes', '--json');
    assert.equal(yes.code, 0, yes.err);
    const j = JSON.parse(yes.out);
    assert.equal(j.status, 'registered');
    assert.deepEqual(calls().trim().split('\n'), [
      `systemctl --user link ${units.find((u) => u.endsWith('.service'))} ${units.find((u) => u.endsWith('.timer'))}`,
      `systemctl --user enable --now ${timer}`,
    ]);
    const rm1 = dream('--remove', '--yes');
    assert.equal(rm1.code, 0, rm1.err);
    assert.match(calls(), new RegExp(`systemctl --user disable --now ${timer}`));
    assert.equal(YAML.parse(fs.readFileSync(path.join(ws, '.agents/dream/config.yaml'), 'utf8')).dream.scheduler, 'manual');
  });

  it('cron with --yes: one line appended, existing entries kept, idempotent; --remove takes only it out', () => {
    fs.writeFileSync(tab, '# mine\n0 3 * * * /usr/local/bin/backup\n');
    assert.equal(dream('--apply', '--scheduler', 'cron', '--at', '23:45', '--yes').code, 0);
    assert.equal(dream('--apply', '--scheduler', 'cron', '--at', '23:45', '--yes').code, 0);
    const lines = fs.readFileSync(tab, 'utf8').trim().split('\n');
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.deepEqual(lines.slice(0, 2), ['# mine', '0 3 * * * /usr/local/bin/backup']);
    assert.match(lines[2]!, /^45 23 \* \* \* .* start --workspace .* --scheduled >> .*cron\.log 2>&1 # dream:[0-9a-f]{10}$/);
    const r = dream('--remove');
    assert.equal(r.code, 0);
    assert.equal(fs.readFileSync(tab, 'utf8').trim().split('\n').length, 3, 'not removed without --yes');
    assert.equal(dream('--remove', '--yes').code, 0);
    assert.equal(fs.readFileSync(tab, 'utf8'), '# mine\n0 3 * * * /usr/local/bin/backup\n');
  });

  it('bad input: invalid --at, a scheduler this OS lacks, --yes without --apply are usage errors; unknown runners warn', () => {
    const at = dream('--at', '25:00');
    assert.equal(at.code, 2);
    assert.equal(at.err, 'dream: --at "25:00": expected HH:MM in 24-hour local time, such as 01:30\n');
    const mac = dream('--scheduler', 'launchd', '--at', '01:00');
    assert.equal(mac.code, 2);
    assert.equal(mac.err, 'dream: --scheduler "launchd": not available on this machine (macOS only)\n');
    const bad = dream('--scheduler', 'at');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^dream: --scheduler "at": expected one of auto, in-editor, systemd, cron, launchd, task-scheduler, manual\n$/);
    assert.equal(dream('--yes').code, 2);
    const w = dream('--runner', 'gpt9,gemini', '--json');
    assert.equal(w.code, 0, w.err);
    const j = JSON.parse(w.out);
    assert.ok(j.warnings.some((x: string) => /unknown runner "gpt9"/.test(x)));
    assert.ok(j.warnings.some((x: string) => /"gemini"/.test(x)));
    assert.equal(j.status, 'preview');
  });
});
