// The host profile with a faked PATH, fake battery folders and a loopback Ollama; runner selection;
// every probe bounded and cancellable.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { defaultSettings } from '../../src/engine';
import { detectHostProfile, schedulerOptions, selectRunners } from '../../src/lanes/setup';

const lc = (url: string) => ({ ...defaultSettings().localCurator, ollamaUrl: url });
import { rm, tmpDir } from './helpers/fixture';

function fakeBin(dir: string, names: string[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const n of names) fs.writeFileSync(path.join(dir, n), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
}

function ollama(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
      }),
    ),
  );
}

describe('setup: host profile', function () {
  this.timeout(20000);
  let dir: string;
  beforeEach(() => (dir = tmpDir('dream-host-')));
  afterEach(() => rm(dir));

  it('reads runners, schedulers and keep-awake from PATH, a battery from the power-supply folder, Ollama on loopback', async () => {
    const bin = path.join(dir, 'bin');
    fakeBin(bin, ['codex', 'gemini', 'aider', 'systemctl', 'crontab']);
    // a helper that holds its lock (as the real one does while its command runs)
    fs.writeFileSync(path.join(bin, 'systemd-inhibit'), '#!/bin/sh\nexec /bin/sleep 5\n', { mode: 0o755 });
    const ps = path.join(dir, 'power_supply');
    fs.mkdirSync(path.join(ps, 'AC'), { recursive: true });
    fs.writeFileSync(path.join(ps, 'AC', 'type'), 'Mains\n');
    fs.mkdirSync(path.join(ps, 'BAT0'));
    fs.writeFileSync(path.join(ps, 'BAT0', 'type'), 'Battery\n');
    const o = await ollama((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/version') res.end(JSON.stringify({ version: '0.12.3' }));
      else if (req.url === '/api/tags') res.end(JSON.stringify({ models: [{ name: 'gemma4:e4b' }] }));
      else res.writeHead(404).end();
    });
    try {
      const h = await detectHostProfile({ platform: 'linux', env: { PATH: bin }, powerSupplyDir: ps, localCurator: lc(o.url) });
      assert.equal(h.os, 'linux');
      assert.equal(h.has_battery, true);
      assert.equal(h.device_class, 'laptop');
      const r = Object.fromEntries(h.runners.map((x) => [x.name, x]));
      assert.equal(r.codex!.path, path.join(bin, 'codex'));
      assert.equal(r.codex!.supported, true);
      assert.equal(r.claude!.path, null);
      assert.equal(r.gemini!.supported, false);
      assert.match(r.gemini!.note, /cannot run it yet/);
      assert.equal(r.aider!.path, path.join(bin, 'aider'));
      assert.deepEqual(h.ollama, {
        url: o.url,
        reachable: true,
        version: '0.12.3',
        models: ['gemma4:e4b'],
        model: 'gemma4:e4b',
        model_installed: true,
        error: null,
      });
      const s = Object.fromEntries(h.schedulers.map((x) => [x.mode, x]));
      assert.equal(s.systemd!.available, true);
      assert.equal(s.cron!.available, true);
      assert.equal(s.launchd!.available, false);
      assert.equal(s.manual!.recommended, true, 'a laptop is recommended manual');
      assert.equal(h.keep_awake.supported, true);
      assert.equal(h.keep_awake.helper, 'systemd-inhibit');
    } finally {
      await o.close();
    }
  });

  it('a desktop (no battery, only a mains supply) with systemd gets systemd recommended; without tools, manual', async () => {
    const ps = path.join(dir, 'ps');
    fs.mkdirSync(path.join(ps, 'AC'), { recursive: true });
    fs.writeFileSync(path.join(ps, 'AC', 'type'), 'Mains\n');
    const bin = path.join(dir, 'bin');
    fakeBin(bin, ['systemctl']);
    const h = await detectHostProfile({
      platform: 'linux',
      env: { PATH: bin },
      powerSupplyDir: ps,
      localCurator: lc('http://127.0.0.1:9'),
      timeoutMs: 300,
    });
    assert.equal(h.has_battery, false);
    assert.equal(h.schedulers.find((s) => s.recommended)!.mode, 'systemd');
    assert.equal(h.keep_awake.supported, false);
    assert.match(h.keep_awake.note, /systemd-inhibit is not available/);
    assert.equal(h.ollama.reachable, false);
    const empty = await detectHostProfile({
      platform: 'linux',
      env: { PATH: '' },
      powerSupplyDir: path.join(dir, 'none'),
      localCurator: lc('http://127.0.0.1:9'),
      timeoutMs: 300,
    });
    assert.equal(empty.schedulers.find((s) => s.recommended)!.mode, 'manual');
    assert.equal(empty.has_battery, false);
  });

  it('keep-awake: a helper that fails at once (no D-Bus) is reported as a run would report it', async () => {
    const bin = path.join(dir, 'bin');
    fakeBin(bin, ['systemctl']);
    fs.writeFileSync(
      path.join(bin, 'systemd-inhibit'),
      '#!/bin/sh\necho "Failed to connect to bus: No such file or directory" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    const h = await detectHostProfile({
      platform: 'linux',
      env: { PATH: bin },
      powerSupplyDir: path.join(dir, 'none'),
      localCurator: lc('http://127.0.0.1:9'),
      timeoutMs: 300,
    });
    assert.equal(h.keep_awake.supported, false);
    assert.match(h.keep_awake.note, /systemd-inhibit stopped at once \(Failed to connect to bus: No such file or directory\)/);
  });

  it('an Ollama that never answers is bounded by the timeout, and a cancel ends the probe at once', async () => {
    const o = await ollama(() => {
      /* never answers */
    });
    try {
      const env = { PATH: '' };
      const t0 = Date.now();
      const h = await detectHostProfile({ platform: 'linux', env, powerSupplyDir: dir, localCurator: lc(o.url), timeoutMs: 300 });
      assert.ok(Date.now() - t0 < 2000, `bounded: ${Date.now() - t0} ms`);
      assert.equal(h.ollama.reachable, false);
      assert.ok(h.ollama.error, 'says why');
      const ac = new AbortController();
      const t1 = Date.now();
      setTimeout(() => ac.abort(), 100);
      const c = await detectHostProfile({
        platform: 'linux',
        env,
        powerSupplyDir: dir,
        localCurator: lc(o.url),
        timeoutMs: 10000,
        signal: ac.signal,
      });
      assert.ok(Date.now() - t1 < 1500, `cancelled: ${Date.now() - t1} ms`);
      assert.equal(c.ollama.error, 'cancelled');
    } finally {
      await o.close();
    }
  });

  it('macOS and Windows offer their own schedulers; other OSes only in-editor and manual', () => {
    const mac = schedulerOptions('darwin', { PATH: '' }, false);
    assert.equal(mac.find((s) => s.recommended)!.mode, 'launchd');
    assert.equal(schedulerOptions('win32', { PATH: '' }, false).find((s) => s.recommended)!.mode, 'task-scheduler');
    const bsd = schedulerOptions('freebsd', { PATH: '' }, false);
    assert.deepEqual(
      bsd.filter((s) => s.available).map((s) => s.mode),
      ['in-editor', 'manual'],
    );
  });

  it('runner selection: asked > configured > every supported one found; unknown, missing and unsupported dropped with warnings', () => {
    const found = [
      { name: 'claude', path: null, supported: true, note: '' },
      { name: 'codex', path: '/bin/codex', supported: true, note: '' },
      { name: 'gemini', path: '/bin/gemini', supported: false, note: '' },
    ];
    assert.deepEqual(selectRunners([], [], found), { runners: ['codex'], warnings: [] });
    const r = selectRunners(['Codex', 'claude', 'gemini', 'gpt9'], ['codex'], found);
    assert.deepEqual(r.runners, ['codex']);
    assert.equal(r.warnings.length, 3);
    assert.match(r.warnings.join('\n'), /"claude" is not installed/);
    assert.match(r.warnings.join('\n'), /"gemini" is installed but the Dream Council cannot run it yet/);
    assert.match(r.warnings.join('\n'), /unknown runner "gpt9"/);
    assert.deepEqual(selectRunners([], ['codex'], found).runners, ['codex']);
  });
});
