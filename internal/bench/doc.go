// Package bench is the measuring kit behind `make bench` (cmd/harness-bench,
// whose measurements are internal/bench/measure): Vegeta attacks summarised
// (Attack), wrk runs and their parsed output (RunWrk, ParseWrk), servers in
// child processes (StartServer), a yardstick server replaying a recorded
// answer (NewReplay), in-process handler loops (ServeLoop), Retry-After
// probes timed until served (ProbeRetryAfter), a pipelined flood of
// distinct keys (Flood), /proc memory and process CPU time (ReadProcMemory,
// ProcessCPU), one function's share of the CPU from a CPU profile
// (ProfileShare, ShareOf), plain Vegeta's ceiling (FindCeiling), the
// reports/bench.json model (Report), and the goals judged as ratios (Goals,
// Ratio, FoldRounds, FoldCosts), printed as text tables (Table).
//
// Nothing here asserts on time: the goals are ratios measured side by side
// in one run, and the tests cover only the pure parts and failure paths.
package bench
