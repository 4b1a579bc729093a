import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLibsDir } from '../../services/layout.ts';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { partitionCommand, placeKeys } from './partition-command.ts';
import { crc32, javaPartition, librdkafkaPartition, murmur2 } from './partitioners.ts';

describe('murmur2 matches the Java client', () => {
  // org.apache.kafka.common.utils.UtilsTest#testMurmur2 (signed 32-bit results).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('Kafka UtilsTest: %s', (key, expected) => {
    expect(murmur2(key)).toBe(expected);
  });

  // librdkafka tests/0048-partitioner.c, values from tests/java/Murmur2Cli (masked positive).
  it.each([
    ['', 0x106e08d9],
    ['23456', 0x058d780f],
    ['this is another string with more length to it perhaps', 0x4f7703da],
    ['hejsan', 0x5ec19395],
  ])('librdkafka murmur2 vector: %j', (key, expected) => {
    expect(murmur2(key) & 0x7fffffff).toBe(expected);
  });

  // The real thing: Kafka's own Utils.murmur2 from the kafka-clients jar that
  // `npm run services -- up kafka` fetched, run on a JVM (skipped locally when the jar is missing,
  // a failure under CI, where `npm run services -- up` has always fetched it).
  const libs = kafkaLibsDir();
  const jarDir =
    existsSync(libs) && readdirSync(libs).some((f) => f.startsWith('kafka-clients-'))
      ? libs
      : undefined;
  it('agrees with Utils.murmur2 from the kafka-clients jar', (ctx) => {
    if (!jarDir) {
      const why = `no kafka-clients jar in ${libs}: run \`npm run services -- up kafka\``;
      if (process.env.CI === 'true') throw new Error(`${why} (required under CI=true)`);
      ctx.skip(why);
    }
    const keys = [
      '',
      'a',
      'alice',
      'user-17',
      'ключ',
      'x'.repeat(37),
      ...Array.from({ length: 40 }, (_, i) => `k${i * 7919}`),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'murmur2-'));
    try {
      const source = join(dir, 'Murmur2.java');
      writeFileSync(
        source,
        `public class Murmur2 { public static void main(String[] a) throws Exception {
          for (String line : new String(System.in.readAllBytes(), "UTF-8").split("\\n", -1)) {
            System.out.println(org.apache.kafka.common.utils.Utils.murmur2(
              java.util.Base64.getDecoder().decode(line)));
          } } }`,
      );
      const input = keys.map((k) => Buffer.from(k).toString('base64')).join('\n');
      const out = execFileSync('java', ['-cp', `${jarDir}/*`, source], {
        input,
        encoding: 'utf8',
      });
      const java = out.trim().split('\n').map(Number);
      expect(keys.map((k) => murmur2(k))).toEqual(java);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("agrees with kafkajs's DefaultPartitioner on 2000 keys and several partition counts", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const n of [1, 2, 3, 6, 7, 12, 100]) {
      const partitionMetadata = Array.from({ length: n }, (_, partitionId) => ({
        partitionId,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      for (let i = 0; i < 2000; i++) {
        const key = `key-${i}-${'é'.repeat(i % 5)}`;
        const kafkajs = partitioner({
          topic: 't',
          partitionMetadata,
          message: { key, value: 'v' },
        });
        expect(javaPartition(key, n)).toBe(kafkajs);
      }
    }
  });
});

describe('crc32 and librdkafka consistent_random', () => {
  it('has the CRC-32 check value and matches zlib', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    for (const key of ['', 'a', 'user-1', 'hejsan', 'ключ', 'x'.repeat(1000)]) {
      expect(crc32(key)).toBe(zlibCrc32(key));
    }
  });

  // librdkafka tests/0048-partitioner.c: the crc32 of each key, and -1 (random) for empty keys.
  it.each([
    ['23456', 0xb1b451d7],
    ['this is another string with more length to it perhaps', 0xb0150df7],
    ['hejsan', 0xd077037e],
  ])('librdkafka vector: %j', (key, hash) => {
    expect(crc32(key)).toBe(hash);
    for (const n of [7, 17]) expect(librdkafkaPartition(key, n)).toBe(hash % n);
  });

  it('gives an empty key a random partition', () => {
    expect(librdkafkaPartition('', 7)).toBeUndefined();
  });

  it('places some keys differently from murmur2', () => {
    const rows = placeKeys(
      Array.from({ length: 20 }, (_, i) => `user-${i}`),
      3,
    );
    expect(rows.some((r) => r.differs)).toBe(true);
    expect(rows.some((r) => !r.differs)).toBe(true);
  });
});

describe('partition subcommand', () => {
  it('prints both partitions per key and flags the differing ones', async () => {
    const c = captureIO();
    const code = await runCli(
      demo,
      ['partition', 'hejsan', '23456', '--partitions', '7'],
      [partitionCommand],
      c,
    );
    expect(code).toBe(0);
    expect(c.stderr).toEqual([]);
    const hejsan = c.stdout.find((l) => l.startsWith('"hejsan"'));
    expect(hejsan?.split(/\s+/).slice(1, 3)).toEqual([
      String(0x5ec19395 % 7),
      String(0xd077037e % 7),
    ]);
    const differing = placeKeys(['hejsan', '23456'], 7).filter((r) => r.differs).length;
    expect(c.stdout.at(-1)).toBe(
      `${differing} of 2 keys land on a different partition under the two defaults (7 partitions).`,
    );
    for (const line of c.stdout) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('marks differing keys with ≠ and shows random for an empty key', async () => {
    const c = captureIO();
    expect(await partitionCommand.run(['', 'user-1', '--partitions', '3'], c)).toBe(0);
    expect(c.stdout.find((l) => l.startsWith('""'))).toMatch(/random \(empty key\)\s+\? random$/);
    expect(c.stdout.at(-1)).toBe('1 empty key: librdkafka picks a random partition.');
    const user1 = placeKeys(['user-1'], 3)[0];
    expect(c.stdout.find((l) => l.startsWith('"user-1"'))?.endsWith('≠ differs')).toBe(
      user1?.differs,
    );
  });

  it.each([
    [['k'], '--partitions is required'],
    [['k', '--partitions', '0'], '--partitions must be a positive integer, got "0"'],
    [['k', '--partitions', 'three'], '--partitions must be a positive integer, got "three"'],
    [['k', '--partitions', '-1'], '--partitions'],
    [['k', '--partitions', '4294967296'], '--partitions must be at most 2147483647'],
    [['--partitions', '3'], 'give at least one key'],
    [['k', '--partitions', '3', '--bogus'], "Unknown option '--bogus'"],
  ])('rejects %j with one line and exit 2', async (argv, message) => {
    const c = captureIO();
    expect(await runCli(demo, ['partition', ...argv], [partitionCommand], c)).toBe(2);
    expect(c.stdout).toEqual([]);
    expect(c.stderr).toHaveLength(1);
    expect(c.stderr[0]).toContain(message);
    expect(c.stderr[0]).toMatch(/^demos\/kafka: /);
  });

  it('answers --help with its usage, exit 0', async () => {
    const c = captureIO();
    expect(await runCli(demo, ['partition', '--help'], [partitionCommand], c)).toBe(0);
    expect(c.stdout[0]).toBe('Usage: npx tsx demos/kafka partition <key>… --partitions N');
    expect(c.stderr).toEqual([]);
  });
});
