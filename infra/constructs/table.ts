/**
 * DynamoDB tables from the neutral definitions of infra/tables.ts. `tablePropsOf` is the one
 * converter from a TableDefinition to CDK props; test/infra/tables.test.ts proves that what it
 * synthesizes equals what the local runtime creates with `createTableInput`.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  type Attribute,
  type GlobalSecondaryIndexProps,
  type TableProps,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { KeyAttribute, TableDefinition } from '../tables.js';

const ATTRIBUTE_TYPES = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
} as const;

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

/** The definition-derived part of a table: keys, stream, TTL and indexes. */
export interface DefinedTableProps {
  table: Pick<TableProps, 'partitionKey' | 'sortKey' | 'stream' | 'timeToLiveAttribute' | 'billingMode'>;
  indexes: GlobalSecondaryIndexProps[];
}

export function tablePropsOf(definition: TableDefinition): DefinedTableProps {
  return {
    table: {
      partitionKey: attribute(definition.partitionKey),
      sortKey: attribute(definition.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      // The local runtime always creates streams as NEW_AND_OLD_IMAGES (createTableInput).
      stream: definition.stream ? StreamViewType.NEW_AND_OLD_IMAGES : undefined,
      timeToLiveAttribute: definition.timeToLiveAttribute,
    },
    indexes: definition.indexes.map((index) => ({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: attribute(index.sortKey),
      ...(index.projection === 'ALL'
        ? { projectionType: ProjectionType.ALL }
        : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection] }),
    })),
  };
}

export interface ServiceTableProps {
  definition: TableDefinition;
}

/**
 * A table as the service deploys it: on demand, point-in-time recovery, deletion protection, and
 * kept (RETAIN) when the stack is deleted.
 */
export class ServiceTable extends Construct {
  readonly table: Table;
  readonly definition: TableDefinition;

  constructor(scope: Construct, id: string, props: ServiceTableProps) {
    super(scope, id);
    this.definition = props.definition;
    const defined = tablePropsOf(props.definition);
    this.table = new Table(this, 'Table', {
      ...defined.table,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of defined.indexes) this.table.addGlobalSecondaryIndex(index);
  }

  /** ARNs of the table's global secondary indexes, one by one (no `index/*`). */
  indexArns(): string[] {
    return this.definition.indexes.map((index) => `${this.table.tableArn}/index/${index.indexName}`);
  }
}
