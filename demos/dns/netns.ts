// The demo's one network namespace, as the sandbox (kit/sandbox.ts) made it: commands and servers
// run inside it, its /etc files are its own, and everything goes with the sandbox.

import type { Ran, Sandbox, SandboxProc } from '../kit/sandbox.ts';

export interface Netns {
  sandbox: Sandbox;
  name: string;
}

/** Runs a command inside the namespace to its end. */
export function runIn(ns: Netns, command: string, args: string[], input = ''): Promise<Ran> {
  return ns.sandbox.run(command, args, { netns: ns.name, input });
}

/** Starts a server inside the namespace; the sandbox kills it on close. */
export function startIn(ns: Netns, command: string, args: string[]): SandboxProc {
  return ns.sandbox.start(command, args, { netns: ns.name });
}
