process.env.LOG_LEVEL = 'error';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { Bench } = await import('./lib/harness.js');
const { runScaling } = await import('./sections/scaling.js');
const bench = await Bench.start();
try {
  const t2 = Date.now();
  const r = await runScaling(bench, { sizes: [10, 1000, 10000], rounds: 2, readBatch: 20, writeBatch: 10, depthPages: [2, 11, 101], depthRuns: 3 }, console.log);
  console.log('scaling', Date.now() - t2);
  console.log(JSON.stringify(r.sizes, null, 1));
  for (const c of r.cells) console.log(c.kind.padEnd(24), String(c.size).padStart(7), c.roundTrips, c.rcu, c.wcu, c.ms.toFixed(2), c.msPerRound.map((x) => x.toFixed(2)).join(' '));
  for (const c of r.ratios) console.log(JSON.stringify(c));
  for (const d of r.depth) console.log(JSON.stringify(d));
} finally { await bench.stop(); }
