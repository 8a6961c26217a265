// w7_list.mjs -- W7 through the official SDK: what `batchtop list --jsonl` does, as a script would
// write it: the auto-pager over every batch, one JSON line per batch on stdout as it arrives.
// Usage: node w7_list.mjs --base-url URL [--project-id ID] [--page-size N]
// stdout: the batches, one JSON object a line (the SDK's objects as decoded, re-serialized).
// stderr: "result wall_ms=… cpu_ms=… requests=… items=… peak_rss_kb=…" at the end.
import { parseArgs, makeClient, scope, now, cpuMs, peakRssKb, run } from './common.mjs';

run(async () => {
    const args = parseArgs(process.argv.slice(2));
    const t0 = now();
    const c0 = cpuMs();
    const { client, counter } = makeClient(args);
    const query = { ...scope(args) };
    if (args['page-size']) query.page_size = Number(args['page-size']);
    let items = 0;
    for await (const b of client.batches.list(query)) {
        process.stdout.write(`${JSON.stringify(b)}\n`);
        items++;
    }
    const wall = now() - t0;
    const cpu = cpuMs() - c0;
    process.stderr.write(`result wall_ms=${wall.toFixed(2)} cpu_ms=${cpu.toFixed(2)} ` +
                         `requests=${counter.requests} items=${items} ` +
                         `peak_rss_kb=${peakRssKb()}\n`);
});
