// Performance figures (printed, never asserted against a time): ballot
// creation plus cast to receipt — the encryption and proofs in JavaScript
// (done when the page shows the review) plus the request and the receipt's
// check — in headless Chromium with the CPU throttled 4x over the DevTools
// protocol (a phone-like CPU), for the demo's 12 candidates with 7 marks;
// and the gzip size of the pages' JavaScript.
//
// URNE_E2E_PERF=1 (scripts/web-e2e.sh --perf): median of 20 casts; otherwise
// a short form of 5, so that CI stays within its time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACTS, DEMO_ELECTION, bundleSizes, electionSuite, median, tid, visible } from './harness.js';
import { mark, openLink, waitBallot } from './flows.js';

const RUNS = process.env.URNE_E2E_PERF === '1' ? 20 : 5;
const THROTTLE = 4;

const suite = electionSuite({ name: 'perf', institutions: 2 * RUNS, config: DEMO_ELECTION, open: true });

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

// Two figures: as the page runs (the ballot's self-check in a worker while
// the review is shown, so on another core), and with that check on the
// page's own thread too (Worker hidden: the page's fallback), which is what
// a one-core phone would see. DevTools' CPU throttle acts on the page's
// main thread, not on a worker, so only the second figure has every step
// throttled; both are printed.
for (const mode of ['worker', 'main-thread']) {
  test(`ballot creation + cast → receipt with the CPU throttled ${THROTTLE}x, 12 candidates, median of ${RUNS} (self-check: ${mode})`, async () => {
    const times = [];
    const builds = [];
    const sends = [];
    const receipts = new Set();
    const offset = mode === 'worker' ? 0 : RUNS;
    for (let i = 0; i < RUNS; i++) {
      const ctx = await suite.context();
      try {
        if (mode === 'main-thread') await ctx.addInitScript(() => { Object.defineProperty(window, 'Worker', { value: undefined }); });
        const page = await openLink(ctx, suite.election.links[offset + i].url);
        await waitBallot(page); // check-in at full speed: only the cast is measured
        await mark(page, [0, 1, 2, 3, 4, 5, 6].map((m) => (m + i) % 12));
        // The page encrypts and proves the ballot when it shows the review
        // (so that "Stimmzettel prüfen" can spoil exactly that ballot), and
        // "cast" sends it: ballot creation plus the request is the time from
        // clicking review-button to the review, plus from clicking cast-button
        // to the receipt — both measured with the CPU throttled.
        const cdp = await ctx.newCDPSession(page);
        if (i === 0 && mode === 'worker') {
          // The throttle acts on this page's main thread, where the ballot is
          // built (a fixed loop, timed by the page itself, before and after).
          const loop = () => page.evaluate(() => { const t = performance.now(); let x = 0; for (let k = 0; k < 2e7; k++) x += k % 7; return [performance.now() - t, x]; });
          await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
          await loop(); // warm up the JIT
          const [plain] = await loop();
          await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
          const [slow] = await loop();
          console.log(`# perf: throttle check: a fixed loop takes ${plain.toFixed(0)} ms, throttled ${slow.toFixed(0)} ms (${(slow / plain).toFixed(1)}x)`);
        }
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
        const t0 = process.hrtime.bigint();
        await tid(page, 'review-button').click();
        await visible(page, 'review-list', 120_000);
        const cast = tid(page, 'cast-button');
        await cast.waitFor({ state: 'visible', timeout: 120_000 });
        const t1 = process.hrtime.bigint();
        await cast.click();
        await visible(page, 'receipt', 120_000);
        const t2 = process.hrtime.bigint();
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
        const build = Number(t1 - t0) / 1e6;
        const send = Number(t2 - t1) / 1e6;
        times.push(build + send);
        builds.push(build);
        sends.push(send);
        receipts.add((await tid(page, 'receipt-short-hash').innerText()).trim());
        console.log(`# perf: ${mode}: cast ${i + 1}/${RUNS}: ${(build + send).toFixed(0)} ms (ballot ${build.toFixed(0)} + cast ${send.toFixed(0)})`);
      } finally {
        await ctx.close();
      }
    }
    assert.equal(receipts.size, RUNS, 'every cast got its own receipt');
    assert.equal((await suite.election.turnout()).ballots_cast, offset + RUNS, 'the server has every ballot');
    const sorted = [...times].sort((a, b) => a - b);
    const line = `ballot + cast → receipt, 12 candidates, 7 marks, CPU ${THROTTLE}x throttled, self-check ${mode === 'worker' ? 'in a worker' : 'on the main thread'}: median ${median(times).toFixed(0)} ms of ${RUNS} (min ${sorted[0].toFixed(0)}, max ${sorted.at(-1).toFixed(0)}; ballot creation median ${median(builds).toFixed(0)} ms, cast (self-check wait, request, receipt check) median ${median(sends).toFixed(0)} ms)`;
    console.log(`# perf: ${line}`);
    await mkdir(ARTIFACTS, { recursive: true });
    await writeFile(path.join(ARTIFACTS, `perf-cast-${mode}.json`), `${JSON.stringify({ runs: RUNS, throttle: THROTTLE, mode, times_ms: times, ballot_ms: builds, cast_ms: sends, median_ms: median(times) }, null, 2)}\n`);
  });
}

test('the gzip size of the pages\' JavaScript', async () => {
  const sizes = await bundleSizes();
  assert.ok(sizes.some((s) => s.file === 'vote.js'), 'dist/assets/vote.js exists');
  for (const s of sizes) console.log(`# perf: ${s.file}: ${kb(s.bytes)}, gzip ${kb(s.gzip)}`);
  const total = sizes.reduce((a, s) => a + s.gzip, 0);
  // The voting page loads vote.js and, at the review step, its ballot check worker.
  const votingPage = sizes.filter((s) => s.file === 'vote.js' || s.file === 'ballot_check_worker.js').reduce((a, s) => a + s.gzip, 0);
  console.log(`# perf: voting page JavaScript (vote.js + ballot_check_worker.js) gzip ${kb(votingPage)}; all pages ${kb(total)}`);
  await writeFile(path.join(ARTIFACTS, 'perf-size.json'), `${JSON.stringify(sizes, null, 2)}\n`);
});
