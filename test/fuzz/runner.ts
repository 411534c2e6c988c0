/**
 * Runs one generated request against the local server and collects every invariant it breaks:
 * the response checks of oracle.ts, "a refused mutating request writes nothing" (state.ts), and
 * "a token that names nobody is anonymous" (the same request without the token must get the same
 * status).
 */
import { describeRequest, send, type RawRequest, type RawResponse } from './http.js';
import { judge, type Violation } from './oracle.js';
import { handlerOf, routeOf } from './route-table.js';
import { StateProbe, type Snapshot } from './state.js';
import { authorizationHeader, presentsBearer, type AuthForm, type TokenChoice } from './tokens.js';
import type { World } from './world.js';

export interface FuzzCase {
  method: string;
  /** Raw path plus optional query. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  token: TokenChoice;
  form: AuthForm;
  /** Free-form labels carried into violations (for known-failure matching and reports). */
  context?: Record<string, string>;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The repository or namespace the path names, for the API read-back. */
function targetOf(rawPath: string, method: string): { ns?: string; repo?: string; org?: string } {
  const route = routeOf(method, rawPath);
  if (!route) return {};
  const got = rawPath.split('/').slice(1);
  const values: Record<string, string> = {};
  route.segments.forEach((segment, index) => {
    if (/^\{\w+\}$/.test(segment) && got[index] !== undefined) values[segment.slice(1, -1)] = decode(got[index]);
  });
  return { ns: values.ns, repo: values.repo, org: values.org };
}

export function toRawRequest(fuzzCase: FuzzCase): RawRequest {
  const headers = { ...fuzzCase.headers };
  if (fuzzCase.token.token !== undefined) headers.authorization = authorizationHeader(fuzzCase.token.token, fuzzCase.form);
  return { method: fuzzCase.method, target: fuzzCase.target, headers, body: fuzzCase.body };
}

export class Runner {
  readonly probe: StateProbe;

  constructor(readonly world: World) {
    this.probe = new StateProbe(world);
  }

  async run(fuzzCase: FuzzCase): Promise<Violation[]> {
    const request = toRawRequest(fuzzCase);
    const method = fuzzCase.method.toUpperCase();
    const rawPath = fuzzCase.target.split('?')[0];
    const route = routeOf(method, rawPath);
    const handler = handlerOf(method, rawPath);
    const mutating = method !== 'GET' && method !== 'HEAD';
    const context = { token: fuzzCase.token.label, form: fuzzCase.form, ...fuzzCase.context };
    const violations: Violation[] = [];
    const target = targetOf(rawPath, method);

    const before: Snapshot | undefined = mutating ? await this.probe.take(target) : undefined;
    let response: RawResponse;
    try {
      response = await send(this.world.server.url, request);
    } catch (error) {
      violations.push({ kind: 'no-response', handler, request, message: String(error), context });
      return violations;
    }
    for (const violation of judge(request, response).violations) violations.push({ ...violation, request, context });

    if (before && response.status >= 400) {
      const after = await this.probe.take(target);
      const diffs = StateProbe.diff(before, after);
      if (diffs.length > 0) {
        violations.push({
          kind: 'state-changed',
          handler,
          request,
          response,
          message: `refused with ${response.status} but changed: ${diffs.map((diff) => `${diff.where} +${JSON.stringify(diff.added)} -${JSON.stringify(diff.removed)}`).join('; ').slice(0, 1500)}`,
          context,
        });
      }
    }

    const expectAnonymous = fuzzCase.token.token !== undefined && (fuzzCase.token.anonymous || !presentsBearer(fuzzCase.form));
    if (expectAnonymous && route && route.route.permission !== 'anyone') {
      const anonymous = await send(this.world.server.url, { ...request, headers: fuzzCase.headers });
      if (anonymous.status !== response.status) {
        violations.push({
          kind: 'not-anonymous',
          handler: route.route.handler,
          request,
          response,
          message: `token "${fuzzCase.token.label}" (${fuzzCase.form}) got ${response.status}, the same request without it ${anonymous.status}`,
          context,
        });
      }
    }
    return violations;
  }
}

/** A stable, bounded name for a violation's class: kind, handler, status, message without numbers. */
export function signature(violation: Violation): string {
  const status = violation.response?.status ?? 'none';
  const message = violation.message.replace(/[0-9a-f]{16,}/g, '<hex>').replace(/\d+/g, '#').slice(0, 160);
  return `${violation.kind} ${violation.handler} ${status} ${message}`;
}

export function describeViolation(violation: Violation): string {
  const response = violation.response ? `→ ${violation.response.status} ${violation.response.text.slice(0, 400)}` : '→ no response';
  return `[${violation.kind}] ${violation.handler}: ${violation.message}\n  ${describeRequest(violation.request)}\n  ${response}\n  context ${JSON.stringify(violation.context)}`;
}
