// Lab: the pod resolv.conf whose ndots:5 turns each external name into 8 questions. The learner's
// resolv.conf becomes the namespace's own, and the lookups run as the step `ndots` runs them:
// getaddrinfo in the namespace (probe.mjs), the questions counted in unbound's query log, the
// answers from the demo's own zones.

import { readFileSync } from 'node:fs';
import { defineLab } from '../../../kit/lab.ts';
import { counted, etc, labEnv } from '../../env.ts';
import { ANSWERS } from '../../zones.ts';

const EXTERNAL = ANSWERS.external.name;

export const lab = defineLab(import.meta.url, {
  id: 'ndots',
  title: 'Eight questions for one name',
  task: `Every lookup of ${EXTERNAL} from the pods costs the cluster's resolver 8 questions: make the pods' resolv.conf ask 2, with short Service names still working.`,
  section: 'ndots5-and-the-search-list',
  files: ['resolv.conf'],
  needs: ['network-namespaces', 'nftables', 'knot', 'unbound'],
  timeoutMs: 30_000,
  startFails: `dns.lookup('${EXTERNAL}') asks 2 questions`,
  check: async (t, dir) => {
    const env = await labEnv(t);
    etc(env, 'resolv.conf', readFileSync(`${dir}/resolv.conf`, 'utf8'));
    // Each question a pod asks is in the query log, answered from the cache or not: no flush.
    const lookup = async (name: string) => {
      const { results, questions } = await counted(env, [{ op: 'lookup', name }]);
      const r = results[0];
      const answer = r?.ok ? (r.addresses ?? []).join(' ') : `${r?.code} (${r?.syscall})`;
      return { addresses: r?.addresses ?? [], answer, questions };
    };
    const external = await lookup(EXTERNAL);
    const short = await lookup('api');
    const qualified = await lookup('api.ns1');
    t.table(
      ['call (in a pod of namespace ns1)', 'answer', 'questions to the resolver'],
      [
        [`dns.lookup('${EXTERNAL}')`, external],
        ["dns.lookup('api')", short],
        ["dns.lookup('api.ns1')", qualified],
      ].map(([call, x]) =>
        typeof x === 'object' ? [call, x.answer, x.questions.join(', ')] : [call, '', ''],
      ),
    );
    t.equal(
      `dns.lookup('${EXTERNAL}') asks 2 questions: A and AAAA for the name itself`,
      [external.addresses, [...external.questions].sort()],
      [[ANSWERS.external.address], [`${EXTERNAL}. A`, `${EXTERNAL}. AAAA`]],
    );
    t.equal(
      `dns.lookup('api') still finds the Service of the pod's namespace (${ANSWERS.service.name})`,
      short.addresses,
      [ANSWERS.service.address],
    );
    t.equal(
      "dns.lookup('api.ns1'), the <service>.<namespace> form, still finds it too",
      qualified.addresses,
      [ANSWERS.service.address],
    );
  },
  hints: [
    {
      claim: `dns.lookup('${EXTERNAL}') asks 2 questions`,
      ladder: [
        `The name was not asked as it is first: the questions above show it tried with each search domain appended, and each of those was NXDOMAIN.`,
        'resolv.conf(5): a name with fewer dots than `ndots` is tried with each `search` domain appended before it is tried as it is. With ndots:5, a name needs 5 dots to skip the list.',
        `Lower ndots so that ${EXTERNAL} (2 dots) counts as qualified, while Service names (0 or 1 dot) still go through the list: Kubernetes' own docs use ndots:2 in a pod's dnsConfig. (In the code, a trailing dot, "${EXTERNAL}.", skips the list for one name.)`,
      ],
    },
    {
      claim: "dns.lookup('api') still finds the Service",
      ladder: [
        "The short name no longer finds the Service: nothing turned `api` into the Service's full name.",
        `The search list is what makes \`api\` become ${ANSWERS.service.name}: Kubernetes gives a pod <namespace>.svc.cluster.local, svc.cluster.local and cluster.local, in that order. Keep the list; change how soon a name skips it.`,
      ],
    },
    {
      claim: "dns.lookup('api.ns1'), the <service>.<namespace> form",
      ladder: [
        '`api.ns1` did not resolve: the <service>.<namespace> form needs the `svc.cluster.local` domain in the search list.',
        'Each search domain serves one form of name: <ns>.svc.cluster.local for `api`, svc.cluster.local for `api.ns1`, cluster.local for `api.ns1.svc`. Keep all three.',
      ],
    },
  ],
  wrong: [
    {
      case: 'no-search',
      fails: "dns.lookup('api') still finds the Service",
      why: 'without a search list `api` is asked as `api.`, which does not exist',
    },
    {
      case: 'own-namespace-only',
      fails: "dns.lookup('api.ns1'), the <service>.<namespace> form",
      why: 'with only the own namespace in the list, <service>.<namespace> names no longer resolve',
    },
  ],
});
