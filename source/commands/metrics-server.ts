/**
The HTTP side of the Prometheus exporters: `GET /metrics` answers with the exposition text, `/` with a
pointer to it, anything else 404. Shared by `metrics --listen`, `watch --metrics-listen` and
`worker --metrics-listen`.
*/
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {UserError, exitCodes} from '../lib/errors.js';
import {contentType} from '../lib/prometheus.js';

/** `HOST:PORT`, `:PORT` or `PORT` (all interfaces), `[::1]:PORT`. */
export function parseListen(value: string): {host?: string; port: number} {
	const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]*):)?(\d{1,5})$/.exec(value.trim());
	const port = match ? Number(match[2]) : Number.NaN;
	if (!match || port > 65_535)
		throw new UserError(`--listen "${value}" is not HOST:PORT`, {
			hint: 'e.g. 127.0.0.1:9464, :9464 (every interface) or [::1]:9464',
			exitCode: exitCodes.usage,
		});
	const host = match[1]?.replace(/^\[(.*)\]$/, '$1');
	return {...(host ? {host} : {}), port};
}

export type MetricsServer = {url: string; close(): Promise<void>};

export async function serveMetrics(listen: string, render: () => Promise<string>): Promise<MetricsServer> {
	const {host, port} = parseListen(listen);
	const server = http.createServer((request, response) => {
		const url = new URL(request.url ?? '/', 'http://localhost');
		if (request.method !== 'GET' && request.method !== 'HEAD') {
			response.writeHead(405, {allow: 'GET, HEAD'}).end();
			return;
		}
		if (url.pathname === '/') {
			response.writeHead(200, {'content-type': 'text/plain; charset=utf-8'}).end('BlobForge exporter: see /metrics\n');
			return;
		}
		if (url.pathname !== '/metrics') {
			response.writeHead(404, {'content-type': 'text/plain; charset=utf-8'}).end('not found: see /metrics\n');
			return;
		}
		render().then(
			text => response.writeHead(200, {'content-type': contentType}).end(request.method === 'HEAD' ? undefined : text),
			(error: unknown) =>
				response
					.writeHead(500, {'content-type': 'text/plain; charset=utf-8'})
					.end(`${error instanceof Error ? error.message : String(error)}\n`),
		);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', (error: NodeJS.ErrnoException) =>
			reject(
				new UserError(
					`cannot listen on ${listen}: ${error.code === 'EADDRINUSE' ? 'the port is taken' : error.message}`,
					{
						exitCode: exitCodes.usage,
					},
				),
			),
		);
		server.listen(port, host, () => resolve());
	});
	const address = server.address() as AddressInfo;
	const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	return {
		url: `http://${shown}:${address.port}/metrics`,
		close: () => new Promise(resolve => server.close(() => resolve())),
	};
}
