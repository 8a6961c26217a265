// proxy.mjs -- a loopback TCP relay that counts the bytes a client and the simulator exchange (W4).
// Usage: node proxy.mjs TARGET_PORT
// Prints "listening on http://127.0.0.1:PORT" first; on SIGUSR1 prints
// "bytes up=N down=N connections=N" (totals so far); exits on SIGTERM or when stdin closes.
import net from 'node:net';

const target = Number(process.argv[2]);
if (!target) {
    process.stderr.write('usage: node proxy.mjs TARGET_PORT\n');
    process.exit(2);
}

let up = 0;
let down = 0;
let connections = 0;
const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(target, '127.0.0.1');
    client.on('data', (d) => { up += d.length; });
    upstream.on('data', (d) => { down += d.length; });
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
});
server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGUSR1', () => {
    process.stdout.write(`bytes up=${up} down=${down} connections=${connections}\n`);
});
process.on('SIGTERM', () => process.exit(0));
