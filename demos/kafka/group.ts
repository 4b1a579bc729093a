// Consumer-group members for the demo: each is a real kafkajs consumer whose GROUP_JOIN events
// record what the coordinator assigned it. Waits wake up on those events (and on records), and
// what they conclude is cross-checked with the broker's own DescribeGroups answer.

import { type Admin, AssignerProtocol, type Consumer, type Kafka } from 'kafkajs';
import { Timeout } from '../kit/wait.ts';
import { consumerOptions } from './client.ts';
import { Wakeup } from './wakeup.ts';

interface Received {
  member: string;
  /** The member's GROUP_JOIN count when it read this: which assignment it read it under. */
  joins: number;
  partition: number;
  offset: number;
  key: string;
  value: string;
}

export class Member {
  memberId = '';
  /** GROUP_JOIN events seen so far; a rebalance shows up as one more on every member. */
  joins = 0;
  partitions: number[] = [];
  received: Received[] = [];
  crashed: Error | undefined;
  /** Crashes kafkajs recovered from by restarting the consumer. */
  restarts = 0;
  left = false;
  constructor(
    readonly name: string,
    readonly consumer: Consumer,
  ) {}
}

export interface SettleResult {
  /** Live members and the partitions each owns, as the broker reports them. */
  owners: Map<Member, number[]>;
  ms: number;
}

export class Group {
  readonly members: Member[] = [];
  readonly received: Received[] = [];
  private readonly events = new Wakeup();
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    readonly groupId: string,
    readonly topic: string,
    private readonly partitionCount: number,
  ) {}

  get live(): Member[] {
    return this.members.filter((m) => !m.left);
  }

  /**
   * Starts a member: connect, subscribe, run; does not wait for the join. Where the group has no
   * valid committed offset it starts at the beginning, unless `fromBeginning` is false (then at
   * the end: auto.offset.reset=latest). `kafka`: a client of the member's own (its client.id),
   * as a member started by another service has.
   */
  async add(name: string, { fromBeginning = true, kafka = this.kafka } = {}): Promise<Member> {
    if (this.closed) throw new Error(`group ${this.groupId} is closed: no new member`);
    const consumer = kafka.consumer(consumerOptions(this.groupId));
    const member = new Member(name, consumer);
    this.members.push(member);
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      member.memberId = payload.memberId;
      member.partitions = [...(payload.memberAssignment[this.topic] ?? [])].sort((a, b) => a - b);
      member.joins++;
      this.events.wake();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // A retriable error (a coordinator still loading, say) makes kafkajs restart the consumer,
      // which then rejoins; only a crash it will not recover from ends the wait.
      if (payload.restart) member.restarts++;
      else member.crashed = payload.error;
      this.events.wake();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const r: Received = {
          member: name,
          joins: member.joins,
          partition,
          offset: Number(message.offset),
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
        };
        member.received.push(r);
        this.received.push(r);
        this.events.wake();
      },
    });
    return member;
  }

  /** Leaves the group cleanly: disconnect() sends LeaveGroup, so the rebalance starts at once. */
  async remove(member: Member): Promise<void> {
    member.left = true;
    await member.consumer.disconnect();
  }

  /**
   * Every member leaves, for good: a step's cleanup (also on Ctrl-C, while the step may still be
   * running) must not be followed by a new member that nobody will remove.
   */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.live.map((m) => this.remove(m)));
  }

  /** Join counts now; pass to settle() to require a fresh GROUP_JOIN from every member. */
  mark(): Map<Member, number> {
    return new Map(this.members.map((m) => [m, m.joins]));
  }

  private checkCrashes(): void {
    const crashed = this.members.find((m) => m.crashed && !m.left);
    if (crashed) throw new Error(`${crashed.name} crashed: ${crashed.crashed?.message}`);
  }

  /**
   * Waits until every live member has joined since `since` and their assignments cover each
   * partition exactly once, then confirms it with DescribeGroups (state Stable, same members,
   * same assignment). Returns the broker's view.
   */
  async settle(since: Map<Member, number>, timeoutMs = 20_000): Promise<SettleResult> {
    const started = Date.now();
    const deadline = started + timeoutMs;
    for (;;) {
      this.checkCrashes();
      const live = this.live;
      const fresh = live.every((m) => m.joins > (since.get(m) ?? 0));
      const owned = live.flatMap((m) => m.partitions).sort((a, b) => a - b);
      const exact = owned.length === this.partitionCount && owned.every((p, i) => p === i);
      if (fresh && exact) {
        const owners = await this.brokerView();
        if (
          owners &&
          owners.size === live.length &&
          live.every((m) => sameList(owners.get(m), m.partitions))
        ) {
          return { owners, ms: Date.now() - started };
        }
      }
      if (Date.now() > deadline) {
        const state = live.map((m) => `${m.name}:${m.joins}:[${m.partitions}]`).join(' ');
        const { groups } = await this.admin.describeGroups([this.groupId]);
        const broker = `${groups[0]?.state}, ${groups[0]?.members.length} members`;
        throw new Timeout(
          `group ${this.groupId} did not settle in ${timeoutMs} ms (${state}; coordinator: ${broker})`,
        );
      }
      await this.events.next(200);
    }
  }

  /** DescribeGroups: the group's state and each member's id and assigned partitions. */
  async describe(): Promise<{
    state: string;
    members: { memberId: string; partitions: number[] }[];
  }> {
    const { groups } = await this.admin.describeGroups([this.groupId]);
    const g = groups[0];
    const members = (g?.members ?? []).map((d) => {
      const assignment = AssignerProtocol.MemberAssignment.decode(d.memberAssignment);
      const partitions = [...(assignment?.assignment[this.topic] ?? [])].sort((a, b) => a - b);
      return { memberId: d.memberId, partitions };
    });
    return { state: g?.state ?? 'Unknown', members };
  }

  /** The coordinator's answer: member → partitions, or undefined while not Stable. */
  async brokerView(): Promise<Map<Member, number[]> | undefined> {
    const g = await this.describe();
    if (g.state !== 'Stable') return undefined;
    const owners = new Map<Member, number[]>();
    for (const d of g.members) {
      const member = this.members.find((m) => m.memberId === d.memberId);
      if (!member) return undefined;
      owners.set(member, d.partitions);
    }
    return owners;
  }

  /** Records this group has read, each (partition, offset) once: a rebalance may redeliver. */
  distinct(member?: Member): Received[] {
    const seen = new Map<string, Received>();
    for (const r of member ? member.received : this.received) {
      const id = `${r.partition}:${r.offset}`;
      if (!seen.has(id)) seen.set(id, r);
    }
    return [...seen.values()];
  }

  /** Waits, waking on every record, join and crash, until `ready()` holds. */
  until(what: string, ready: () => boolean, timeoutMs = 20_000): Promise<void> {
    return this.events.until(what, ready, { timeoutMs, check: () => this.checkCrashes() });
  }

  /** Waits until the group has read `count` distinct records; returns them in arrival order. */
  async receivedAtLeast(count: number, timeoutMs = 20_000): Promise<Received[]> {
    await this.until(
      `${count} records read by ${this.groupId}`,
      () => {
        return this.distinct().length >= count;
      },
      timeoutMs,
    );
    return this.distinct();
  }
}

function sameList(a: number[] | undefined, b: number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}
