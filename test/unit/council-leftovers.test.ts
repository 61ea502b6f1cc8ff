// A council runner outliving a terminated worker (the editor's Stop grace expired, or the window
// closed): the lane runs in a real worker_threads worker, which is terminated while a stand-in
// runner is running; the runner survives that (no lane code runs any more), and
// endLeftoverRunner() — what the editor calls after terminating a worker — ends its whole tree.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { resolveSettings, type Summary } from '../../src/engine';
import { blankSummary } from '../../src/engine/report/blank';
import { councilLane, endLeftoverRunner } from '../../src/lanes/council';
import { fakeRunners, pidAlive } from './helpers/fakeRunners';
import { makeWorkspace, rm } from './helpers/fixture';

const RUN_ID = '20261125T030000Z';

if (!isMainThread && workerData?.councilLeftoverTest) {
  // inside the worker: one council with the stand-in codex, as the run worker would call it
  const { ws, env } = workerData as { ws: string; env: NodeJS.ProcessEnv };
  void councilLane({ env })
    .run({
      workspace: ws,
      runId: RUN_ID,
      settings: resolveSettings({ args: { keepAwake: false, runners: ['codex'], councilRunnerTimeout: '60s' } }),
      summary: blankSummary(RUN_ID, ws, ws) as Summary,
      trusted: true,
      deadline: Date.now() + 120_000,
      now: () => new Date(),
      log: () => undefined,
    })
    .then(() => parentPort!.postMessage('finished'));
} else if (isMainThread) {
  describe('council: a runner left by a terminated worker', function () {
    this.timeout(30000);
    it('survives worker.terminate() and is ended, with its grandchild, by endLeftoverRunner()', async () => {
      const ws = makeWorkspace({ learnings: 2 });
      const fake = fakeRunners();
      try {
        const worker = new Worker(__filename, { workerData: { councilLeftoverTest: true, ws, env: fake.env({ codex: 'slow' }) } });
        let finished = false;
        worker.on('message', (m) => (finished = m === 'finished'));
        const started = path.join(fake.records, 'codex.started');
        const t0 = Date.now();
        while (!fs.existsSync(started) && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 50));
        assert.ok(fs.existsSync(started), 'the stand-in codex started');
        const record = path.join(ws, '.agents/overnight/runs', RUN_ID, 'council/running.json');
        assert.ok(fs.existsSync(record), 'the running runner is recorded');
        await worker.terminate();
        assert.equal(finished, false);
        const pid = fake.record('codex')!.pid;
        const gc = fake.grandchildPid('codex')!;
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(pidAlive(pid), true, 'without help the runner outlives the terminated worker');
        const line = endLeftoverRunner(ws, RUN_ID);
        assert.match(line ?? '', /^ended the Dream Council runner codex \(process group \d+\) left running by the stopped run/);
        const t1 = Date.now();
        while ((pidAlive(pid) || pidAlive(gc)) && Date.now() - t1 < 3000) await new Promise((r) => setTimeout(r, 50));
        assert.equal(pidAlive(pid), false);
        assert.equal(pidAlive(gc), false);
        assert.equal(fs.existsSync(record), false, 'the record is removed');
        assert.equal(endLeftoverRunner(ws, RUN_ID), null, 'nothing left the second time');
      } finally {
        rm(ws);
        fake.cleanup();
      }
    });

    it('a runner that ended normally leaves no record, and endLeftoverRunner does nothing', async () => {
      const ws = makeWorkspace({ learnings: 2 });
      const fake = fakeRunners();
      try {
        await councilLane({ env: fake.env({ codex: 'valid' }) }).run({
          workspace: ws,
          runId: RUN_ID,
          settings: resolveSettings({ args: { keepAwake: false, runners: ['codex'] } }),
          summary: blankSummary(RUN_ID, ws, ws) as Summary,
          trusted: true,
          deadline: Date.now() + 60_000,
          now: () => new Date(),
          log: () => undefined,
        });
        assert.equal(fs.existsSync(path.join(ws, '.agents/overnight/runs', RUN_ID, 'council/running.json')), false);
        assert.equal(endLeftoverRunner(ws, RUN_ID), null);
      } finally {
        rm(ws);
        fake.cleanup();
      }
    });
  });
}
