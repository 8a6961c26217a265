// report.mjs -- prints bench/run's Markdown table: medians, min–max and per-pair ratios.
// Usage: node report.mjs RESULTS.tsv
// Input lines: ROW <TAB> SIDE <TAB> RUN <TAB> VALUE, SIDE "bt" (batchtop) or "sdk"; the run number
// pairs a batchtop figure with the SDK figure measured next to it (run 0 is the warm-up and is
// left out). Rows print in the order they first appear; a row's label says what it measures.
import { readFileSync } from 'node:fs';

function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const n = s.length;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function fmt(x) {
    if (!Number.isFinite(x)) return '—';
    const a = Math.abs(x);
    if (Number.isInteger(x) || a >= 1000) return Math.round(x).toLocaleString('en-US');
    if (a >= 100) return x.toFixed(0);
    if (a >= 10) return x.toFixed(1);
    if (a >= 1) return x.toFixed(2);
    return x.toPrecision(2);
}

function cell(xs) {
    if (!xs.length) return '—';
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    const m = fmt(median(xs));
    return lo === hi ? m : `${m} (${fmt(lo)}–${fmt(hi)})`;
}

function ratioCell(bt, sdk) {
    const pairs = [];
    for (const [run, b] of bt) {
        const s = sdk.get(run);
        if (s !== undefined && b > 0) pairs.push(s / b);
    }
    if (!pairs.length) return '—';
    const lo = Math.min(...pairs);
    const hi = Math.max(...pairs);
    const m = `${fmt(median(pairs))}×`;
    return lo === hi ? m : `${m} (${fmt(lo)}–${fmt(hi)})`;
}

const rows = new Map();
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const [row, side, run, value] = line.split('\t');
    if (Number(run) === 0) continue;
    if (!rows.has(row)) rows.set(row, { bt: new Map(), sdk: new Map() });
    const r = rows.get(row);
    (side === 'sdk' ? r.sdk : r.bt).set(Number(run), Number(value));
}

// Group by workload (the leading "W1".."W5"), keeping the order of first appearance inside each.
const order = [...rows.keys()].map((k, i) => [k, i]);
const wl = (k) => (/^W(\d)/.exec(k) || [0, 9])[1];
order.sort((a, b) => wl(a[0]) - wl(b[0]) || a[1] - b[1]);

const out = [];
out.push('| workload · measure | batchtop median (min–max) | SDK median (min–max) | SDK ÷ batchtop |');
out.push('|---|---:|---:|---:|');
for (const [row] of order) {
    const r = rows.get(row);
    out.push(`| ${row} | ${cell([...r.bt.values()])} | ${cell([...r.sdk.values()])} | ` +
             `${ratioCell(r.bt, r.sdk)} |`);
}
process.stdout.write(out.join('\n') + '\n');
