package limitertest

import "loginharness/internal/mock"

// NewMockServer is the whole mock (both APIs, every operation, the demo
// accounts) with its own limit off, behind l: every sign-in to the Webex
// API (a POST under its base path) goes through l, as a rate-limiting
// gateway in front of it would put it, and gets the mock's answer once
// admitted. A full live run,
// conformance and load, can then be proven against l.
func NewMockServer(l Limiter, form RetryAfterForm, opts ...func(*Server)) *Server {
	cfg := mock.DefaultConfig()
	mock.WithRate(1e9, 1<<30)(&cfg) // the most it takes: no limit a run can reach
	behind := func(s *Server) { s.Next, s.Limited = mock.New(cfg), mock.WebexBasePath }
	return NewServer(l, form, append([]func(*Server){behind}, opts...)...)
}
