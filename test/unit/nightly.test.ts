// The in-editor scheduler with a fake clock: once per night across two windows and a reload; a
// missed time runs at the next open if the night is not over, not after the morning.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NightlyScheduler, nightAt, type Clock } from '../../src/lanes/setup/nightly';
import { makeWorkspace, rm } from './helpers/fixture';

class FakeClock implements Clock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  constructor(public t: number) {}
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown) {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  /** moves time forward, firing every timer that falls due, in order */
  advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

const local = (y: number, mo: number, d: number, h: number, mi: number) => new Date(y, mo - 1, d, h, mi).getTime();
const H = 3_600_000;

describe('in-editor scheduler (fake clock)', () => {
  let ws: string;
  beforeEach(() => (ws = makeWorkspace({ learnings: 1 })));
  afterEach(() => rm(ws));

  it('nightAt: the night of a scheduled time lasts until the morning', () => {
    const n = nightAt(local(2026, 11, 25, 2, 0), '23:30');
    assert.equal(n.key, '2026-11-24');
    assert.equal(n.start, local(2026, 11, 24, 23, 30));
    assert.equal(n.end, local(2026, 11, 25, 7, 0));
    assert.equal(n.next, local(2026, 11, 25, 23, 30));
    const early = nightAt(local(2026, 11, 25, 1, 0), '01:30');
    assert.equal(early.key, '2026-11-24', 'before 01:30 the latest time is yesterday');
    assert.ok(early.end <= local(2026, 11, 25, 1, 0), 'and its night is over');
  });

  it('fires once per night across two windows and a reload, and again the next night', async () => {
    const clock = new FakeClock(local(2026, 11, 24, 20, 0));
    const starts: string[] = [];
    const make = (name: string) =>
      new NightlyScheduler({ workspace: ws, scheduleAt: () => '01:30', clock, start: (night) => void starts.push(`${name}:${night}`) });
    const a = make('A');
    const b = make('B');
    a.begin();
    b.begin();
    clock.advance(5 * H); // 01:00: not yet
    assert.deepEqual(starts, []);
    clock.advance(H); // 02:00: past 01:30
    await new Promise((r) => setImmediate(r));
    assert.equal(starts.length, 1, `one start across two windows: ${starts}`);
    assert.match(starts[0]!, /^[AB]:2026-11-25$/);
    a.dispose(); // a reload of window A during the same night
    const a2 = make('A2');
    a2.begin();
    clock.advance(H);
    await new Promise((r) => setImmediate(r));
    assert.equal(starts.length, 1, 'the reload does not start it again');
    clock.advance(24 * H); // the next night
    await new Promise((r) => setImmediate(r));
    assert.equal(starts.length, 2, `${starts}`);
    assert.match(starts[1]!, /:2026-11-26$/);
    assert.ok(fs.existsSync(path.join(ws, '.agents/overnight/in-editor/2026-11-25.night')));
    b.dispose();
    a2.dispose();
  });

  it('a missed time runs at the next open if the night is not over, not after the morning', async () => {
    const starts: string[] = [];
    const at3 = new FakeClock(local(2026, 11, 25, 3, 0)); // the machine slept through 01:30, opened at 03:00
    const s1 = new NightlyScheduler({ workspace: ws, scheduleAt: () => '01:30', clock: at3, start: (n) => void starts.push(n) });
    s1.begin();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(starts, ['2026-11-25']);
    s1.dispose();
    const ws2 = makeWorkspace({ learnings: 1 });
    try {
      const at9 = new FakeClock(local(2026, 11, 25, 9, 0)); // opened after the morning
      const s2 = new NightlyScheduler({
        workspace: ws2,
        scheduleAt: () => '01:30',
        clock: at9,
        start: (n) => void starts.push(`late:${n}`),
      });
      s2.begin();
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(starts, ['2026-11-25'], 'the night is over: no run at 09:00');
      at9.advance(17 * H); // 02:00 the next night
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(starts, ['2026-11-25', 'late:2026-11-26']);
      s2.dispose();
    } finally {
      rm(ws2);
    }
  });

  it('no schedule (empty or invalid scheduleAt): never fires; a failing start is logged, not thrown', async () => {
    const clock = new FakeClock(local(2026, 11, 25, 2, 0));
    let at = '';
    const logs: string[] = [];
    const s = new NightlyScheduler({
      workspace: ws,
      scheduleAt: () => at,
      clock,
      log: (l) => logs.push(l),
      start: () => {
        throw new Error('already running (pid 1)');
      },
    });
    s.begin();
    clock.advance(48 * H);
    assert.deepEqual(logs, []);
    at = '01:00';
    s.tick();
    await new Promise((r) => setImmediate(r));
    assert.match(logs.join('\n'), /the run did not start: already running/);
    s.dispose();
  });
});
