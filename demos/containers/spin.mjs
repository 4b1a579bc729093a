// Spins one CPU for the given wall-clock milliseconds, then prints how many loops it ran.
const ms = Number(process.argv[2] ?? 2000);
const end = Date.now() + ms;
let loops = 0;
while (Date.now() < end) loops += 1;
console.log(`spun ${loops} loops`);
