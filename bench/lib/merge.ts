/**
 * `npm run bench -- --merge --only peer,aws`: the sections just measured replace their figures in
 * the results.json an earlier run wrote, the others are kept, and the report is rendered from the
 * whole. The header then says which sections were re-measured, when and on which commit.
 */
import { readFile } from 'node:fs/promises';
import type { BenchResults } from './report.js';

/** Per section: its keys in BenchResults and in the run's config. */
const OWNED: Record<string, { results: (keyof BenchResults)[]; config: string[] }> = {
  cost: { results: ['cost', 'capacitySeen'], config: ['costRuns'] },
  aws: { results: ['awsCost'], config: [] },
  coldstart: { results: ['coldStart'], config: ['coldStart'] },
  scaling: { results: ['scaling'], config: ['scaling'] },
  latency: { results: ['latency'], config: ['latency'] },
  sweep: { results: ['sweep'], config: ['sweep'] },
  peer: { results: ['peer'], config: ['peer'] },
};

export async function mergeResults(previousJson: string, fresh: BenchResults): Promise<BenchResults> {
  const previous = JSON.parse(await readFile(previousJson, 'utf8')) as BenchResults;
  const merged: BenchResults = { ...previous, config: { ...previous.config }, errors: { ...(previous.errors ?? {}) } };
  const record = merged as unknown as Record<string, unknown>;
  for (const section of fresh.sections) {
    const owned = OWNED[section];
    if (!owned) continue;
    for (const key of owned.results) record[key] = fresh[key];
    for (const key of owned.config) merged.config[key] = fresh.config[key];
    delete merged.errors![section];
    if (fresh.errors?.[section]) merged.errors![section] = fresh.errors[section];
  }
  if (Object.keys(merged.errors!).length === 0) delete merged.errors;
  merged.sections = [...new Set([...previous.sections, ...fresh.sections])];
  merged.meta = {
    ...previous.meta,
    updates: [...(previous.meta.updates ?? []), { date: fresh.meta.date, mode: fresh.meta.mode, sections: fresh.sections, commit: fresh.meta.commit }],
  };
  return merged;
}
