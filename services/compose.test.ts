// docker-compose.yml against the Compose specification's JSON schema (as shipped by the dclint
// package), and against the native launcher: same ports, node ids, cluster id, Kafka settings,
// heap, and the same nginx config file. No Docker engine needed.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpoints, serviceEnv } from '../demos/kit/endpoints.ts';
import { ROOT } from '../demos/kit/paths.ts';
import { serverProperties } from './kafka-native.ts';
import {
  COMPOSE_FILE,
  KAFKA_CLUSTER_ID,
  KAFKA_HEAP,
  KAFKA_VERSION,
  kafkaNodes,
  type Layout,
  NGINX_CONF,
} from './layout.ts';

// Loaded with require so the three dev dependencies resolve as plain Node packages.
const require = createRequire(import.meta.url);
const YAML = require('yaml') as { parse: (src: string, options?: object) => unknown };
const Ajv = (require('ajv') as { default: new (o: object) => AjvLike }).default;
interface AjvLike {
  compile: (schema: object) => ((data: unknown) => boolean) & { errors?: unknown[] | null };
}
const schemaFile = join(
  dirname(require.resolve('dclint/package.json')),
  'schemas/compose.schema.json',
);

interface ComposeService {
  image: string;
  environment?: Record<string, string>;
  network_mode?: string;
  ports?: string[];
  volumes?: { type: string; source: string; target: string; bind?: Record<string, unknown> }[];
  healthcheck?: { test: string[] };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const raw = readFileSync(COMPOSE_FILE, 'utf8');
const compose = YAML.parse(raw, { merge: true }) as ComposeFile;

/** The apache/kafka image's env naming, reversed: KAFKA_FOO_BAR → foo.bar (__ → _, ___ → -). */
function propertyName(env: string): string {
  return env
    .slice('KAFKA_'.length)
    .toLowerCase()
    .replaceAll('___', '\u0000')
    .replaceAll('__', '\u0001')
    .replaceAll('_', '.')
    .replaceAll('\u0000', '-')
    .replaceAll('\u0001', '_');
}

function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const i = line.indexOf('=');
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

const layout: Layout = {
  dir: '/state',
  libsDir: '/unused',
  kafkaNodes: kafkaNodes(['127.0.0.1:9092', '127.0.0.1:9093', '127.0.0.1:9094']),
};

describe('docker-compose.yml', () => {
  it('is valid under the Compose specification schema', () => {
    const { $schema, ...schema } = JSON.parse(readFileSync(schemaFile, 'utf8')) as {
      $schema: string;
    };
    // Draft-07, named by an https URL that Ajv (whose default draft is 07) does not alias.
    expect($schema).toMatch(/draft-07/);
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The validator does reject a broken file: a healthcheck whose test is a number.
    const broken = structuredClone(compose) as unknown as {
      services: Record<string, { healthcheck: { test: unknown } }>;
    };
    (broken.services['kafka-1'] as { healthcheck: { test: unknown } }).healthcheck.test = 42;
    expect(validate(broken)).toBe(false);
  });

  it('gives every service a healthcheck (so `docker compose up --wait` means ready)', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.healthcheck?.test, name).toBeDefined();
    }
  });

  it('runs the same Kafka nodes as the native launcher, setting for setting', () => {
    for (const node of layout.kafkaNodes) {
      const service = compose.services[node.name] as ComposeService;
      expect(service, node.name).toBeDefined();
      expect(service.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
      expect(service.network_mode).toBe('host');
      const env = service.environment ?? {};
      const fromCompose: Record<string, string> = {};
      for (const [k, v] of Object.entries(env)) {
        if (k.startsWith('KAFKA_') && k !== 'KAFKA_LOG_DIRS' && k !== 'KAFKA_HEAP_OPTS') {
          fromCompose[propertyName(k)] = String(v);
        }
      }
      const native = parseProperties(serverProperties(layout, node));
      delete native['log.dirs'];
      expect(fromCompose).toEqual(native);
      expect(env.CLUSTER_ID).toBe(KAFKA_CLUSTER_ID);
      expect(env.KAFKA_HEAP_OPTS).toBe(KAFKA_HEAP);
      expect(native['node.id']).toBe(String(node.id));
      expect(native['advertised.listeners']).toBe(`CLIENT://127.0.0.1:${node.clientPort}`);
    }
    expect(layout.kafkaNodes.map((n) => n.clientPort)).toEqual([9092, 9093, 9094]);
  });

  it('mounts the same nginx config and the generated certificates', () => {
    const nginx = compose.services.nginx as ComposeService;
    expect(nginx.network_mode).toBe('host');
    const mounts = new Map((nginx.volumes ?? []).map((v) => [v.target, v]));
    expect(join(ROOT, mounts.get('/etc/nginx/nginx.conf')?.source ?? '')).toBe(NGINX_CONF);
    // The certificates: wherever the CLI generated them (it sets the variable), never a folder
    // Docker would create as root for a bare `docker compose up`.
    expect(mounts.get('/etc/nginx/certs')?.source).toMatch(
      /^\$\{WIRENOTES_NGINX_CERTS:\?.*npm run services -- up nginx/,
    );
    for (const v of mounts.values()) {
      expect(v.bind, v.target).toEqual({ create_host_path: false, selinux: 'z' });
    }
    const conf = readFileSync(NGINX_CONF, 'utf8');
    expect(conf).toMatch(/listen 127\.0\.0\.1:8080 default_server;/);
    expect(conf).toMatch(/listen 127\.0\.0\.1:8443 ssl default_server;/);
  });

  it('runs the database versions the native path tests, on the ports the endpoints default to', () => {
    const cases: [string, string, string][] = [
      ['postgres', 'postgres:15', endpoints.pgUrl],
      ['postgres17', 'postgres:17', serviceEnv('postgres17').PG17_URL],
      ['mariadb', 'mariadb:10.11', endpoints.mariadbUrl],
      ['mariadb114', 'mariadb:11.4', serviceEnv('mariadb114').MARIADB114_URL],
    ];
    for (const [name, image, url] of cases) {
      const service = compose.services[name];
      expect(service?.image, name).toBe(image);
      const port = new URL(url).port;
      const inside = name.startsWith('postgres') ? 5432 : 3306;
      expect(service?.ports, name).toEqual([`127.0.0.1:${port}:${inside}`]);
    }
    expect(compose.services.postgres17?.environment?.POSTGRES_HOST_AUTH_METHOD).toBe('trust');
    expect(compose.services.mariadb114?.environment?.MARIADB_DATABASE).toBe('test');
  });

  it("gives the Kafka healthcheck's JVM a small heap of its own, checked every 30 s once up", () => {
    for (const node of layout.kafkaNodes) {
      const check = compose.services[node.name]?.healthcheck as ComposeService['healthcheck'] & {
        interval?: string;
      };
      expect(check?.test.join(' ')).toMatch(
        /KAFKA_HEAP_OPTS=-Xmx64m \/opt\/kafka\/bin\/kafka-broker-api/,
      );
      expect(check?.interval).toBe('30s');
    }
  });
});
