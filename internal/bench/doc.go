// Package bench is the measuring kit behind `make bench` (cmd/harness-bench):
// Vegeta attacks summarised (Attack), wrk runs and their parsed output
// (RunWrk, ParseWrk), servers in child processes (StartServer), a pipelined
// flood of distinct keys (Flood), /proc memory (ReadProcMemory), the
// reports/bench.json model (Report), and the goals of issue 7 judged as
// ratios (Goals, Ratio, FoldRounds), printed as text tables (Table).
//
// Nothing here asserts on time: the goals are ratios measured side by side
// in one run, and the tests cover only the pure parts and failure paths.
package bench
