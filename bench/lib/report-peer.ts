/** The peer section of bench/RESULTS.md: this service next to Distribution on the same `/v2` workload. */
import type { PeerResult } from '../sections/peer.js';
import { fixed } from './stats.js';
import { table } from './report-table.js';

const int = (value: number) => value.toLocaleString('en-US');

export function peerSection(peer: PeerResult | undefined): string {
  if (!peer) return '';
  const title = '## 6. Side by side with Distribution (`/v2`)';
  if (peer.skipped) return `${title}\n\nSkipped: ${peer.skipped}\n`;
  const { config } = peer;
  const answered = (size: number, side: string, query: string | undefined) => {
    const entry = peer.paging.find((item) => item.size === size && item.side === side && (item.query ?? 'n=100') === query);
    return entry ? `${int(entry.returned)} tags${entry.link ? ' and a Link' : ', no Link'}` : 'n/a';
  };
  const queriesAt = (size: number) => [...new Set(peer.paging.filter((entry) => entry.size === size).map((entry) => entry.query ?? 'n=100'))];
  const paging = [...new Set(peer.paging.map((entry) => entry.size))]
    .map((size) => `at ${int(size)} tags, ${queriesAt(size).map((query) => `\`?${query}\`: Distribution ${answered(size, 'distribution', query)}, ours ${answered(size, 'ours', query)}`).join('; ')}`)
    .join('. ');
  const sizes = [...new Set(peer.rows.map((row) => row.size))].sort((a, b) => a - b);
  const [smallest, largest] = [sizes[0], sizes[sizes.length - 1]];
  const growth =
    sizes.length > 1
      ? `

How each operation's p50 grows from ${int(smallest)} to ${int(largest)} tags (p50 at ${int(largest)} / p50 at ${int(smallest)}). The sizes
are measured one after the other, so a change in the machine's load between them shows here too;
the within-round ratios above do not have that problem, and request counts do not depend on it.

${table(
  ['operation', 'ours', 'Distribution'],
  [...new Set(peer.rows.map((row) => row.op.replace(/last=v\d+/, 'last=…')))].map((op) => {
    const at = (size: number) => peer.rows.find((row) => row.size === size && row.op.replace(/last=v\d+/, 'last=…') === op);
    const [small, large] = [at(smallest), at(largest)];
    return [op, `${fixed((large?.ours.p50 ?? NaN) / (small?.ours.p50 ?? NaN), 2)}×`, `${fixed((large?.distribution.p50 ?? NaN) / (small?.distribution.p50 ?? NaN), 2)}×`];
  }),
)}`
      : '';
  const ignoresN = peer.paging.some((entry) => entry.side === 'distribution' && entry.returned > 100);
  const ignoresLast = peer.paging.some((entry) => entry.side === 'distribution' && entry.query?.includes('last=') && entry.returned === entry.size);
  return `${title}

The same workload against two servers, each in its own process on a free loopback port, driven
over one kept-alive connection per server, one request at a time:

- **ours**: ${peer.servers?.ours};
- **Distribution**: ${peer.servers?.distribution}, started by the benchmark from a temporary configuration.

Per repository size (${config.sizes.map(int).join(' and ')} tags; \`--peer-tags 1000,10000\` or \`PEER_TAGS\` chooses):
a config blob and a 1 KiB layer blob uploaded once to Distribution (monolithic POST + PUT; it checks
that a manifest's blobs exist), then every tag pushed by \`PUT /v2/{ns}/{repo}/manifests/{tag}\` with
its own OCI manifest (they differ by an annotation); then, per server and round, ${config.gets} \`GET\` of the
manifest by a random tag, ${config.pageRequests} requests of each tags/list page, and one full listing following \`Link\`
from \`?n=100\` and one from \`?n=1000\`.
Each operation runs in ${config.rounds} rounds that alternate which server goes first; the ratio (ours /
Distribution, p50 against p50) is computed within each round, and the median of the rounds' ratios is
shown with their range. Percentiles pool all rounds (nearest rank; with ${config.rounds} full listings, p99 is the slowest).
Milliseconds, client round trip.

${table(
  ['tags', 'operation', 'ours p50', 'ours p99', 'Distribution p50', 'Distribution p99', 'ours / Distribution (rounds)', 'requests (ours / Distribution)'],
  peer.rows.map((row) => [
    int(row.size),
    row.op,
    fixed(row.ours.p50, 1),
    fixed(row.ours.p99, 1),
    fixed(row.distribution.p50, 1),
    fixed(row.distribution.p99, 1),
    `**${fixed(row.ratio, 2)}×** (${fixed(row.ratioMin, 2)}–${fixed(row.ratioMax, 2)})`,
    row.requests ? `${int(row.requests.ours)} / ${int(row.requests.distribution)}` : '',
  ]),
)}

What each answered to its first page request: ${paging}.${
    ignoresN
      ? ` This Distribution ignores \`n\`${ignoresLast ? ' and `last`: every tags/list request' : ': `?n=100`'} returns the whole repository in one
answer, so its "page" grows with the repository and its full listing is that single request, while
this service's page is bounded (at most 1,000 tags, \`functions/v2-list-tags.ts\`) and a full listing
takes one request per page.`
      : ''
  } Both run on this one shared machine, against storage on the same disk and memory:
Distribution reads and writes small files, this service goes through the local server and DynamoDB
Local (a JVM), so the ratios compare the two setups here, not Lambda + DynamoDB with a hosted registry.${growth}
`;
}
