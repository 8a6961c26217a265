// common.mjs -- shared helpers for the SDK workloads: arguments, a counting fetch, the result line.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import LlamaCloud from '@llamaindex/llama-cloud';

// Command line: --name value pairs (every workload takes --base-url and --project-id).
export function parseArgs(argv) {
    const args = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
        const eq = a.indexOf('=');
        if (eq > 0) {
            args[a.slice(2, eq)] = a.slice(eq + 1);
        } else {
            if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
            args[a.slice(2)] = argv[++i];
        }
    }
    if (!args['base-url']) throw new Error('--base-url is required');
    return args;
}

// A client on the official SDK whose fetch counts the requests it sends (retries included).
// The key comes from LLAMA_CLOUD_API_KEY, as an operator's script would read it.
export function makeClient(args) {
    const counter = { requests: 0 };
    const countingFetch = (url, init) => {
        counter.requests++;
        return fetch(url, init);
    };
    const client = new LlamaCloud({ baseURL: args['base-url'], fetch: countingFetch });
    return { client, counter };
}

// Query parameters every call sends (project_id when given, as batchtop sends it).
export function scope(args) {
    return args['project-id'] ? { project_id: args['project-id'] } : {};
}

export function now() {
    return performance.now();
}

// CPU time (user + system, every thread) this process has used, in ms.
export function cpuMs() {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
}

// Peak resident set size of this process in KiB (VmHWM), the same source the C driver reads.
export function peakRssKb() {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : -1;
}

// The one line bench/run parses: "result key=value ...".
export function emit(fields) {
    const parts = Object.entries(fields).map(([k, v]) => `${k}=${v}`);
    process.stdout.write(`result ${parts.join(' ')}\n`);
}

// Run main(); any failure is one line on stderr and exit status 1.
export function run(main) {
    main().catch((err) => {
        process.stderr.write(`${process.argv[1]}: ${err && err.message ? err.message : err}\n`);
        process.exit(1);
    });
}
