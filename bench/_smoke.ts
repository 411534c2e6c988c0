process.env.LOG_LEVEL = 'error';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { runColdStart } = await import('./sections/coldstart.js');
const t = Date.now();
const r = await runColdStart(null, { runs: 3, listRuns: 5, firstRequestRuns: 0 }, console.log);
console.log(Date.now() - t, 'ms');
console.log(JSON.stringify(r, null, 1));
