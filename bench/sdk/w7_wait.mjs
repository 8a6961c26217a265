// w7_wait.mjs -- W7 through the official SDK: what `batchtop wait BATCH --jobs` does, as the naive
// polling loop a script would write (the SDK has no wait): every interval, get the batch with its
// results, then get each job with its own GET, until the batch and every job are terminal.
// Usage: node w7_wait.mjs --base-url URL --batch-id ID [--project-id ID] [--interval SECONDS]
//        [--jobs all|active] [--timeout SECONDS]
// --jobs all (default): every round gets every job of the batch, finished or not, as the loop is
//        usually written; active: only the jobs not yet seen in a terminal status (a kinder loop).
// Rounds start --interval seconds apart (default 2), or at once when a round took longer.
// stdout: "result wall_ms=… requests=… rounds=… jobs=… completed=… failed=… status=…".
import { parseArgs, makeClient, scope, now, cpuMs, peakRssKb, emit, run } from './common.mjs';

const BATCH_TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const JOB_TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

// A job's status from its single GET (parse answers wrap it in `job`, extract answers do not).
async function jobStatus(client, sc, ref) {
    if (ref.type === 'extract_v2') return (await client.extract.get(ref.id, sc)).status;
    return (await client.parsing.get(ref.id, sc)).job.status;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

run(async () => {
    const args = parseArgs(process.argv.slice(2));
    if (!args['batch-id']) throw new Error('--batch-id is required');
    const intervalMs = 1000 * Number(args.interval || 2);
    const timeoutMs = 1000 * Number(args.timeout || 600);
    const mode = args.jobs || 'all';
    if (mode !== 'all' && mode !== 'active') throw new Error(`unknown --jobs ${mode}`);
    const sc = scope(args);
    const t0 = now();
    const c0 = cpuMs();
    const { client, counter } = makeClient(args);
    const statuses = new Map(); // job ID -> last status seen
    let batch;
    let rounds = 0;
    for (;;) {
        const r0 = now();
        rounds++;
        batch = await client.batches.get(args['batch-id'], { ...sc, expand: ['results'] });
        const refs = (batch.results ?? []).filter((r) => r.job_reference).map((r) => r.job_reference);
        for (const ref of refs) {
            if (mode === 'active' && JOB_TERMINAL.has(statuses.get(ref.id))) continue;
            statuses.set(ref.id, await jobStatus(client, sc, ref));
        }
        const done = BATCH_TERMINAL.has(batch.status) &&
                     refs.every((ref) => JOB_TERMINAL.has(statuses.get(ref.id)));
        if (done) break;
        if (now() - t0 > timeoutMs) throw new Error(`not terminal after ${timeoutMs / 1000} s`);
        const left = intervalMs - (now() - r0);
        if (left > 0) await sleep(left);
    }
    const wall = now() - t0;
    const count = (s) => [...statuses.values()].filter((v) => v === s).length;
    emit({ wall_ms: wall.toFixed(2), cpu_ms: (cpuMs() - c0).toFixed(2),
           requests: counter.requests, rounds, jobs: statuses.size,
           completed: count('COMPLETED'), failed: count('FAILED'), status: batch.status,
           requests_per_min: (counter.requests / (wall / 60000)).toFixed(1),
           peak_rss_kb: peakRssKb() });
});
