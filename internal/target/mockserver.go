package target

import (
	"context"
	"fmt"
	"net"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
)

// MockServer is the in-process mock: mock.New(cfg) served on a port of its
// own on 127.0.0.1. The suites' mock targets and the load runner's mock
// endpoints both start one here.
type MockServer struct {
	Root string // "http://127.0.0.1:PORT"
	stop func()
}

// StartMock serves mock.New(cfg) on a fresh loopback port until ctx ends or
// Close; the clock is cfg's (the real one unless cfg.Clock is set). A
// configuration that fails Validate is refused.
func StartMock(ctx context.Context, cfg mock.Config) (*MockServer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("mock: %w", err)
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mock: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = mock.Serve(ctx, ln, mock.New(cfg), nil) // returns once ctx ends
	}()
	return &MockServer{Root: "http://" + ln.Addr().String(), stop: func() { cancel(); <-done }}, nil
}

// BaseURL is where api sits on the server.
func (m *MockServer) BaseURL(api contract.API) string { return MockBaseURL(api, m.Root) }

// Close stops the server and waits until it has.
func (m *MockServer) Close() { m.stop() }

// MockBaseURL is the base URL of api, the one the operations' paths are
// appended to, on a mock served at root ("http://host:port"): the API's
// base path, as `harness mock` serves it too.
func MockBaseURL(api contract.API, root string) string {
	switch api {
	case contract.Webex:
		return root + mock.WebexBasePath
	case contract.Commvault:
		return root + mock.CommvaultBasePath
	}
	return root
}

// MockAccounts are the accounts a client signs in to api with on a mock
// of cfg. Webex: one, with the first token, org and RedSky account.
// Commvault: one per edition: the first user with an email as its name
// signs in as SaaS, the first without as customer-managed.
func MockAccounts(api contract.API, cfg mock.Config) []Account {
	switch api {
	case contract.Webex:
		a := Account{OrgID: first(cfg.WebexOrgIDs), Token: first(cfg.WebexTokens), TokenNoScope: first(cfg.WebexTokensNoScope)}
		if len(cfg.RedSkyAccounts) > 0 {
			a.User, a.Password = cfg.RedSkyAccounts[0].Email, cfg.RedSkyAccounts[0].Password
		}
		return []Account{a}
	case contract.Commvault:
		var out []Account
		for _, e := range Editions() {
			for _, a := range cfg.CommvaultAccounts {
				if looksLikeEmail(a.Username) == (e == SaaS) {
					out = append(out, Account{Edition: e, User: a.Username, Password: a.Password})
					break
				}
			}
		}
		return out
	}
	return nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
