// `npx tsx demos/kafka partition <key>… --partitions N`: where each key lands under the Java
// client's default partitioner (murmur2, also kafkajs's) and under librdkafka's default
// (consistent_random, CRC32). No broker needed: both are pure functions of key and count.

import { parseOptions, positiveInt, UsageError } from '../kit/args.ts';
import type { Subcommand } from '../kit/cli.ts';
import { padTable } from '../kit/table.ts';
import { javaPartition, librdkafkaPartition } from './partitioners.ts';

/** Kafka counts partitions with a signed 32-bit integer. */
const MAX_PARTITIONS = 2 ** 31 - 1;

interface KeyPlacement {
  key: string;
  java: number;
  /** undefined: librdkafka picks a random partition for an empty key. */
  librdkafka: number | undefined;
  differs: boolean;
}

export function placeKeys(keys: string[], partitions: number): KeyPlacement[] {
  return keys.map((key) => {
    const java = javaPartition(key, partitions);
    const librdkafka = librdkafkaPartition(key, partitions);
    return { key, java, librdkafka, differs: librdkafka !== undefined && librdkafka !== java };
  });
}

export const partitionCommand: Subcommand = {
  name: 'partition',
  usage: '<key>… --partitions N',
  summary: 'where keys land under the Java/kafkajs and librdkafka default partitioners',
  run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      partitions: { type: 'string' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out('Usage: npx tsx demos/kafka partition <key>… --partitions N');
      io.out('Where each key lands under the Java/kafkajs default partitioner (murmur2) and');
      io.out("under librdkafka's default (consistent_random, CRC32). No broker needed.");
      return 0;
    }
    const partitions = positiveInt(values.partitions, '--partitions');
    if (partitions > MAX_PARTITIONS) {
      throw new UsageError(`--partitions must be at most ${MAX_PARTITIONS}, got "${partitions}"`);
    }
    if (positionals.length === 0) throw new UsageError('give at least one key');
    const rows = placeKeys(positionals, partitions);
    const table = padTable(
      ['key', 'murmur2 (Java, kafkajs)', 'consistent_random (librdkafka)', ''],
      rows.map((r) => [
        JSON.stringify(r.key),
        String(r.java),
        r.librdkafka === undefined ? 'random (empty key)' : String(r.librdkafka),
        r.differs ? '≠ differs' : r.librdkafka === undefined ? '? random' : '',
      ]),
    );
    for (const line of table) io.out(line);
    const differing = rows.filter((r) => r.differs).length;
    const keyed = rows.filter((r) => r.librdkafka !== undefined).length;
    const empty = rows.length - keyed;
    io.out('');
    io.out(
      `${differing} of ${keyed} key${keyed === 1 ? '' : 's'} land on a different ` +
        `partition under the two defaults (${partitions} partition${partitions === 1 ? '' : 's'}).`,
    );
    if (empty)
      io.out(`${empty} empty key${empty === 1 ? '' : 's'}: librdkafka picks a random partition.`);
    return 0;
  },
};
