// w2_open.mjs -- W2 through the official SDK: one batch with every file's name and job status.
// Usage: node w2_open.mjs --base-url URL --batch-id ID [--project-id ID] [--mode bulk|naive]
//        [--chunk N] [--page-size N]
// bulk:  batchtop's requests: get ?expand=results, the directory's file list, and the job
//        statuses through the job_ids list filter in chunks, all lists in parallel.
// naive: as the official example is written: get ?expand=results, the file list through the
//        auto-pager with default page size, then one parsing.get / extract.get per file, in turn.
import { parseArgs, makeClient, scope, now, cpuMs, peakRssKb, emit, run } from './common.mjs';

async function collect(pager) {
    const out = [];
    for await (const item of pager) out.push(item);
    return out;
}

function chunks(list, n) {
    const out = [];
    for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
    return out;
}

// Job statuses through the list endpoint's job_ids filter: one request per chunk.
function bulkJobs(client, sc, type, ids, chunk) {
    const resource = type === 'extract_v2' ? client.extract : client.parsing;
    return chunks(ids, chunk).map((ch) =>
        collect(resource.list({ ...sc, job_ids: ch, page_size: ch.length })));
}

// A job's status from its single GET (parse answers wrap it in `job`, extract answers do not).
async function oneJob(client, sc, ref) {
    if (ref.type === 'extract_v2') {
        const j = await client.extract.get(ref.id, sc);
        return { id: j.id, status: j.status };
    }
    const p = await client.parsing.get(ref.id, sc);
    return { id: p.job.id, status: p.job.status };
}

run(async () => {
    const args = parseArgs(process.argv.slice(2));
    const mode = args.mode || 'bulk';
    const chunk = Number(args.chunk || 100);
    const sc = scope(args);
    if (!args['batch-id']) throw new Error('--batch-id is required');
    const t0 = now();
    const c0 = cpuMs();
    const { client, counter } = makeClient(args);

    const batch = await client.batches.get(args['batch-id'], { ...sc, expand: ['results'] });
    const results = batch.results ?? [];
    const refs = results.filter((r) => r.job_reference).map((r) => r.job_reference);
    let files;
    let jobs;
    if (mode === 'bulk') {
        const fileQuery = { ...sc, page_size: Number(args['page-size'] || 100) };
        const byType = {};
        for (const ref of refs) (byType[ref.type] ??= []).push(ref.id);
        const pending = [collect(client.beta.directories.files.list(batch.source_directory_id,
                                                                     fileQuery))];
        for (const [type, ids] of Object.entries(byType))
            pending.push(...bulkJobs(client, sc, type, ids, chunk));
        const answers = await Promise.all(pending);
        files = answers[0];
        jobs = answers.slice(1).flat();
    } else if (mode === 'naive') {
        files = await collect(client.beta.directories.files.list(batch.source_directory_id, sc));
        jobs = [];
        for (const ref of refs) jobs.push(await oneJob(client, sc, ref));
    } else {
        throw new Error(`unknown --mode ${mode}`);
    }

    // The rows the Batch screen shows: name and job status for every result.
    const names = new Map(files.map((f) => [f.id, f.display_name]));
    const statuses = new Map(jobs.map((j) => [j.id, j.status]));
    const rows = results.map((r) => ({
        name: names.get(r.source_directory_file_id),
        status: r.job_reference ? statuses.get(r.job_reference.id) : undefined,
        error: r.error_message,
    }));
    const wall = now() - t0;
    const cpu = cpuMs() - c0;
    const named = rows.filter((r) => r.name !== undefined).length;
    const known = rows.filter((r) => r.status !== undefined || r.error).length;
    const expect = Number(args.expect || 0);
    if (rows.length < expect || named !== rows.length || known !== rows.length)
        throw new Error(`${rows.length} rows, ${named} named, ${known} with a status`);
    emit({ wall_ms: wall.toFixed(2), cpu_ms: cpu.toFixed(2), requests: counter.requests,
           items: rows.length,
           peak_rss_kb: peakRssKb() });
});
