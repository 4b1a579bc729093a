// The progress of a Maven fetch is summed from its "Downloaded from" lines, as Maven 3.8.7 prints
// them in batch mode (`mvn -B`, the level in front).

import { describe, expect, it } from 'vitest';
import { downloadedBytes } from './maven.ts';

describe('downloadedBytes', () => {
  it.each([
    [
      '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/apache/maven/plugins/maven-clean-plugin/2.5/maven-clean-plugin-2.5.pom (3.9 kB at 780 B/s)',
      3900,
    ],
    [
      '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka_2.13/4.1.2/kafka_2.13-4.1.2.jar (7.1 MB at 2.0 MB/s)',
      7_100_000,
    ],
    [
      'Downloaded from central: https://repo.maven.apache.org/maven2/a/b/1/b-1.pom (912 B at 3 kB/s)',
      912,
    ],
  ])('%s', (line, size) => {
    expect(downloadedBytes(line)).toBe(size);
  });

  it.each([
    '[INFO] Downloading from central: https://repo.maven.apache.org/maven2/a/b/1/b-1.pom',
    '[INFO] BUILD SUCCESS',
  ])('not a download: %s', (line) => {
    expect(downloadedBytes(line)).toBeUndefined();
  });
});
