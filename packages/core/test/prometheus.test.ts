import 'reflect-metadata';
import * as http from 'node:http';
import { inject } from 'inversify';
import {
  addMetricTags,
  Handler,
  PitayaError,
  PrometheusReporter,
  TOKENS,
  type HandlerContext,
  type MetricsReporter,
  type PitayaApp,
} from '@pitaya-ts/core';
import { Harness } from './helpers';

function get(port: number, path: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body, type: String(res.headers['content-type']) }));
      })
      .on('error', reject);
  });
}

/** Where the app's reporter, configured as Prometheus's, serves /metrics. */
function metricsPort(app: PitayaApp): number {
  const reporter = app.container.get(TOKENS.MetricsReporter);
  expect(reporter).toBeInstanceOf(PrometheusReporter);
  const port = reporter instanceof PrometheusReporter ? reporter.port : undefined;
  if (port === undefined) throw new Error('the Prometheus reporter is not listening');
  return port;
}

/** The sample lines of a metric, as `{labels: value}`, for exact checks. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[k!] = v!;
    out.push({ labels, value: Number(match[3]) });
  }
  return out;
}

describe('PrometheusReporter', () => {
  const started: PrometheusReporter[] = [];
  afterEach(async () => {
    for (const reporter of started.splice(0)) await reporter.stop();
  });

  it('serves /metrics on the port it was given (0: a free one) until stopped', async () => {
    const reporter = new PrometheusReporter({ port: 0, host: '127.0.0.1', game: 'g', serverType: 'lobby' });
    started.push(reporter);
    expect(reporter.port).toBeUndefined();
    await reporter.start();
    const port = reporter.port!;
    expect(port).toBeGreaterThan(0);
    reporter.reportGauge('acceptor_connected_clients', {}, 3);
    reporter.reportCount('acceptor_exceeded_rate_limiting', {}, 2);
    const { status, body, type } = await get(port, '/metrics');
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain/);
    expect(samples(body, 'pitaya_acceptor_connected_clients')).toEqual([
      { labels: { game: 'g', serverType: 'lobby' }, value: 3 },
    ]);
    expect(samples(body, 'pitaya_acceptor_exceeded_rate_limiting')).toEqual([
      { labels: { game: 'g', serverType: 'lobby' }, value: 2 },
    ]);
    // process metrics under Pitaya's namespace
    expect(body).toMatch(/^pitaya_process_cpu_seconds_total/m);
    // and Pitaya's own, read at the scrape
    expect(samples(body, 'pitaya_sys_heapsize')).toEqual([
      { labels: { game: 'g', serverType: 'lobby' }, value: expect.any(Number) },
    ]);
    expect(samples(body, 'pitaya_sys_heapsize')[0]!.value).toBeGreaterThan(0);
    expect((await get(port, '/other')).status).toBe(404);
    await reporter.stop();
    await expect(get(port, '/metrics')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses a metric that was not declared', () => {
    const reporter = new PrometheusReporter({ port: 0, game: 'g', serverType: 's' });
    expect(() => reporter.reportCount('undeclared', {}, 1)).toThrow(/pitaya\.metrics\.custom/);
    // a metric of another kind under that name is refused too
    expect(() => reporter.reportCount('acceptor_connected_clients', {}, 1)).toThrow(/no counter/);
  });

  it('declares custom gauges, summaries and histograms', async () => {
    const reporter = new PrometheusReporter({
      port: 0,
      game: 'g',
      serverType: 's',
      custom: {
        counters: [],
        gauges: [{ name: 'rooms', help: 'rooms open', labels: ['kind'] }],
        summaries: [{ subsystem: 'db', name: 'query_ms', help: 'query time', objectives: { 0.5: 0.05, 0.9: 0.01 } }],
        histograms: [{ name: 'payload_bytes', help: 'payloads', buckets: [10, 100] }],
      },
    });
    reporter.reportGauge('rooms', { kind: 'duel' }, 4);
    reporter.reportSummary('query_ms', {}, 12);
    reporter.reportHistogram('payload_bytes', {}, 50);
    const text = await reporter.registry.metrics();
    expect(samples(text, 'pitaya_rooms')).toEqual([{ labels: { kind: 'duel', game: 'g', serverType: 's' }, value: 4 }]);
    expect(samples(text, 'pitaya_db_query_ms').map((s) => s.labels.quantile)).toEqual(['0.5', '0.9']);
    expect(samples(text, 'pitaya_payload_bytes_bucket').map((s) => [s.labels.le, s.value])).toEqual([
      ['10', 0],
      ['100', 1],
      ['+Inf', 1],
    ]);
  });
});

describe('Prometheus through the configuration', () => {
  const harness = new Harness();
  afterEach(() => harness.cleanup());

  @Handler()
  class ArenaHandler {
    constructor(@inject(TOKENS.MetricsReporter) private readonly metrics: MetricsReporter) {}

    kill(body: { weapon: string }): string {
      this.metrics.reportCount('kills', { weapon: body.weapon }, 1);
      return 'ok';
    }

    lose(_body: unknown, _ctx: HandlerContext): never {
      throw new PitayaError('PIT-555', 'lost');
    }
  }

  it('serves Pitaya metrics with the game and server type labels, and the custom ones', async () => {
    const app = await harness.server({
      serverType: 'arena',
      handlers: [ArenaHandler],
      config: {
        'pitaya.game': 'tanks',
        'pitaya.metrics.prometheus.enabled': true,
        'pitaya.metrics.prometheus.port': 0,
        'pitaya.metrics.constanttags': { region: 'eu' },
        'pitaya.metrics.custom': {
          counters: [{ subsystem: 'arena', name: 'kills', help: 'kills by weapon', labels: ['weapon'] }],
        },
      },
    });
    const port = metricsPort(app);
    const client = await harness.client(app);
    await client.request('arena.arena.kill', { weapon: 'cannon' });
    await client.request('arena.arena.kill', { weapon: 'cannon' });
    await client.request('arena.arena.lose').catch(() => undefined);

    const { body } = await get(port, '/metrics');
    const constant = { game: 'tanks', serverType: 'arena', region: 'eu' };
    expect(samples(body, 'pitaya_handler_response_time_ns_count')).toEqual(
      expect.arrayContaining([
        { labels: { route: 'arena.arena.kill', status: 'ok', type: 'request', code: '', ...constant }, value: 2 },
        {
          labels: { route: 'arena.arena.lose', status: 'failed', type: 'request', code: 'PIT-555', ...constant },
          value: 1,
        },
      ]),
    );
    expect(samples(body, 'pitaya_arena_kills')).toEqual([{ labels: { weapon: 'cannon', ...constant }, value: 2 }]);
    expect(samples(body, 'pitaya_acceptor_connected_clients')).toEqual([{ labels: constant, value: 1 }]);

    await app.stop();
    await expect(get(port, '/metrics')).rejects.toThrow(/ECONNREFUSED/);
  });

  @Handler('shop')
  class ShopHandler {
    buy(_body: unknown, ctx: HandlerContext): string {
      addMetricTags(ctx, { shard: 'eu-1', undeclared: 'x' });
      return 'ok';
    }

    browse(): string {
      return 'ok';
    }
  }

  it('labels the built-in metrics with the additional tags: a request tags its own, the others get the default', async () => {
    const app = await harness.server({
      serverType: 'shop',
      handlers: [ShopHandler],
      config: {
        'pitaya.metrics.prometheus.enabled': true,
        'pitaya.metrics.prometheus.port': 0,
        'pitaya.metrics.additionaltags': { shard: 'none' },
      },
    });
    const client = await harness.client(app);
    await client.request('shop.shop.buy', {});
    await client.request('shop.shop.browse', {});

    const { body } = await get(metricsPort(app), '/metrics');
    const constant = { game: 'pitaya', serverType: 'shop' };
    const ok = { status: 'ok', type: 'request', code: '', ...constant };
    expect(samples(body, 'pitaya_handler_response_time_ns_count')).toEqual(
      expect.arrayContaining([
        { labels: { route: 'shop.shop.buy', ...ok, shard: 'eu-1' }, value: 1 },
        { labels: { route: 'shop.shop.browse', ...ok, shard: 'none' }, value: 1 },
      ]),
    );
    expect(samples(body, 'pitaya_acceptor_connected_clients')).toEqual([
      { labels: { ...constant, shard: 'none' }, value: 1 },
    ]);
  });

  it('leaves out the tags of a request when no additional tag is configured', async () => {
    const app = await harness.server({
      serverType: 'shop',
      handlers: [ShopHandler],
      config: { 'pitaya.metrics.prometheus.enabled': true, 'pitaya.metrics.prometheus.port': 0 },
    });
    const client = await harness.client(app);
    await expect(client.request('shop.shop.buy', {})).resolves.toBe('ok');
    const { body } = await get(metricsPort(app), '/metrics');
    expect(samples(body, 'pitaya_handler_response_time_ns_count')).toEqual([
      {
        labels: { route: 'shop.shop.buy', status: 'ok', type: 'request', code: '', game: 'pitaya', serverType: 'shop' },
        value: 1,
      },
    ]);
  });

  it('refuses a custom metric without a name or help', async () => {
    await expect(harness.build({ config: { 'pitaya.metrics.custom': { counters: [{ name: 'x' }] } } })).rejects.toThrow(
      /pitaya\.metrics\.custom/,
    );
  });
});
