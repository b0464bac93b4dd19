package scorecard

import (
	"reflect"
	"strings"
	"testing"
)

func statusOf(t *testing.T, gs []Goal, prefix string) Goal {
	t.Helper()
	for _, g := range gs {
		if strings.HasPrefix(g.Name, prefix) {
			return g
		}
	}
	t.Fatalf("no goal named %q in %+v", prefix, gs)
	return Goal{}
}

// noWrk is how a throughput row says wrk was missing (bench.ErrWrkMissing).
const noWrk = "wrk is not installed (Debian/Ubuntu: sudo apt-get install -y wrk)"

func TestGoals(t *testing.T) {
	rep := &Card{
		Throughput: []Throughput{
			{Source: "vegeta", Connections: 8, Server: "bare", RequestsPerSec: 30000},
			{Source: "vegeta", Connections: 8, Server: "mock", RequestsPerSec: 27000, RatioToBare: 0.9},
			{Source: "vegeta", Connections: 32, Server: "bare", RequestsPerSec: 30000},
			{Source: "vegeta", Connections: 32, Server: "mock", RequestsPerSec: 21000, RatioToBare: 0.7},
			{Source: "vegeta", Connections: 128, Server: "bare", RequestsPerSec: 30000},
			{Source: "vegeta", Connections: 128, Server: "mock", RequestsPerSec: 29000, RatioToBare: 0.95, Non2xx: 3},
			{Source: "wrk", Connections: 64, Server: "bare", Skipped: noWrk},
			{Source: "wrk", Connections: 64, Server: "mock", Skipped: noWrk},
		},
		Validation: []Cost{{Name: "webex 200", NsPerOp: 4000}, {Name: "commvault 200 CM", NsPerOp: 31000}},
		Fidelity: []Fidelity{
			{Mode: ModePlain, RequestedRate: 10000, AchievedRate: 10000},
			{Mode: ModeInline, RequestedRate: 10000, AchievedRate: 6000, RatioToPlain: 0.6}, // informative only
			{Mode: ModeHarness, RequestedRate: 10000, AchievedRate: 9500, RatioToPlain: 0.95},
			{Mode: ModeHarness, RequestedRate: 5000, AchievedRate: 5000}, // no plain run to compare with
			{Mode: ModeHarness, RequestedRate: 1000, AchievedRate: 850, RatioToPlain: 0.85},
		},
		Limiter: []LimiterAccuracy{
			{Limit: 10, Expected: 30, AcceptedError: -0.02, Probes: 5, Honest: true},
			{Limit: 100, Expected: 310, AcceptedError: 0.08, Probes: 5, Honest: false},
		},
	}
	gs := Goals(rep)
	for prefix, want := range map[string]string{
		"throughput mock/bare, vegeta 8 conns":            Met,
		"throughput mock/bare, vegeta 32 conns":           Missed,
		"throughput mock/bare, vegeta 128 conns":          Skipped, // a non-200 answer spoils the ratio
		"throughput mock/bare, wrk 64 conns":              Skipped,
		"validation, slowest response (commvault 200 CM)": Missed,
		"load fidelity harness/plain at 10000/s":          Met,
		"load fidelity harness/plain at 5000/s":           Skipped,
		"load fidelity harness/plain at 1000/s":           Missed,
		"limiter 10/s |accepted":                          Met,
		"limiter 10/s Retry-After":                        Met,
		"limiter 100/s |accepted":                         Missed,
		"limiter 100/s Retry-After":                       Missed,
	} {
		if g := statusOf(t, gs, prefix); g.Status != want {
			t.Errorf("%s: %s, want %s (%+v)", prefix, g.Status, want, g)
		}
	}
	if g := statusOf(t, gs, "throughput mock/bare, wrk"); !strings.Contains(g.Note, "apt-get install -y wrk") {
		t.Errorf("a skipped goal should pass on why its row was skipped: %+v", g)
	}
	if g := statusOf(t, gs, "load fidelity harness/plain at 10000/s"); g.Note != "" {
		t.Errorf("plain reached the requested rate, yet the goal says %q", g.Note)
	}
	if n := len(gs); n != 4+1+3+4 {
		t.Errorf("%d goals, want 12 (the inline mode is not a goal): %+v", n, gs)
	}
}

func TestGoalsEmptyReport(t *testing.T) {
	if gs := Goals(&Card{}); len(gs) != 0 {
		t.Errorf("Goals of an empty report = %+v", gs)
	}
}

func TestFoldRounds(t *testing.T) {
	per := map[string][]Throughput{
		"bare": {
			{Seconds: 1, Requests: 100, RequestsPerSec: 100, P50Ms: 1, P99Ms: 9, StatusCodes: map[string]int{"200": 100}},
			{Seconds: 1, Requests: 300, RequestsPerSec: 300, P50Ms: 3, P99Ms: 7, StatusCodes: map[string]int{"200": 300}},
			{Seconds: 1, Requests: 200, RequestsPerSec: 200, P50Ms: 2, P99Ms: 8, StatusCodes: map[string]int{"200": 199, "0": 1}, Errors: 1, Non2xx: 1},
		},
	}
	out := FoldRounds("vegeta", 8, per, []float64{0.9, 0.7, 0.8}, map[string]string{"mock": "connection refused"})
	bare := out["bare"]
	want := Throughput{
		Source: "vegeta", Connections: 8, Server: "bare", Seconds: 3, Requests: 600,
		RequestsPerSec: 200, P50Ms: 2, P99Ms: 8, Non2xx: 1, Errors: 1,
		StatusCodes: map[string]int{"200": 599, "0": 1}, Rounds: []float64{100, 300, 200},
	}
	if !reflect.DeepEqual(bare, want) {
		t.Errorf("bare = %+v\nwant %+v", bare, want)
	}
	if m := out["mock"]; m.Skipped != "connection refused" || m.RequestsPerSec != 0 || m.RatioToBare != 0 {
		t.Errorf("mock without rounds = %+v, want skipped with the failure", m)
	}
	per["mock"] = per["bare"]
	if m := FoldRounds("vegeta", 8, per, []float64{0.9, 0.7, 0.8}, nil)["mock"]; m.RatioToBare != 0.8 {
		t.Errorf("mock RatioToBare = %v, want the median 0.8", m.RatioToBare)
	}
	if b := FoldRounds("wrk", 64, nil, nil, nil)["bare"]; !strings.Contains(b.Skipped, "not measured") {
		t.Errorf("no rounds, no failure: %+v", b)
	}
}

func TestFoldFidelity(t *testing.T) {
	modes := []string{ModePlain, ModeInline, ModeHarness}
	per := map[string][]Fidelity{
		ModePlain: {
			{AchievedRate: 1000, SentRate: 1001, Throughput: 1000, P99Ms: 1, Requests: 1000},
			{AchievedRate: 990, SentRate: 995, Throughput: 990, P99Ms: 3, Requests: 990},
			{AchievedRate: 500, SentRate: 600, Throughput: 500, P99Ms: 900, Requests: 500, Errors: 2}, // a noisy round
		},
		ModeHarness: {
			{AchievedRate: 950, Requests: 950, Validated: 950},
			{AchievedRate: 1000, Requests: 1000, Validated: 999, Nonconforming: 1},
		},
	}
	ratios := map[string][]float64{ModeHarness: {0.95, 1.01}}
	out := FoldFidelity(1000, modes, per, ratios)
	if len(out) != 2 || out[0].Mode != ModePlain || out[1].Mode != ModeHarness {
		t.Fatalf("FoldFidelity = %+v, want plain then harness (inline had no rounds)", out)
	}
	plain, harness := out[0], out[1]
	if plain.AchievedRate != 990 || plain.SentRate != 995 || plain.P99Ms != 3 || plain.Requests != 2490 || plain.Errors != 2 || plain.RatioToPlain != 0 || plain.RequestedRate != 1000 {
		t.Errorf("plain = %+v: want medians (the noisy round outvoted) and sums", plain)
	}
	if harness.AchievedRate != 975 || harness.Validated != 1949 || harness.Nonconforming != 1 || harness.RatioToPlain != 0.98 || len(harness.RatioRounds) != 2 {
		t.Errorf("harness = %+v", harness)
	}
}

func TestValidationGoalPrefersCPUTime(t *testing.T) {
	rep := &Card{Validation: []Cost{
		{Name: "slow wall, cheap CPU", NsPerOp: 30000, CPUNsPerOp: 9000}, // descheduled by other work
		{Name: "costly", NsPerOp: 19000, CPUNsPerOp: 21000},
		{Name: "no CPU figure", NsPerOp: 15000},
	}}
	g := Goals(rep)[0]
	if !strings.Contains(g.Name, "(costly)") || g.Status != Missed || g.Value != 21 || !strings.Contains(g.Note, "CPU") {
		t.Errorf("goal = %+v, want the costliest CPU time judged (21 µs, missed)", g)
	}
	rep.Validation = rep.Validation[2:]
	if g := Goals(rep)[0]; g.Status != Met || g.Value != 15 || !strings.Contains(g.Note, "wall") {
		t.Errorf("goal = %+v, want wall time used when CPU time is missing", g)
	}
}

func TestFidelityGoalNotesASaturatedMachine(t *testing.T) {
	rep := &Card{Fidelity: []Fidelity{
		{Mode: ModePlain, RequestedRate: 10000, AchievedRate: 3400},
		{Mode: ModeHarness, RequestedRate: 10000, AchievedRate: 3300, RatioToPlain: 0.97},
	}}
	g := Goals(rep)[0]
	if g.Status != Met || !strings.Contains(g.Note, "34%") || !strings.Contains(g.Note, "saturated") {
		t.Errorf("goal = %+v, want met with a note that plain Vegeta fell short", g)
	}
}

func TestValidationRatioGoalPerResponse(t *testing.T) {
	rep := &Card{Validation: []Cost{
		{Name: "webex 200", CPUNsPerOp: 700, Plain: &Cost{CPUNsPerOp: 10000}, RatioToPlain: 0.07},
		{Name: "webex 429 error body", CPUNsPerOp: 1400, Plain: &Cost{CPUNsPerOp: 7000}, RatioToPlain: 0.2}, // at most: met
		{Name: "commvault 200 LoginFailure", CPUNsPerOp: 3000, Plain: &Cost{CPUNsPerOp: 10000}, RatioToPlain: 0.3},
		{Name: "commvault 200 unpaired", CPUNsPerOp: 3000, Plain: &Cost{}},
		{Name: "no yardstick", CPUNsPerOp: 900}, // no kin-openapi figure: no ratio goal
	}}
	gs := Goals(rep)
	for name, want := range map[string]string{
		ValidationRatioGoal + "webex 200":                  Met,
		ValidationRatioGoal + "webex 429 error body":       Met,
		ValidationRatioGoal + "commvault 200 LoginFailure": Missed,
		ValidationRatioGoal + "commvault 200 unpaired":     Skipped,
	} {
		if g := statusOf(t, gs, name); g.Status != want || g.Op != AtMost || g.Target != GoalValidationRatio {
			t.Errorf("%s: %+v, want %s against <= %g", name, g, want, GoalValidationRatio)
		}
	}
	if n := len(gs); n != 1+4 {
		t.Errorf("%d goals, want the slowest-response goal and 4 ratio goals: %+v", n, gs)
	}
	if g := statusOf(t, gs, ValidationRatioGoal+"webex 200"); g.Value != 0.07 || !strings.Contains(g.String(), "0.070× <= 0.200× met") {
		t.Errorf("goal reads %q", g.String())
	}
}

func TestTopFidelityGoal(t *testing.T) {
	rows := func(harnessRatio float64) []Fidelity {
		return []Fidelity{
			{Mode: ModePlain, RequestedRate: 10000, AchievedRate: 10000},
			{Mode: ModeHarness, RequestedRate: 10000, AchievedRate: 10000, RatioToPlain: 0.5}, // the 10000/s goal's, not the top's
			{Mode: ModePlain, RequestedRate: 10500, AchievedRate: 10400, Top: true},
			{Mode: ModeHarness, RequestedRate: 10500, AchievedRate: 10000, RatioToPlain: harnessRatio, RatioRounds: []float64{0.81, harnessRatio, 1.02}, Top: true,
				Validators: &CPUShare{Samples: 1200, InFunc: 22, Share: 22.0 / 1200}},
		}
	}
	ceiling := &Ceiling{Top: 20000, Rate: 10500, BelowTop: true}
	gs := Goals(&Card{Fidelity: rows(0.96), Ceiling: ceiling})
	top := statusOf(t, gs, TopFidelityGoal(20000))
	if top.Status != Met || top.Target != GoalTopFidelity || top.Value != 0.96 || !top.NoteAlways {
		t.Errorf("top goal = %+v, want met at 0.96 against %g", top, GoalTopFidelity)
	}
	for _, want := range []string{"ceiling", "10500/s", "20000/s is above it", "1.8%", "22 of 1200", "rounds 0.81 to 1.02"} {
		if !strings.Contains(top.Note, want) {
			t.Errorf("top goal note %q lacks %q", top.Note, want)
		}
	}
	if g := statusOf(t, gs, "load fidelity harness/plain at 10000/s"); g.Status != Missed || g.Value != 0.5 {
		t.Errorf("the 10000/s goal = %+v: the top rows must not stand in for it", g)
	}
	if n := len(gs); n != 2 {
		t.Errorf("%d goals, want the 10000/s one and the top one: %+v", n, gs)
	}
	if g := statusOf(t, Goals(&Card{Fidelity: rows(0.94), Ceiling: ceiling}), TopFidelityGoal(20000)); g.Status != Missed {
		t.Errorf("0.94 at the top: %+v, want missed (0.95 is the top's target, not 0.9)", g)
	}
	// Another machine, another ceiling: the same goal, so runs compare.
	other := Goals(&Card{Fidelity: rows(0.99), Ceiling: &Ceiling{Top: 20000, Rate: 20000}})
	if g := statusOf(t, other, TopFidelityGoal(20000)); g.Status != Met || !strings.Contains(g.Note, "within plain Vegeta's ceiling") {
		t.Errorf("top goal at the top rate = %+v", g)
	}
	none := Goals(&Card{Ceiling: &Ceiling{Top: 20000, BelowTop: true}})
	if g := statusOf(t, none, TopFidelityGoal(20000)); g.Status != Skipped || !strings.Contains(g.Note, "none of the rates") {
		t.Errorf("no ceiling found: %+v, want skipped saying why", g)
	}
}

func TestCostRatioAndFoldCosts(t *testing.T) {
	if v, ok := CostRatio(Cost{NsPerOp: 900, CPUNsPerOp: 500}, Cost{NsPerOp: 3000, CPUNsPerOp: 10000}); !ok || v != 0.05 {
		t.Errorf("CostRatio = %v, %v; want CPU time, 0.05", v, ok)
	}
	if v, ok := CostRatio(Cost{NsPerOp: 900, CPUNsPerOp: 500}, Cost{NsPerOp: 3000}); !ok || v != 0.3 {
		t.Errorf("CostRatio = %v, %v; want wall time when one side lacks CPU time", v, ok)
	}
	if _, ok := CostRatio(Cost{NsPerOp: 900}, Cost{}); ok {
		t.Error("CostRatio with nothing to divide by")
	}
	folded := FoldCosts([]Cost{
		{Name: "webex 200", API: "webex", NsPerOp: 800, CPUNsPerOp: 700, AllocsPerOp: 0, BytesPerOp: 0, Iterations: 100},
		{Name: "other", NsPerOp: 5000, CPUNsPerOp: 4000, AllocsPerOp: 2, BytesPerOp: 64, Iterations: 10}, // a noisy round
		{Name: "other", NsPerOp: 900, CPUNsPerOp: 0, AllocsPerOp: 0, BytesPerOp: 0, Iterations: 90},
	})
	want := Cost{Name: "webex 200", API: "webex", NsPerOp: 900, CPUNsPerOp: 2350, Iterations: 200}
	if !reflect.DeepEqual(folded, want) {
		t.Errorf("FoldCosts = %+v\nwant %+v (medians, CPU of the rounds that have it, summed iterations)", folded, want)
	}
	if !reflect.DeepEqual(FoldCosts(nil), Cost{}) {
		t.Error("FoldCosts(nil) is not the zero Cost")
	}
}

func TestFoldFidelityPoolsCPU(t *testing.T) {
	per := map[string][]Fidelity{
		ModeHarness: {
			{AchievedRate: 10000, Requests: 30000, CPUSeconds: 3, Validators: &CPUShare{Func: "f", Samples: 300, InFunc: 6, ProcessCPUSeconds: 3}},
			{AchievedRate: 9000, Requests: 30000, CPUSeconds: 3.6, Validators: &CPUShare{Func: "f", Samples: 360, InFunc: 3, ProcessCPUSeconds: 3.6}},
		},
		ModePlain: {{AchievedRate: 10000, Requests: 30000, CPUSeconds: 3}},
	}
	out := FoldFidelity(10000, []string{ModePlain, ModeHarness}, per, nil)
	plain, harness := out[0], out[1]
	if plain.Validators != nil || plain.CPUMicrosPerRequest != 100 {
		t.Errorf("plain = %+v, want 100 µs/request and no validator share", plain)
	}
	v := harness.Validators
	if harness.CPUMicrosPerRequest != 110 || v == nil || v.Samples != 660 || v.InFunc != 9 || v.Share != 9.0/660 || v.ProcessCPUSeconds != 6.6 {
		t.Errorf("harness = %+v, validators %+v: want samples and CPU pooled over rounds", harness, v)
	}
}
