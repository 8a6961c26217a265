// w1_list.mjs -- W1 through the official SDK: every batch, every page, via the auto-pager.
// Usage: node w1_list.mjs --base-url URL [--project-id ID] [--page-size N] [--expect N]
import { parseArgs, makeClient, scope, now, cpuMs, peakRssKb, emit, run } from './common.mjs';

run(async () => {
    const args = parseArgs(process.argv.slice(2));
    const t0 = now();
    const c0 = cpuMs();
    const { client, counter } = makeClient(args);
    const query = { ...scope(args) };
    if (args['page-size']) query.page_size = Number(args['page-size']);
    const batches = [];
    for await (const b of client.batches.list(query)) batches.push(b);
    const wall = now() - t0;
    const cpu = cpuMs() - c0;
    const expect = Number(args.expect || 0);
    if (batches.length < expect) throw new Error(`got ${batches.length} batches, expected ${expect}`);
    const ids = new Set(batches.map((b) => b.id));
    if (ids.size !== batches.length) throw new Error('duplicate batch IDs across pages');
    emit({ wall_ms: wall.toFixed(2), cpu_ms: cpu.toFixed(2), requests: counter.requests,
           items: batches.length,
           peak_rss_kb: peakRssKb() });
});
