/**
 * Where a webhook may point. A webhook makes our functions call into a network, so on AWS its URL
 * must be https and its host must not resolve to a private, loopback, link-local, metadata or
 * otherwise non-public address: checked when the notification is created and again before each
 * send, after DNS resolution (a name that re-resolves elsewhere later is caught at send time).
 * Locally, http and https to loopback are allowed (the tests' receivers listen there).
 */
import { BlockList, isIP } from 'node:net';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

const refused = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  refused.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fd00:ec2::', 32],
  ['ff00::', 8],
] as const) {
  refused.addSubnet(network, prefix, 'ipv6');
}
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** True for an address a webhook may not reach on AWS (private, loopback, link-local incl. 169.254.169.254, ...). */
export function isRefusedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return refused.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function isLoopback(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && loopback.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export interface WebhookUrlPolicy {
  /** The local runtime: http to loopback allowed. */
  local: boolean;
  /** DNS: every address a host name resolves to. */
  resolve(host: string): Promise<string[]>;
}

/** Why a webhook URL is refused (Quay's message texts), or null when it may be called. */
export async function webhookUrlProblem(url: unknown, policy: WebhookUrlPolicy): Promise<string | null> {
  if (typeof url !== 'string' || url.length === 0) return 'Missing webhook URL';
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return 'Invalid webhook URL';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Invalid webhook URL';
  }
  if (!parsed.hostname || parsed.username || parsed.password) return 'Invalid webhook URL';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await policy.resolve(host);
  } catch {
    return 'Invalid webhook URL: its host does not resolve';
  }
  if (addresses.length === 0) return 'Invalid webhook URL: its host does not resolve';
  if (policy.local && addresses.every(isLoopback) && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) return null;
  if (parsed.protocol !== 'https:') return 'Invalid webhook URL: it must be https';
  if (addresses.some(isRefusedAddress)) return 'Invalid webhook URL: its host resolves to a private or reserved address';
  return null;
}
