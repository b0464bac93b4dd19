package measure

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"loginharness/internal/bench"
	"loginharness/internal/bench/scorecard"
	"loginharness/internal/contract"
	"loginharness/internal/mock"
)

// runMemory: the mock's peak RSS after requests from p.Keys distinct
// bearer tokens. The mock keys its limiter by token before it checks the
// token, so every request makes (or recycles) one limiter key.
func runMemory(ctx context.Context, p *Plan, rep *scorecard.Card) []*table {
	t := &table{Title: "Mock memory after distinct client keys (Webex, keyed by token)", Header: []string{"keys", "max-keys", "seconds", "RSS before MiB", "peak RSS MiB", "RSS after MiB", "B/tracked key", "answers"}}
	t.Notes = append(t.Notes, "peak RSS is VmHWM of the mock's process; demo limits (50/s, burst 10); B/tracked key = (peak - before) / min(keys, max-keys)")
	caps := []int{mock.DefaultConfig().MaxKeys}
	if !p.Quick {
		caps = append(caps, p.Keys) // every key tracked: what a key costs
	}
	for _, maxKeys := range caps {
		if ctx.Err() != nil {
			break
		}
		m, err := memoryRun(ctx, p, maxKeys)
		if err != nil {
			rep.Notes = append(rep.Notes, "memory: "+err.Error())
			continue
		}
		rep.Memory = append(rep.Memory, *m)
		var answers []string
		for _, c := range slices.Sorted(maps.Keys(m.StatusCodes)) {
			answers = append(answers, c+":"+strconv.FormatInt(m.StatusCodes[c], 10))
		}
		perKey := ""
		if tracked := min(m.Keys, m.MaxKeys); tracked > 0 {
			perKey = scorecard.FormatFloat(float64(m.HWMKB-m.RSSBeforeKB) * 1024 / float64(tracked))
		}
		t.Add(strconv.Itoa(m.Keys), strconv.Itoa(m.MaxKeys), scorecard.FormatFloat(m.Seconds), scorecard.FormatFloat(float64(m.RSSBeforeKB)/1024), scorecard.FormatFloat(float64(m.HWMKB)/1024), scorecard.FormatFloat(float64(m.RSSAfterKB)/1024), perKey, strings.Join(answers, " "))
	}
	return []*table{t}
}

// memoryRun floods a fresh mock tracking at most maxKeys keys.
func memoryRun(ctx context.Context, p *Plan, maxKeys int) (*scorecard.Memory, error) {
	srv, err := p.startServer(ctx, "mock", "--key-by", "token", "--max-keys", strconv.Itoa(maxKeys))
	if err != nil {
		return nil, fmt.Errorf("mock server: %w", err)
	}
	defer func() { _ = srv.Stop() }()
	host := strings.TrimPrefix(srv.URL, "http://")
	build, err := floodSignIns(host)
	if err != nil {
		return nil, err
	}
	// Warm up on a handful of keys, so "before" includes the runtime and
	// connection buffers, not the keys.
	if _, err := bench.Flood(ctx, bench.FloodOptions{Addr: host, Requests: 1000, Connections: 4, Build: build("warm-")}); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	before, err := bench.ReadProcMemory(srv.PID)
	if err != nil {
		return nil, err
	}
	p.logf("   %d distinct keys, max-keys %d", p.Keys, maxKeys)
	res, err := bench.Flood(ctx, bench.FloodOptions{Addr: host, Requests: p.Keys, Connections: 4, Build: build("bench-key-")})
	if err != nil {
		return nil, fmt.Errorf("flood: %w", err)
	}
	time.Sleep(100 * time.Millisecond)
	after, err := bench.ReadProcMemory(srv.PID)
	if err != nil {
		return nil, err
	}
	codes := map[string]int64{}
	for c, n := range res.StatusCodes {
		codes[strconv.Itoa(c)] = n
	}
	return &scorecard.Memory{
		Keys: int(res.Sent), MaxKeys: maxKeys, Seconds: res.Elapsed.Seconds(), StatusCodes: codes,
		RSSBeforeKB: before.VmRSS, HWMKB: after.VmHWM, RSSAfterKB: after.VmRSS,
	}, nil
}

// floodSignIns writes the demo account's Webex sign-in (target.SignIn) as
// raw requests for bench.Flood, each with a bearer token of its own, the
// prefix followed by the request's number: every request is a new key of
// the limiter.
func floodSignIns(host string) (build func(prefix string) func(buf []byte, i int) []byte, err error) {
	const placeholder = "flood-token"
	a := demoAccount(contract.Webex, "")
	a.Token = placeholder
	login, err := signIn(contract.Webex, a, "")
	if err != nil {
		return nil, err
	}
	var header [][2]string
	for _, name := range slices.Sorted(maps.Keys(login.Header)) {
		header = append(header, [2]string{name, strings.Join(login.Header[name], ", ")})
	}
	return func(prefix string) func(buf []byte, i int) []byte {
		return func(buf []byte, i int) []byte {
			h := slices.Clone(header)
			for k := range h {
				h[k][1] = strings.Replace(h[k][1], placeholder, prefix+strconv.Itoa(i), 1)
			}
			return bench.AppendPost(buf, host, login.URL, h, login.Body)
		}
	}, nil
}
