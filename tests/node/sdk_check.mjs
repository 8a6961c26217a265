// sdk_check.mjs -- the official LlamaCloud TypeScript SDK, unchanged, against batchtop-sim.
// Usage: node sdk_check.mjs BASE_URL   (the simulator runs with --speed 20 --page-size-max 5)
import LlamaCloud, {
    ConflictError,
    NotFoundError,
    UnprocessableEntityError,
} from '@llamaindex/llama-cloud';

const baseURL = process.argv[2];
const client = new LlamaCloud({ apiKey: 'llx-sim', baseURL, maxRetries: 0, timeout: 10000 });

function check(cond, what) {
    if (!cond) {
        console.error(`FAIL: ${what}`);
        process.exit(1);
    }
    console.log(`ok - ${what}`);
}

async function waitFor(id, want, seconds) {
    const until = Date.now() + seconds * 1000;
    for (;;) {
        const b = await client.batches.get(id, { expand: ['results'] });
        if (b.status === want) return b;
        if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(b.status))
            throw new Error(`batch ${id} ended ${b.status}, wanted ${want}`);
        if (Date.now() > until) throw new Error(`batch ${id} never became ${want}`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

// directories and configurations through their auto-pagers
const dirs = [];
for await (const d of client.beta.directories.list()) dirs.push(d);
const dir = dirs.find((d) => d.name === 'Invoices 2024');
check(dir && dir.id.startsWith('dir-'),
      `directories.list() found "Invoices 2024" among ${dirs.length}`);
const files = [];
for await (const f of client.beta.directories.files.list(dir.id)) files.push(f);
check(files.length === 20 && files.every((f) => f.display_name),
      'directories.files.list() gives 20 named files');
const configs = [];
const types = ['parse_v2', 'extract_v2'];
for await (const c of client.configurations.list({ product_type: types })) configs.push(c);
check(configs.length > 0 && configs.every((c) => types.includes(c.product_type)),
      `configurations.list(product_type: [parse_v2, extract_v2]) gives ${configs.length}`);

// create
const created = await client.batches.create({
    source_directory_id: dir.id,
    config: { job: { type: 'parse_v2', configuration_id: 'cfg-PARSE_AGENTIC' } },
});
check(created.id.startsWith('bat-') && created.status === 'PENDING',
      `batches.create() -> ${created.id} PENDING`);
check(created.config.job.type === 'parse_v2' && created.source_directory_id === dir.id,
      'create echoes the config');

// list, every page through the auto-pager (page size is capped at 5)
const seen = new Set();
let pages = 0;
for await (const page of (await client.batches.list({ page_size: 5 })).iterPages()) {
    pages++;
    for (const b of page.getPaginatedItems()) seen.add(b.id);
}
check(seen.has(created.id) && seen.size === 13 && pages === 3,
      `batches.list() pages: ${pages}, batches: ${seen.size}`);
let listed = 0;
for await (const b of client.batches.list({ status: 'COMPLETED' })) {
    if (b.status !== 'COMPLETED') throw new Error('status filter ignored');
    listed++;
}
check(listed > 0, `batches.list({status: COMPLETED}) -> ${listed}`);

// get with expand results, through to COMPLETED
const done = await waitFor(created.id, 'COMPLETED', 30);
check(Array.isArray(done.results) && done.results.length === 20,
      'batches.get(id, {expand: [results]}) has 20 results');
const ref = done.results.find((r) => r.job_reference)?.job_reference;
check(ref && ref.type === 'parse_v2' && ref.id.startsWith('pjb-'),
      `a result references ${ref?.id}`);
const ids = done.results.filter((r) => r.job_reference).map((r) => r.job_reference.id);
// COMPLETED means every file was mapped to a job, not that the jobs ended (API.md): poll the
// jobs in bulk until each is terminal, as a careful client does.
let jobs = [];
for (const until = Date.now() + 30000; ;) {
    jobs = [];
    for await (const j of client.parsing.list({ job_ids: ids, page_size: 100 })) jobs.push(j);
    if (jobs.every((j) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(j.status)) ||
        Date.now() > until)
        break;
    await new Promise((r) => setTimeout(r, 100));
}
check(jobs.length === ids.length &&
          jobs.every((j) => ['COMPLETED', 'FAILED'].includes(j.status)),
      `parsing.list({job_ids}) -> ${jobs.length} terminal jobs`);
const okJob = jobs.find((j) => j.status === 'COMPLETED');
const parsed = await client.parsing.get(okJob.id, { expand: ['markdown_full', 'text_full'] });
check(parsed.job.id === okJob.id && typeof parsed.markdown_full === 'string' &&
          parsed.markdown_full.startsWith('#'),
      'parsing.get(id, {expand: [markdown_full]}) returns markdown');

// cancel
const second = await client.batches.create({
    source_directory_id: dirs.find((d) => d.name === 'thousand').id,
    config: { job: { type: 'parse_v2', configuration_id: 'cfg-PARSE_AGENTIC' } },
});
const cancelled = await client.batches.cancel(second.id);
check(cancelled.id === second.id,
      `batches.cancel() returns the batch at once (${cancelled.status})`);
await waitFor(second.id, 'CANCELLED', 30);
check(true, 'the batch reaches CANCELLED');
try {
    await client.batches.cancel(second.id);
    check(false, 'cancelling a terminal batch fails');
} catch (e) {
    check(e instanceof ConflictError && e.status === 409,
          'cancelling a terminal batch is a 409 ConflictError');
}

// errors as the SDK types them
try {
    await client.batches.get('bat-00000000-0000-4000-8000-000000000000');
    check(false, 'unknown batch fails');
} catch (e) {
    check(e instanceof NotFoundError, 'an unknown batch is a NotFoundError');
}
try {
    await client.batches.create({
        source_directory_id: dir.id,
        config: { job: { type: 'parse_v2' } },
    });
    check(false, 'a create without configuration_id fails');
} catch (e) {
    check(e instanceof UnprocessableEntityError &&
              e.error?.detail?.[0]?.loc?.at(-1) === 'configuration_id',
          'a create without configuration_id is a 422 with its loc');
}
console.log('all SDK checks passed');
