// Allocates memory 8 MiB at a time and touches every page (Buffer.alloc with a fill value writes
// each byte), printing the running total; prints `survived` if it gets to its target: the MiB
// given as its argument, 1 GiB without one. In a memory cgroup with a smaller limit, the
// kernel's OOM killer ends it with SIGKILL before that.
const CHUNK = 8 << 20;
const target = Number(process.argv[2] ?? 1024) << 20;
const held = [];
for (let total = CHUNK; total <= target; total += CHUNK) {
  held.push(Buffer.alloc(CHUNK, 1));
  process.stdout.write(`allocated ${total >> 20} MiB\n`);
}
console.log(`survived with ${held.length} chunks`);
