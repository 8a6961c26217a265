// setup.mjs -- find the benchmark's subjects in the simulator: the 1,000-file batch for W2.
// Usage: node setup.mjs --base-url URL [--project-id ID] [--directory thousand]
// Prints "batch_id=… directory_id=… files=N first_file=NAME newest=ID": the newest COMPLETED batch
// over the directory, its row count, the display name of its first result's file (spaces as
// '_') and the newest batch of all (the first row of batchtop's list).
import { parseArgs, makeClient, scope, emit, run } from './common.mjs';

run(async () => {
    const args = parseArgs(process.argv.slice(2));
    const name = args.directory || 'thousand';
    const sc = scope(args);
    const { client } = makeClient(args);
    let dir = null;
    for await (const d of client.beta.directories.list({ ...sc, name })) {
        if (d.name === name) { dir = d; break; }
    }
    if (!dir) throw new Error(`no directory named ${name}`);
    let batch = null;
    for await (const b of client.batches.list({ ...sc, source_directory_id: dir.id,
                                                  status: 'COMPLETED' })) {
        batch = b;
        break;
    }
    if (!batch) throw new Error(`no COMPLETED batch over ${name} (${dir.id})`);
    const full = await client.batches.get(batch.id, { ...sc, expand: ['results'] });
    const results = full.results ?? [];
    let firstFile = '';
    if (results.length) {
        for await (const f of client.beta.directories.files.list(dir.id, { ...sc, page_size: 100 })) {
            if (f.id === results[0].source_directory_file_id) { firstFile = f.display_name; break; }
        }
    }
    const newest = (await client.batches.list({ ...sc, page_size: 1 })).items[0];
    emit({ batch_id: batch.id, directory_id: dir.id, files: results.length,
           first_file: firstFile.replace(/\s/g, '_'), newest: newest ? newest.id : '' });
});
