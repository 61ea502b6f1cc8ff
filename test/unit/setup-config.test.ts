// config.yaml merge: unrelated keys, comments, key spelling and quoting kept; the result is valid.
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { mergeConfigText } from '../../src/lanes/setup/configFile';

describe('setup: config.yaml merge', () => {
  it('keeps unrelated keys and every comment; updates in place with the spelling already there', () => {
    const before = [
      '# team settings: ask Ana before changing',
      'dream:',
      '  # a long night',
      '  run_timeout: 6h # six hours',
      '  schedule_at: "22:00"',
      '  localCurator:',
      '    enabled: true',
      'other_tool:',
      '  keep: [1, 2] # untouched',
      '',
    ].join('\n');
    const after = mergeConfigText(before, { scheduler: 'systemd', scheduleAt: '01:30', runners: ['codex'], keepAwake: false });
    for (const line of [
      '# team settings: ask Ana before changing',
      '  # a long night',
      '  run_timeout: 6h # six hours',
      '  keep: [1, 2] # untouched',
      '    enabled: true',
    ])
      assert.ok(after.includes(line), `kept: ${line}\n${after}`);
    assert.match(after, /^ {2}schedule_at: "01:30"$/m, 'updated in place, quoting kept');
    assert.doesNotMatch(after, /scheduleAt/);
    assert.match(after, /^ {2}scheduler: systemd$/m);
    assert.match(after, /^ {2}keep_awake: false$/m, 'new keys follow the block style (snake_case)');
    const doc = YAML.parse(after);
    assert.deepEqual(doc.other_tool, { keep: [1, 2] });
    assert.deepEqual(doc.dream.runners, ['codex']);
    assert.equal(doc.dream.run_timeout, '6h');
  });

  it('creates the file from nothing, and adds a dream block to a file without one', () => {
    const fresh = YAML.parse(mergeConfigText(null, { scheduler: 'cron', scheduleAt: '23:00' }));
    assert.deepEqual(fresh, { dream: { scheduler: 'cron', scheduleAt: '23:00' } });
    const other = mergeConfigText('# mine\nfoo: bar\n', { scheduler: 'manual' });
    assert.match(other, /^# mine\nfoo: bar\n/);
    assert.deepEqual(YAML.parse(other), { foo: 'bar', dream: { scheduler: 'manual' } });
    assert.deepEqual(YAML.parse(mergeConfigText('dream:\n', { scheduler: 'manual' })), { dream: { scheduler: 'manual' } });
  });

  it('refuses broken YAML or a dream value that is not a mapping (nothing to lose)', () => {
    assert.throws(() => mergeConfigText('dream: [\n', { scheduler: 'manual' }), /not valid YAML/);
    assert.throws(() => mergeConfigText('dream: 3\n', { scheduler: 'manual' }), /"dream" must be a mapping/);
    assert.throws(() => mergeConfigText('- a\n- b\n', { scheduler: 'manual' }), /expected a mapping/);
  });
});
