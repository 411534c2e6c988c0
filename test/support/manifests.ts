/** The synthetic manifests the tests push: the same builders the benchmarks use. */
export * from '../../bench/lib/manifests.js';
