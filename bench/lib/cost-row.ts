/** One row of the benchmark's cost section (bench/sections/cost.ts), as the reports read it. */
export type CostClass = 'list' | 'read' | 'tag-mutation' | 'admin' | 'ingest' | 'none';

export interface CostRow {
  endpoint: string;
  variant: string;
  cls: CostClass;
  status: number;
  runs: number;
  /** Median DynamoDB requests per HTTP request. */
  roundTrips: number;
  roundTripsMin: number;
  roundTripsMax: number;
  /** Median of the round trips waited for one after another (transaction included). */
  sequential: number;
  sequentialMax: number;
  /** TransactWriteItems among them. */
  transactions: number;
  /** Commands of the median run, e.g. { BatchGetItemCommand: 1, QueryCommand: 1 }. */
  byCommand: Record<string, number>;
  rcu: number;
  wcu: number;
  /** Fastest in-process handler time of the runs (the least disturbed by other load), ms: the AWS table's Lambda duration. */ ms: number;
  /** Whether DynamoDB (Local) reported any consumed capacity for this request. */
  capacityReported: boolean;
  target?: string;
  met?: boolean;
}
