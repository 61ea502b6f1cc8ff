// Scheduler files against their formats, with hostile workspace paths in every one: systemd units
// pass `systemd-analyze verify`; the cron line parses with cron-parser and, run by /bin/sh as cron
// would, hands the CLI the exact arguments; the plist is a valid plist (Python's plistlib) with the
// right keys; the PowerShell script matches its golden file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CronFileParser } from 'cron-parser';
import { cronLine, withCronLine } from '../../src/lanes/setup/schedulers/cron';
import { launchdPlan } from '../../src/lanes/setup/schedulers/launchd';
import { systemdEnv, systemdPlan } from '../../src/lanes/setup/schedulers/systemd';
import { taskSchedulerPlan } from '../../src/lanes/setup/schedulers/taskScheduler';
import { schedulePath, type ScheduleInput } from '../../src/lanes/setup/schedulers/types';
import { rm, tmpDir } from './helpers/fixture';

const HOSTILE = [
  'plain',
  'with space',
  `it's "quoted"`,
  'dollar $HOME and ${PATH}',
  'back`tick` $(uname)',
  '100% done %n %%',
  'ドリーム ünïcødé',
  'back\\slash\\',
  'semi;colon & amp | pipe > gt < lt',
  'smart ‘quotes’ ‚x‛',
];

function needTool(cmd: string, pkg: string): void {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} is missing: install the ${pkg} package (scripts/install-test-deps.sh does)`);
}

describe('setup: scheduler files against their formats', function () {
  this.timeout(60000);
  let root: string;
  before(() => (root = tmpDir('dream-sched-')));
  after(() => rm(root));

  function input(name: string): ScheduleInput {
    const workspace = path.join(root, name);
    fs.mkdirSync(path.join(workspace, '.agents', 'dream', 'scheduler'), { recursive: true });
    return {
      workspace,
      at: '01:30',
      id: 'abc123',
      command: [process.execPath, path.join(workspace, 'cli.js'), 'start', '--workspace', workspace, '--scheduled'],
      // where setup found a runner (a hostile directory too) and node, then the default
      path: schedulePath([path.join(workspace, 'bin', 'codex'), process.execPath], 'linux'),
    };
  }

  it('systemd: .service + .timer pass systemd-analyze verify for every hostile path; Persistent=true', () => {
    needTool('systemd-analyze', 'systemd');
    for (const name of HOSTILE) {
      const s = input(name);
      const agents = path.join(s.workspace, '.agents');
      const plan = systemdPlan(s, agents);
      for (const f of plan.files) fs.writeFileSync(path.join(agents, f.rel), f.content);
      const files = plan.files.map((f) => path.join(agents, f.rel));
      const r = spawnSync('systemd-analyze', ['verify', ...files], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      assert.equal(r.stderr.trim(), '', `${name}: ${r.stderr}`);
      const timer = plan.files[1]!.content;
      assert.match(timer, /^OnCalendar=\*-\*-\* 01:30:00$/m);
      assert.match(timer, /^Persistent=true$/m);
      const exec = /^ExecStart=(.*)$/m.exec(plan.files[0]!.content)![1]!;
      if (name.includes('$')) assert.ok(exec.includes('$$'), 'a $ is written $$');
      const env = /^Environment=(.*)$/m.exec(plan.files[0]!.content)?.[1];
      assert.ok(env, `${name}: the service carries the PATH setup found the runners under`);
      assert.equal(env, systemdEnv('PATH', s.path!));
      assert.ok(env.includes(`${s.workspace.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}/bin:`), env);
      if (name.includes('%')) assert.ok(exec.includes('%%'), 'a % is written %%');
      assert.deepEqual(plan.register[1]!.argv, ['systemctl', '--user', 'enable', '--now', 'dream-abc123.timer']);
    }
  });

  it('cron: the line parses with cron-parser (01:30 daily) and /bin/sh hands the CLI the exact arguments', () => {
    for (const name of HOSTILE) {
      const s = input(name);
      // a stand-in for node that prints the arguments it got
      const echo = path.join(s.workspace, 'echo-args');
      fs.writeFileSync(
        echo,
        `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > "$DREAM_ARGS_OUT"\nprintf '%s' "$PATH" > "$DREAM_ARGS_OUT.path"\n`,
        {
          mode: 0o755,
        },
      );
      const line = cronLine({ ...s, command: [echo, ...s.command.slice(1)] });
      const file = path.join(s.workspace, 'crontab');
      fs.writeFileSync(file, line + '\n');
      const parsed = CronFileParser.parseFileSync(file);
      assert.deepEqual(parsed.errors, {}, name);
      assert.equal(parsed.expressions.length, 1);
      const next = parsed.expressions[0]!.next().toDate();
      assert.equal(`${next.getHours()}:${next.getMinutes()}`, '1:30');
      // what cron does with the command field: unescape \% and hand the rest to /bin/sh -c
      const fields = line.split(' ');
      const command = fields.slice(5).join(' ').replace(/\\%/g, '%');
      assert.ok(!/(^|[^\\])%/.test(fields.slice(5).join(' ')), 'no bare % (cron would cut the line there)');
      fs.mkdirSync(path.join(s.workspace, '.agents', 'overnight'), { recursive: true });
      const outFile = path.join(s.workspace, 'args.out');
      const r = spawnSync('/bin/sh', ['-c', command], { env: { DREAM_ARGS_OUT: outFile, PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const got = fs.readFileSync(outFile, 'utf8').split('\0').slice(0, -1);
      assert.deepEqual(got, s.command.slice(1), name);
      assert.equal(fs.readFileSync(outFile + '.path', 'utf8'), s.path, `${name}: the run gets setup's PATH`);
      assert.ok(fs.existsSync(path.join(s.workspace, '.agents', 'overnight', 'cron.log')), 'the log lands in .agents/overnight');
    }
  });

  it('cron: putting the line in keeps every other line and is idempotent; removing takes out only Dream', () => {
    const mine = cronLine(input('plain'));
    const existing = 'MAILTO=me@example.com\n# backups\n0 3 * * * /usr/local/bin/backup --all\n';
    const once = withCronLine(existing, mine, 'abc123');
    assert.equal(once, existing + mine + '\n');
    assert.equal(withCronLine(once, mine, 'abc123'), once, 'idempotent');
    const other = withCronLine(once, cronLine({ ...input('plain'), id: 'zzz999' }), 'zzz999');
    assert.equal(other.split('\n').filter((l) => l.includes('# dream:')).length, 2, 'another workspace keeps its own line');
    assert.equal(withCronLine(once, null, 'abc123'), existing);
    assert.equal(withCronLine('', null, 'abc123'), '');
  });

  it('cron refuses a path with a line break (a crontab line cannot hold one)', () => {
    assert.throws(() => cronLine({ ...input('plain'), command: ['/usr/bin/node', '/a\nb/cli.js'] }), /line break/);
  });

  it('launchd: a valid plist with Label, ProgramArguments (exact), StartCalendarInterval Hour/Minute', () => {
    const py = spawnSync('python3', ['--version']);
    if (py.error) throw new Error('python3 is missing (scripts/install-test-deps.sh installs it)');
    for (const name of HOSTILE) {
      const s = input(name);
      const plan = launchdPlan(s, path.join(s.workspace, '.agents'), 501);
      const file = path.join(s.workspace, 'x.plist');
      fs.writeFileSync(file, plan.files[0]!.content);
      const r = spawnSync('python3', ['-c', 'import plistlib,sys,json; print(json.dumps(plistlib.load(open(sys.argv[1],"rb"))))', file], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      const p = JSON.parse(r.stdout);
      assert.equal(p.Label, 'dev.dream.bedtime.abc123');
      assert.deepEqual(p.ProgramArguments, s.command);
      assert.deepEqual(p.EnvironmentVariables, { PATH: s.path }, `${name}: the run gets setup's PATH`);
      assert.deepEqual(p.StartCalendarInterval, { Hour: 1, Minute: 30 });
      assert.equal(p.StandardOutPath, path.join(s.workspace, '.agents', 'overnight', 'launchd.log'));
      assert.deepEqual(plan.register[0]!.argv, [
        'launchctl',
        'bootstrap',
        'gui/501',
        path.join(s.workspace, '.agents', 'dream', 'scheduler', 'dev.dream.bedtime.abc123.plist'),
      ]);
    }
  });

  it('task-scheduler: the registration script matches its golden file (hostile path included)', () => {
    const ws = 'C:\\Users\\Zoë\\it\'s "my" $repo `x` 100%\\';
    const plan = taskSchedulerPlan(
      {
        workspace: ws,
        at: '01:30',
        id: 'abc123',
        command: ['C:\\Program Files\\nodejs\\node.exe', 'C:\\dream\\cli.js', 'start', '--workspace', ws, '--scheduled'],
      },
      'C:\\agents',
    );
    const golden = path.resolve(__dirname, '../../../test/unit/golden/register-dream.ps1');
    const got = plan.files[0]!.content;
    if (process.env.DREAM_UPDATE_GOLDEN) fs.writeFileSync(golden, got);
    assert.equal(got, fs.readFileSync(golden, 'utf8'));
  });
});
