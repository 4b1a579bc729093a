// The two default key → partition functions a Kafka user meets: the Java client's murmur2
// (kafkajs's DefaultPartitioner copies it) and librdkafka's `consistent_random` (CRC32).
// Written from the algorithms, not imported, so the demo can check kafkajs against them.

const encoder = new TextEncoder();

function keyBytes(key: string | Uint8Array): Uint8Array {
  return typeof key === 'string' ? encoder.encode(key) : key;
}

/** MurmurHash2 as org.apache.kafka.common.utils.Utils.murmur2: seed 0x9747b28c, signed 32 bits. */
export function murmur2(key: string | Uint8Array): number {
  const data = keyBytes(key);
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length - (length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k =
      (data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length % 4;
  if (rest === 3) h ^= (data[whole + 2] as number) << 16;
  if (rest >= 2) h ^= (data[whole + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[whole] as number;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's BuiltInPartitioner.partitionForKey: toPositive(murmur2(key)) % partitions. */
export function javaPartition(key: string | Uint8Array, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let b = 0; b < 8; b++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC, reflected 0x04C11DB7), the rd_crc32 librdkafka hashes keys with. */
export function crc32(key: string | Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of keyBytes(key)) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * librdkafka's default partitioner, `consistent_random`: CRC32(key) % partitions for a key with
 * at least one byte; an empty or missing key gets a random partition (undefined here).
 */
export function librdkafkaPartition(
  key: string | Uint8Array,
  partitions: number,
): number | undefined {
  const bytes = keyBytes(key);
  return bytes.length === 0 ? undefined : crc32(bytes) % partitions;
}

/** The first key (key-0, key-1, …) that murmur2 sends to each of `n` partitions. */
export function keyPerPartition(n: number, prefix = 'key'): string[] {
  const found: (string | undefined)[] = Array.from({ length: n }, () => undefined);
  for (let i = 0; found.includes(undefined); i++) {
    const key = `${prefix}-${i}`;
    found[javaPartition(key, n)] ??= key;
  }
  return found as string[];
}
