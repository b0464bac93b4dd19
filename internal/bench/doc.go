// Package bench is the instruments `make bench` measures with: load sources,
// servers to measure, and gauges of a process.
//
// Load sources: a Vegeta attack summarised (Attack), wrk runs and their output
// (RunWrk, ParseWrk), a pipelined flood of distinct keys (Flood) and Retry-After
// probes timed until served (ProbeRetryAfter). Servers: a program in a child
// process (StartServerProcess), a yardstick replaying one recorded answer (NewReplay)
// and an in-process handler loop (ServeLoop). Gauges: /proc memory
// (ReadProcMemory), process CPU time (ProcessCPU) and one function's share of a
// CPU profile (ProfileShare, ShareOf). Nothing here judges: the figures go into
// a scorecard.Card, whose goals are ratios measured side by side in one run.
package bench
