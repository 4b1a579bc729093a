// `npx tsx demos/tls probe <host:port> [--servername N] [--ca file.pem] [--alpn h2,http/1.1]
// [--tls1.2]`: what `openssl s_client -brief` prints, explained, from Node's TLS stack.
// Exit 0 verified, 1 connected but not trusted or wrong name, 2 bad input or no connection.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type ConnectionOptions, rootCertificates } from 'node:tls';
import { parseOptions, UsageError } from '../kit/args.ts';
import type { CliIO, Subcommand } from '../kit/cli.ts';
import { splitHostPort } from '../kit/variables.ts';
import { type HandshakeFacts, handshake } from './client.ts';
import { MEANINGS } from './errors.ts';

const OPTIONS = {
  servername: { type: 'string' },
  ca: { type: 'string' },
  alpn: { type: 'string' },
  'tls1.2': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const USAGE = '<host:port> [--servername N] [--ca file.pem] [--alpn h2,http/1.1] [--tls1.2]';

interface ProbeInput {
  host: string;
  port: number;
  servername?: string;
  caFile?: string;
  ca?: string;
  alpn?: string[];
  tls12: boolean;
}

function parseProbeArgs(argv: string[]): ProbeInput {
  const { values, positionals } = parseOptions(argv, OPTIONS);
  if (positionals.length !== 1) {
    throw new UsageError(`probe takes one <host:port>, got ${positionals.length} arguments`);
  }
  const target = positionals[0] as string;
  let host: string;
  let port: number;
  try {
    ({ host, port } = splitHostPort(target));
  } catch (err) {
    // splitHostPort names what is wrong (no port, not a number, outside 1-65535).
    throw new UsageError(`<host:port>: ${(err as Error).message} (e.g. example.com:443)`);
  }
  const servername = values.servername ?? (isIP(host) ? undefined : host);
  if (servername !== undefined && (isIP(servername) || !/^[A-Za-z0-9.-]+$/.test(servername))) {
    throw new UsageError(`--servername must be a DNS name, got "${servername}"`);
  }
  let ca: string | undefined;
  if (values.ca !== undefined) {
    try {
      ca = readFileSync(values.ca, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --ca ${values.ca}: ${(err as NodeJS.ErrnoException).code}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new UsageError(`--ca ${values.ca} holds no PEM certificate`);
    }
  }
  const alpn = values.alpn?.split(',').map((p) => p.trim());
  if (alpn?.some((p) => !p || p.length > 255)) {
    throw new UsageError(`--alpn must be a comma-separated list, got "${values.alpn}"`);
  }
  return {
    host,
    port,
    ...(servername ? { servername } : {}),
    ...(values.ca ? { caFile: values.ca, ca } : {}),
    ...(alpn ? { alpn } : {}),
    tls12: values['tls1.2'] === true,
  };
}

/** The lines openssl -brief would print, each with what it means. */
function describe(input: ProbeInput, f: HandshakeFacts): string[] {
  const pad = (s: string) => s.padEnd(46);
  const lines = [
    'CONNECTION ESTABLISHED',
    `${pad(`Protocol version: ${f.protocol}`)}the TLS version both sides agreed on`,
    `${pad(`Ciphersuite: ${f.cipher}`)}${
      f.protocol === 'TLSv1.3'
        ? 'AEAD + hash; 1.3 suites name no key exchange'
        : `IANA: ${f.standardName}`
    }`,
    groupLine(f, pad),
    `${pad(`ALPN protocol: ${f.alpn || 'none'}`)}${
      f.alpn ? 'the application protocol chosen in the handshake' : 'no ALPN agreed'
    }`,
    'Peer certificate chain (as the client linked it; depth 0 is the server):',
  ];
  for (const [depth, c] of f.chain.entries()) {
    lines.push(`  ${depth} subject ${c.subject}`);
    lines.push(`    issuer ${c.issuer}${c.selfIssued ? ' (self-issued)' : ''}`);
    lines.push(`    valid ${c.validFrom} → ${c.validTo}`);
    if (c.sans.length) lines.push(`    SAN ${c.sans.join(', ')}`);
  }
  const store = input.caFile
    ? `--ca ${input.caFile}`
    : `Node's bundled Mozilla store (${rootCertificates.length} roots)`;
  if (f.authorized) {
    lines.push('Verification: OK');
    lines.push(`Verified peername: ${input.servername ?? input.host}`);
  } else {
    const code = f.authorizationError ?? 'unknown';
    lines.push(`Verification error: ${code}`);
    lines.push(`  ${MEANINGS[code] ?? 'see the OpenSSL verify(1) documentation.'}`);
  }
  lines.push(`Trust anchors: ${store}`);
  return lines;
}

/** Worded as openssl prints it: a temp key with a size, or a group name alone (the hybrids). */
function groupLine(f: HandshakeFacts, pad: (s: string) => string): string {
  if (f.group?.includes(' bits')) {
    return `${pad(`Server Temp Key: ${f.group}`)}the ephemeral (EC)DHE group: forward secrecy`;
  }
  if (f.group) {
    return `${pad(`Negotiated TLS1.3 group: ${f.group}`)}a hybrid group: ML-KEM + ECDH, no single size`;
  }
  if (f.protocol === 'TLSv1.3') {
    return `${pad('Negotiated TLS1.3 group: not reported')}Node ${process.version} gives {} here; 1.3 is always (EC)DHE`;
  }
  return `${pad('Server Temp Key: none')}no ephemeral key: RSA key transport, no forward secrecy`;
}

async function probe(input: ProbeInput, io: CliIO): Promise<number> {
  const options: ConnectionOptions = {
    host: input.host,
    port: input.port,
    rejectUnauthorized: false,
    ...(input.servername ? { servername: input.servername } : {}),
    ...(input.ca ? { ca: input.ca } : {}),
    ...(input.alpn ? { ALPNProtocols: input.alpn } : {}),
    ...(input.tls12 ? { maxVersion: 'TLSv1.2' as const } : {}),
  };
  let facts: HandshakeFacts;
  try {
    facts = await handshake(options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const meaning = code && MEANINGS[code] ? ` — ${MEANINGS[code]}` : '';
    io.err(
      `probe: no TLS connection to ${input.host}:${input.port}: ${code ?? (err as Error).message}${meaning}`,
    );
    return 2;
  }
  for (const line of describe(input, facts)) io.out(line);
  return facts.authorized ? 0 : 1;
}

export const probeCommand: Subcommand = {
  name: 'probe',
  usage: USAGE,
  summary: 'connect to a TLS server and explain what openssl s_client -brief would print',
  run: async (argv, io) => {
    let input: ProbeInput;
    try {
      if (argv.includes('--help') || argv.includes('-h')) {
        io.out(`Usage: npx tsx demos/tls probe ${USAGE}`);
        return 0;
      }
      input = parseProbeArgs(argv);
    } catch (err) {
      if (err instanceof UsageError) {
        io.err(`demos/tls probe: ${err.message}`);
        return 2;
      }
      throw err;
    }
    return probe(input, io);
  },
};
