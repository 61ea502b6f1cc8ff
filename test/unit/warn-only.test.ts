// The repository-wide warn-only rescue budget (upstream warn_only_budget tests, adapted).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_WARN_ONLY_BUDGET,
  decrementWarnOnlyBudget,
  readWarnOnlyBudget,
  resetWarnOnlyBudget,
  warnOnlyBudgetPath,
  writeWarnOnlyBudget,
} from '../../src/engine/run/warnOnly';

describe('warn-only budget', () => {
  let ws: string;
  let file: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-warnonly-'));
    fs.mkdirSync(path.join(ws, '.agents', 'overnight'), { recursive: true });
    file = warnOnlyBudgetPath(ws);
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  const put = (content: unknown) => fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));

  it('lives at .agents/overnight/warn-only-budget.json', () => {
    assert.equal(file, path.join(ws, '.agents', 'overnight', 'warn-only-budget.json'));
  });

  it('missing file: default 3, silently', () => {
    assert.equal(DEFAULT_WARN_ONLY_BUDGET, 3);
    const r = readWarnOnlyBudget(ws);
    assert.deepEqual(r.notes, []);
    assert.equal(r.budget.remaining, 3);
    assert.equal(r.budget.initial_budget, 3);
    assert.equal(r.budget.version, 1);
    assert.equal(fs.existsSync(file), false, 'reading does not create the file');
  });

  it('missing file with a configured default uses it', () => {
    const r = readWarnOnlyBudget(ws, 7);
    assert.equal(r.budget.remaining, 7);
    assert.equal(r.budget.initial_budget, 7);
    assert.deepEqual(r.notes, []);
  });

  it('corrupt JSON: default with a "corrupt" note', () => {
    put('{"version": 1, "remaining": ');
    const r = readWarnOnlyBudget(ws);
    assert.equal(r.budget.remaining, 3);
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0]!, /corrupt/);
  });

  it('JSON of the wrong shape: default with a "corrupt" note', () => {
    put({ remaining: 'lots' });
    const r = readWarnOnlyBudget(ws);
    assert.equal(r.budget.remaining, 3);
    assert.match(r.notes.join('\n'), /corrupt/);
  });

  it('a folder where the file should be: default with an "unreadable" note', () => {
    fs.mkdirSync(file);
    const r = readWarnOnlyBudget(ws);
    assert.equal(r.budget.remaining, 3);
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0]!, /unreadable/);
  });

  it('negative remaining is clamped to 0 with a "negative" note', () => {
    put({ version: 1, remaining: -2, initial_budget: 3 });
    const r = readWarnOnlyBudget(ws);
    assert.equal(r.budget.remaining, 0);
    assert.equal(r.budget.initial_budget, 3);
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0]!, /negative/);
    assert.match(r.notes[0]!, /out-of-range/);
  });

  it('remaining above the initial budget is clamped with an "out-of-range" note', () => {
    put({ version: 1, remaining: 9, initial_budget: 4 });
    const r = readWarnOnlyBudget(ws);
    assert.equal(r.budget.remaining, 4);
    assert.equal(r.budget.initial_budget, 4);
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0]!, /out-of-range/);
  });

  it('version 0 becomes 1; initial <= 0 becomes the default', () => {
    put({ version: 0, remaining: 1, initial_budget: 0 });
    const r = readWarnOnlyBudget(ws);
    assert.equal(r.budget.version, 1);
    assert.equal(r.budget.initial_budget, 3);
    assert.equal(r.budget.remaining, 1);
    assert.deepEqual(r.notes, []);
  });

  it('a valid file is read as it is, without notes', () => {
    put({ version: 1, remaining: 2, initial_budget: 5, last_reset_at: '2026-11-20T00:00:00.000Z', last_decrement_at: null });
    const r = readWarnOnlyBudget(ws);
    assert.deepEqual(r.notes, []);
    assert.deepEqual(r.budget, {
      version: 1,
      remaining: 2,
      initial_budget: 5,
      last_reset_at: '2026-11-20T00:00:00.000Z',
      last_decrement_at: null,
    });
  });

  it('writes are atomic: no .tmp file is left behind, and the file round-trips', () => {
    for (let i = 0; i < 10; i++)
      writeWarnOnlyBudget(ws, { version: 1, remaining: i % 4, initial_budget: 3 + (i % 2), last_reset_at: null, last_decrement_at: null });
    const names = fs.readdirSync(path.dirname(file));
    assert.deepEqual(names, ['warn-only-budget.json']);
    const r = readWarnOnlyBudget(ws);
    assert.equal(r.budget.remaining, 1);
    assert.equal(r.budget.initial_budget, 4);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).version, 1);
  });

  it('reset(5) -> 5/5, persisted with last_reset_at', () => {
    const now = new Date('2026-11-23T08:00:00.000Z');
    const b = resetWarnOnlyBudget(ws, 5, now);
    assert.equal(b.remaining, 5);
    assert.equal(b.initial_budget, 5);
    assert.equal(b.path, file);
    assert.equal(b.last_reset_at, '2026-11-23T08:00:00.000Z');
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(onDisk.remaining, 5);
    assert.equal(onDisk.initial_budget, 5);
    assert.equal(onDisk.version, 1);
    assert.deepEqual(readWarnOnlyBudget(ws).notes, []);
  });

  it('reset(0) -> zero rescues; reset() -> the default 3', () => {
    put({ version: 1, remaining: 2, initial_budget: 8 });
    const b = resetWarnOnlyBudget(ws, 0);
    assert.equal(b.remaining, 0);
    assert.equal(b.initial_budget, 0);
    assert.equal(readWarnOnlyBudget(ws).budget.remaining, 0);
    const d = resetWarnOnlyBudget(ws);
    assert.equal(d.remaining, 3);
    assert.equal(d.initial_budget, 3);
  });

  it('reset repairs a corrupt file', () => {
    put('garbage');
    resetWarnOnlyBudget(ws, 4);
    const r = readWarnOnlyBudget(ws);
    assert.deepEqual(r.notes, []);
    assert.equal(r.budget.remaining, 4);
  });

  it('decrement 2 -> 1 (not exhausted) -> 0 (exhausted) -> stays 0 (exhausted)', () => {
    const start = { version: 1, remaining: 2, initial_budget: 3, last_reset_at: null, last_decrement_at: null };
    const t = new Date('2026-11-23T04:00:00.000Z');
    const a = decrementWarnOnlyBudget(ws, start, t);
    assert.equal(a.budget.remaining, 1);
    assert.equal(a.exhausted, false);
    assert.equal(a.budget.last_decrement_at, '2026-11-23T04:00:00.000Z');
    assert.equal(readWarnOnlyBudget(ws).budget.remaining, 1, 'persisted');

    const b = decrementWarnOnlyBudget(ws, a.budget, t);
    assert.equal(b.budget.remaining, 0);
    assert.equal(b.exhausted, true);
    assert.equal(readWarnOnlyBudget(ws).budget.remaining, 0);

    const c = decrementWarnOnlyBudget(ws, b.budget, t);
    assert.equal(c.budget.remaining, 0);
    assert.equal(c.exhausted, true);
    const r = readWarnOnlyBudget(ws);
    assert.equal(r.budget.remaining, 0);
    assert.deepEqual(r.notes, []);
    assert.equal(r.budget.initial_budget, 3);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['warn-only-budget.json']);
  });

  it('decrement does not mutate the budget object passed in', () => {
    const start = { version: 1, remaining: 2, initial_budget: 3, last_reset_at: null, last_decrement_at: null };
    decrementWarnOnlyBudget(ws, start);
    assert.equal(start.remaining, 2);
  });
});
