// w8_upload.mjs -- W8 through the official SDK: the upload loop of the official example, as a
// script would write it: create a directory, then upload each file of a local folder with
// client.beta.directories.files.upload(dirId, {upload_file: fs.createReadStream(p),
// display_name, unique_id}); unique_id is the file's SHA-256 (as batchtop sends), display_name
// its path in the folder. --mode sequential: one file after the other; --mode chunks: Promise.all
// over chunks of --chunk files (default 10).
// Usage: node w8_upload.mjs --base-url URL --folder DIR --name NAME [--project-id ID]
//        [--mode sequential|chunks] [--chunk N]
// stdout: the directory's ID. stderr: "result wall_ms=… cpu_ms=… requests=… files=… peak_rss_kb=…".
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs, makeClient, scope, now, cpuMs, peakRssKb, run } from './common.mjs';

function walk(dir, out = []) {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.name.startsWith('.')) continue;
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p, out);
        else if (e.isFile()) out.push(p);
    }
    return out;
}

function sha256(p) {
    return new Promise((resolve, reject) => {
        const h = createHash('sha256');
        createReadStream(p).on('data', (d) => h.update(d)).on('error', reject)
            .on('end', () => resolve(h.digest('hex')));
    });
}

run(async () => {
    const args = parseArgs(process.argv.slice(2));
    const t0 = now();
    const c0 = cpuMs();
    const { client, counter } = makeClient(args);
    const folder = args.folder;
    const files = walk(folder).sort();
    const dir = await client.beta.directories.create({ name: args.name, ...scope(args) });
    const one = async (p) => {
        await client.beta.directories.files.upload(dir.id, {
            upload_file: createReadStream(p),
            display_name: relative(folder, p),
            unique_id: await sha256(p),
            ...scope(args),
        });
    };
    if ((args.mode || 'sequential') === 'sequential') {
        for (const p of files) await one(p);
    } else {
        const k = Number(args.chunk || 10);
        for (let i = 0; i < files.length; i += k) await Promise.all(files.slice(i, i + k).map(one));
    }
    process.stdout.write(`${dir.id}\n`);
    const wall = now() - t0;
    const cpu = cpuMs() - c0;
    process.stderr.write(`result wall_ms=${wall.toFixed(2)} cpu_ms=${cpu.toFixed(2)} ` +
                         `requests=${counter.requests} files=${files.length} ` +
                         `peak_rss_kb=${peakRssKb()}\n`);
});
