// What each error code a Node program prints means on the wire: one line per code, used by the
// steps (beside what really happened) and by `why` (for the user's own host). Each cause is one
// the steps produce in the demo's namespace; notes/dns.md cites the source for each.

const CAUSES: Record<string, string> = {
  ENOTFOUND:
    'the name does not exist: every name tried (the search list, then the name itself) got NXDOMAIN, or /etc/hosts and DNS had no address',
  EAI_AGAIN:
    'no answer about the name: the resolver failed (SERVFAIL) or could not be reached; retrying may work',
  ECONNREFUSED:
    'the SYN was answered with a RST (nothing listening, or a firewall `reject with tcp reset`) or an ICMP port unreachable (a firewall `reject`): refused, not proof that nothing listens',
  ETIMEDOUT:
    'the SYNs got no answer at all (a firewall that drops, a host that is down); the kernel gave up after the time net.ipv4.tcp_syn_retries allows (about 130 s by default)',
  EHOSTUNREACH:
    'an ICMP host unreachable or administratively prohibited answered the SYN (a router or firewall said no), or no neighbour answered ARP',
  ENETUNREACH: 'no route to that network from here (or an ICMP net unreachable)',
  EADDRINUSE:
    'another socket already holds that address and port (Node\u2019s default listen(port) binds `::`, which also covers 0.0.0.0)',
  ECONNRESET:
    'the peer sent a RST on an established connection: it crashed, closed with unread data, or a middlebox dropped the connection',
  EPIPE:
    'a write after the peer closed: its RST arrived while this end still had the connection half-open (CLOSE_WAIT)',
};

/** One line: the code, then what it means; a code not in the table is said as it is. */
export function decode(code: string | undefined): string {
  if (!code) return 'no error code';
  const cause = CAUSES[code];
  return cause ? `${code}: ${cause}` : `${code}: (not one this tool decodes)`;
}
