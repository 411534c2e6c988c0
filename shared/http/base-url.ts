/**
 * The external base URL of a request (links in bodies, the Bearer challenge's realm). It is built
 * from headers any client can set, so each is accepted only in its exact shape: a host[:port] that
 * fails the check falls back to the next source and is never reflected.
 */

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
const HOST_PORT = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9a-f:.]{2,45}\\])(?::\\d{1,5})?$`, 'i');

export function isHostPort(value: string): boolean {
  if (value.length > 261 || !HOST_PORT.test(value)) return false;
  // The WHATWG parser has the last word (ports up to 65535, well-formed IPv6), as the challenge
  // builds a URL from it.
  try {
    return new URL(`http://${value}`).hostname !== '';
  } catch {
    return false;
  }
}

/** The first of a proxy chain's comma-separated values, when it is a valid host[:port]. */
function validHost(value: string | undefined): string | undefined {
  const first = value?.split(',')[0].trim();
  return first && isHostPort(first) ? first.toLowerCase() : undefined;
}

export function externalBaseUrl(headers: Record<string, string>, domainName: string | undefined): string {
  const host = validHost(headers['x-forwarded-host']) ?? validHost(headers.host) ?? validHost(domainName) ?? 'localhost';
  const forwardedProto = headers['x-forwarded-proto']?.split(',')[0].trim().toLowerCase();
  const local = host.startsWith('127.0.0.1') || host.startsWith('localhost');
  const proto = forwardedProto === 'http' || forwardedProto === 'https' ? forwardedProto : local ? 'http' : 'https';
  return `${proto}://${host}`;
}
