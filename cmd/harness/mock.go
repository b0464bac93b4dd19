package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"loginharness/internal/load"
	"loginharness/internal/mock"
)

func newMockCmd(logger *slog.Logger) *cobra.Command {
	cfg := mock.DefaultConfig()
	var addr string
	cmd := &cobra.Command{
		Use:   "mock",
		Short: "Serve the mock of both login APIs until interrupted",
		Long: `mock serves both login APIs on one address, at their documented paths:
Webex at /v1/telephony/config/redSky/actions/login/invoke and Commvault at
/commandcenter/api/Login. Point HARNESS_WEBEX_URL at http://ADDR/v1 and
HARNESS_COMMVAULT_URL at http://ADDR/commandcenter/api to test it as a live
server. The demo accounts and limits below are the defaults. SIGINT or SIGTERM
shuts it down gracefully.

Exit status: 0 after a graceful shutdown, 2 a usage error or an --addr it
cannot listen on (in use by another process, or not an address of this
machine), the configuration's to fix like any bad flag.

` + demoAccounts(cfg),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cfg.Validate(); err != nil {
				return usageError{err}
			}
			if _, _, err := net.SplitHostPort(addr); err != nil {
				return usagef("--addr %q: want host:port, e.g. 127.0.0.1:8080: %v", addr, err)
			}
			ln, err := (&net.ListenConfig{}).Listen(cmd.Context(), "tcp", addr)
			if errors.Is(err, syscall.EADDRINUSE) {
				return usagef("--addr %s: the address is in use, another process listens there: stop it, or give another --addr", addr)
			}
			if err != nil {
				return usagef("--addr %s: cannot listen there: %v", addr, err)
			}
			return mock.Serve(cmd.Context(), ln, mock.New(cfg), logger)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cfg.BindFlags(cmd.Flags())
	return cmd
}

// demoAccounts lists the default accounts with their passwords: demo
// values, not secrets, which a user pointing the harness at the mock needs.
func demoAccounts(cfg mock.Config) string {
	var b strings.Builder
	b.WriteString("Demo accounts (demo values, not secrets):\n")
	row := func(what, value string) { fmt.Fprintf(&b, "  %-28s %s\n", what, value) }
	row("Webex token (write scope)", strings.Join(cfg.WebexTokens, ", "))
	row("Webex token (no scope: 403)", strings.Join(cfg.WebexTokensNoScope, ", "))
	row("Webex orgId", strings.Join(cfg.WebexOrgIDs, ", "))
	for _, a := range cfg.RedSkyAccounts {
		row("RedSky admin email:password", a.Email+":"+a.Password)
	}
	for _, a := range cfg.CommvaultAccounts {
		row("Commvault user:password", a.Username+":"+a.Password)
	}
	fmt.Fprintf(&b, "A Commvault user named by an email signs in as SaaS, any other as customer-managed.\n\n"+
		"Limits: %g requests/s per token, burst %d, as the conformance suite's embedded mock. The load\n"+
		"scenarios' embedded mocks run at %d/s, burst %d, so that a few seconds of load measure the limit\n"+
		"closely; --rate %d --burst %d serves what they see.", cfg.Rate, cfg.Burst, load.MockRate, load.MockBurst, load.MockRate, load.MockBurst)
	return b.String()
}
