package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"loginharness/internal/bench"
	"loginharness/internal/mock"
)

// runMemory: the mock's peak RSS after requests from p.keys distinct
// bearer tokens. The mock keys its limiter by token before it checks the
// token, so every request makes (or recycles) one limiter key.
func runMemory(ctx context.Context, p *plan, rep *bench.Report) []*bench.Table {
	srv, err := p.startServer(ctx, "mock", "--key-by", "token")
	if err != nil {
		rep.Notes = append(rep.Notes, "memory: mock server: "+err.Error())
		return nil
	}
	defer stopServer(rep, "memory", srv)
	host := strings.TrimPrefix(srv.URL, "http://")
	login := webexLogin("")
	body := login.Body
	build := func(token string) func(buf []byte, i int) []byte {
		return func(buf []byte, i int) []byte {
			return bench.AppendPost(buf, host, mock.WebexPath, [][2]string{
				{"Authorization", "Bearer " + token + strconv.Itoa(i)},
				{"Content-Type", "application/json"},
			}, body)
		}
	}
	// Warm up on a handful of keys, so "before" includes the runtime and
	// connection buffers, not the keys.
	if _, err := bench.Flood(ctx, bench.FloodOptions{Addr: host, Requests: 1000, Connections: 4, Build: build("warm-")}); err != nil {
		rep.Notes = append(rep.Notes, "memory: warm-up: "+err.Error())
		return nil
	}
	before, err := bench.ReadProcMemory(srv.PID)
	if err != nil {
		rep.Notes = append(rep.Notes, "memory: "+err.Error())
		return nil
	}
	p.logf("   %d distinct keys", p.keys)
	res, err := bench.Flood(ctx, bench.FloodOptions{Addr: host, Requests: p.keys, Connections: 4, Build: build("bench-key-")})
	if err != nil {
		rep.Notes = append(rep.Notes, "memory: flood: "+err.Error())
		return nil
	}
	time.Sleep(100 * time.Millisecond)
	after, err := bench.ReadProcMemory(srv.PID)
	if err != nil {
		rep.Notes = append(rep.Notes, "memory: "+err.Error())
		return nil
	}
	codes := map[string]int64{}
	for c, n := range res.StatusCodes {
		codes[strconv.Itoa(c)] = n
	}
	m := &bench.Memory{
		Keys: int(res.Sent), MaxKeys: mock.DefaultConfig().MaxKeys, Seconds: res.Elapsed.Seconds(), StatusCodes: codes,
		RSSBeforeKB: before.VmRSS, HWMKB: after.VmHWM, RSSAfterKB: after.VmRSS,
	}
	rep.Memory = m
	t := &bench.Table{Title: "Mock memory after distinct client keys (Webex, keyed by token)", Header: []string{"keys", "max-keys", "seconds", "RSS before MiB", "peak RSS MiB", "RSS after MiB", "answers"}}
	var answers []string
	for _, c := range sortedCodes(codes) {
		answers = append(answers, c+":"+strconv.FormatInt(codes[c], 10))
	}
	t.Add(strconv.Itoa(m.Keys), strconv.Itoa(m.MaxKeys), f(m.Seconds), f(float64(m.RSSBeforeKB)/1024), f(float64(m.HWMKB)/1024), f(float64(m.RSSAfterKB)/1024), strings.Join(answers, " "))
	t.Notes = append(t.Notes, "peak RSS is VmHWM of the mock's process; the demo config (50/s, burst 10) tracks at most max-keys keys")
	return []*bench.Table{t}
}
