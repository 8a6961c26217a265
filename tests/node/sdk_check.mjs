// sdk_check.mjs -- the official LlamaCloud TypeScript SDK, unchanged, against batchtop-sim.
// Usage: node sdk_check.mjs BASE_URL [SIM_FLAG...]
// (the simulator runs with --speed 20 --page-size-max 5 plus SIM_FLAGs, which tell this script
// which of the real API's habits to expect: --no-full-output, --failed-pages P, --sort oldest,
// --delete-files N, --directory-ttl S, --billing-delay MS)
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import LlamaCloud, {
    ConflictError,
    NotFoundError,
    UnprocessableEntityError,
    toFile,
} from '@llamaindex/llama-cloud';

const baseURL = process.argv[2];
const flags = process.argv.slice(3);
const flag = (name) => {
    const i = flags.indexOf(name);
    return i < 0 ? null : i + 1 < flags.length && !flags[i + 1].startsWith('--') ? flags[i + 1] : '';
};
const noFull = flag('--no-full-output') !== null;
const failedPages = Number(flag('--failed-pages') ?? 0);
const oldest = flag('--sort') === 'oldest';
const deleteFiles = Number(flag('--delete-files') ?? 0);
const ttl = Number(flag('--directory-ttl') ?? 0);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
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
check(dirs.every((d) => !('file_count' in d) && !('data_source_id' in d) && 'expires_at' in d),
      'directories carry expires_at, not file_count or data_source_id');
if (ttl > 0)
    check(dir.type === 'ephemeral' && Date.parse(dir.expires_at) > Date.now(),
          `--directory-ttl: ${dir.name} is ephemeral until ${dir.expires_at}`);
else
    check(dir.type === 'user' && dir.expires_at === null, 'a user directory never expires');
const configs = [];
const types = ['parse_v2', 'extract_v2'];
for await (const c of client.configurations.list({ product_type: types })) configs.push(c);
check(configs.length > 0 && configs.every((c) => types.includes(c.product_type)),
      `configurations.list(product_type: [parse_v2, extract_v2]) gives ${configs.length}`);
check(configs.every((c) => typeof c.version === 'string' && !Number.isNaN(Date.parse(c.version))),
      'every configuration version is a datetime string');
check(configs.filter((c) => c.product_type === 'parse_v2')
          .every((c) => typeof c.parameters.version === 'string'),
      'parse configurations carry parameters.version');

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
const order = [];
for await (const b of client.batches.list()) order.push(Date.parse(b.created_at));
check(order.every((t, i) => i === 0 || (oldest ? order[i - 1] <= t : order[i - 1] >= t)),
      `batches.list() is ${oldest ? 'oldest' : 'newest'} first`);
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
if (noFull)
    check(parsed.job.id === okJob.id && parsed.markdown_full === undefined &&
              parsed.text_full === undefined,
          '--no-full-output: parsing.get(id, {expand: [markdown_full]}) returns no full text');
else
    check(parsed.job.id === okJob.id && typeof parsed.markdown_full === 'string' &&
              parsed.markdown_full.startsWith('#'),
          'parsing.get(id, {expand: [markdown_full]}) returns markdown');

// pages, typed as the SDK's MarkdownResultPage | FailedMarkdownPage; usage once billed
let failed = 0;
for (const j of jobs.filter((x) => x.status === 'COMPLETED')) {
    const g = await client.parsing.get(j.id, { expand: ['markdown', 'text', 'usage'] });
    if (!g.markdown || !Array.isArray(g.markdown.pages) || g.text?.pages?.length !== g.markdown.pages.length)
        throw new Error(`no pages for ${j.id}`);
    for (const p of g.markdown.pages) {
        if (typeof p.page_number !== 'number') throw new Error('page without page_number');
        if (p.success === true && typeof p.markdown === 'string') continue;
        if (p.success === false && typeof p.error === 'string' && !('markdown' in p)) {
            failed++;
            continue;
        }
        throw new Error(`page ${p.page_number} of ${j.id} is neither result nor failed page`);
    }
    if (!g.job.usage || !('credits' in g.job.usage)) throw new Error('expand=usage gave no usage');
}
if (failedPages > 0)
    check(failed > 0, `--failed-pages: ${failed} failed pages typed as FailedMarkdownPage`);
else
    check(failed === 0, 'every page is a MarkdownResultPage');
const bare = await client.parsing.get(okJob.id);
check(bare.job.usage === undefined, 'parsing.get() without expand has no usage');
let credits = null;
for (const until = Date.now() + 10000; credits === null && Date.now() < until; await sleep(100))
    credits = (await client.parsing.get(okJob.id, { expand: ['usage'] })).job.usage.credits;
check(typeof credits === 'number' && credits > 0, `parse job billed: usage.credits = ${credits}`);

// an extract batch: dfl- file_input, usage and metadata.usage
const extractCfg = configs.find((c) => c.product_type === 'extract_v2');
const ebatch = await client.batches.create({
    source_directory_id: dir.id,
    config: { job: { type: 'extract_v2', configuration_id: extractCfg.id } },
});
const edone = await waitFor(ebatch.id, 'COMPLETED', 30);
const eids = edone.results.filter((r) => r.job_reference).map((r) => r.job_reference.id);
let ejob = null;
for (const until = Date.now() + 30000; !ejob && Date.now() < until; await sleep(100)) {
    for await (const j of client.extract.list({ job_ids: eids, page_size: 100 }))
        if (j.status === 'COMPLETED') ejob = j;
}
check(ejob && ejob.file_input.startsWith('dfl-'), `extract job file_input ${ejob?.file_input}`);
let eusage = null;
for (const until = Date.now() + 10000; Date.now() < until; await sleep(100)) {
    const e = await client.extract.get(ejob.id, { expand: ['usage', 'extract_metadata'] });
    eusage = e;
    if (typeof e.usage?.credits === 'number') break;
}
check(typeof eusage.usage.credits === 'number' &&
          eusage.usage.credits === eusage.usage.extract_credits + eusage.usage.parse_credits &&
          eusage.metadata?.usage?.num_pages_billed > 0 &&
          typeof eusage.metadata.usage.num_pages_extracted === 'number',
      `extract.get(id, {expand: [usage]}): ${eusage.usage.credits} credits, ` +
          `${eusage.metadata?.usage?.num_pages_billed} pages billed`);
check((await client.extract.get(ejob.id)).usage === undefined,
      'extract.get() without expand has no usage');

// deleted files: gone from the list, back with include_deleted
const live = [];
for await (const f of client.beta.directories.files.list(dir.id)) live.push(f);
const all = [];
for await (const f of client.beta.directories.files.list(dir.id, { include_deleted: true }))
    all.push(f);
const gone = all.filter((f) => f.deleted_at);
check(all.length === 20 && live.length === 20 - deleteFiles && gone.length === deleteFiles &&
          gone.every((f) => !Number.isNaN(Date.parse(f.deleted_at))),
      `files.list(): ${live.length} live, include_deleted: ${all.length} (${gone.length} deleted)`);

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

// directory create and add-file (what a resubmit does): the same stored files, a new directory
const made = await client.beta.directories.create({ name: 'Invoices 2024 retry', type: 'user' });
check(made.id.startsWith('dir-') && made.name === 'Invoices 2024 retry' && made.type === 'user' &&
          made.project_id === dir.project_id && made.expires_at === null,
      `beta.directories.create() -> ${made.id}`);
try {
    await client.beta.directories.create({ name: 'Invoices 2024 retry' });
    check(false, 'a second directory with the same name fails');
} catch (e) {
    check(e instanceof ConflictError && typeof e.error?.detail === 'string',
          'a second directory with the same name is a 409 ConflictError');
}
const byName = [];
for await (const d of client.beta.directories.list({ name: made.name })) byName.push(d);
check(byName.length === 1 && byName[0].id === made.id, 'directories.list({name}) finds it once');
const picked = files.slice(0, 3);
const entries = [];
for (const f of picked)
    entries.push(await client.beta.directories.files.add(made.id,
                                                         { file_id: f.file_id,
                                                           display_name: f.display_name }));
check(entries.every((e, i) => e.id.startsWith('dfl-') && e.id !== picked[i].id &&
                              e.file_id === picked[i].file_id && e.directory_id === made.id &&
                              e.display_name === picked[i].display_name),
      'files.add() gives new dfl- entries over the same file_ids');
try {
    await client.beta.directories.files.add(made.id, { file_id: picked[0].file_id });
    check(false, 'adding the same file again fails');
} catch (e) {
    check(e instanceof ConflictError, 'adding the same file again is a 409 ConflictError');
}
try {
    await client.beta.directories.files.add(made.id, { file_id: 'no-such-file' });
    check(false, 'adding an unknown file fails');
} catch (e) {
    check(e instanceof NotFoundError, 'adding an unknown file_id is a NotFoundError');
}
const inNew = [];
for await (const f of client.beta.directories.files.list(made.id)) inNew.push(f);
check(inNew.length === 3 &&
          picked.every((p) => inNew.filter((f) => f.file_id === p.file_id).length === 1),
      'files.list() of the new directory: one entry per added file');
const rb = await client.batches.create({
    source_directory_id: made.id,
    config: { job: { type: 'parse_v2', configuration_id: 'cfg-PARSE_AGENTIC' } },
});
const rdone = await waitFor(rb.id, 'COMPLETED', 30);
check(rdone.results.length === 3 &&
          rdone.results.every((r) => entries.some((e) => e.id === r.source_directory_file_id)),
      'a batch over the new directory runs over exactly its entries');

// upload from a local folder (issue 17): multipart through the SDK's own encoding
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-upload-'));
const localPath = path.join(folder, 'Local scan 01.pdf');
const bytes = Buffer.from('%PDF-1.4\n' + 'x'.repeat(70000) + '\n%%EOF\n');
fs.writeFileSync(localPath, bytes);
const updir = await client.beta.directories.create({ name: 'Local folder upload' });
const up1 = await client.beta.directories.files.upload(updir.id, {
    upload_file: fs.createReadStream(localPath),
    display_name: 'Local scan 01.pdf',
    unique_id: 'scans/01.pdf',
    metadata: JSON.stringify({ folder: 'scans' }),
});
check(up1.id.startsWith('dfl-') && up1.directory_id === updir.id &&
          up1.display_name === 'Local scan 01.pdf' && up1.unique_id === 'scans/01.pdf' &&
          up1.project_id === dir.project_id && typeof up1.file_id === 'string' &&
          up1.metadata?.folder === 'scans',
      `files.upload(createReadStream) -> ${up1.id}`);
const up2 = await client.beta.directories.files.upload(updir.id, {
    upload_file: await toFile(Buffer.from('second file'), 'notes.txt'),
});
check(up2.display_name === 'notes.txt' && up2.unique_id === up2.file_id &&
          up2.file_id !== up1.file_id,
      'files.upload(toFile) defaults display_name to the filename, unique_id to the file_id');
try {
    await client.beta.directories.files.upload(updir.id, {
        upload_file: fs.createReadStream(localPath),
        unique_id: 'scans/01.pdf',
    });
    check(false, 'uploading the same unique_id again fails');
} catch (e) {
    check(e instanceof ConflictError && e.error?.detail?.includes(up1.id),
          'the same unique_id again is a 409 ConflictError naming the entry');
}
try {
    await client.beta.directories.files.upload('dir-00000000-0000-4000-8000-000000000000', {
        upload_file: await toFile(Buffer.from('x'), 'x.pdf'),
    });
    check(false, 'uploading into an unknown directory fails');
} catch (e) {
    check(e instanceof NotFoundError, 'an unknown directory is a NotFoundError');
}
const upFiles = [];
for await (const f of client.beta.directories.files.list(updir.id)) upFiles.push(f);
check(upFiles.length === 2 &&
          upFiles.some((f) => f.id === up1.id && f.display_name === up1.display_name &&
                              f.unique_id === up1.unique_id && f.file_id === up1.file_id),
      'files.list() reads the uploaded entries back');
const state = await (await fetch(`${baseURL}/_sim/state`)).json();
const kept = state.uploads.find((u) => u.id === up1.id);
check(kept && kept.size === bytes.length &&
          kept.sha256 === createHash('sha256').update(bytes).digest('hex'),
      `/_sim/state keeps the upload's size (${bytes.length}) and SHA-256`);
fs.rmSync(folder, { recursive: true, force: true });
const ub = await client.batches.create({
    source_directory_id: updir.id,
    config: { job: { type: 'parse_v2', configuration_id: 'cfg-PARSE_AGENTIC' } },
});
const udone = await waitFor(ub.id, 'COMPLETED', 30);
check(udone.results.length === 2 &&
          udone.results.every((r) => upFiles.some((f) => f.id === r.source_directory_file_id)),
      'a batch over the uploaded files runs over exactly them');

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
