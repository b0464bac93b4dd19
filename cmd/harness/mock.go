package main

import (
	"log/slog"
	"net"

	"github.com/spf13/cobra"

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
shuts it down gracefully.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cfg.Validate(); err != nil {
				return usageError{err}
			}
			if _, _, err := net.SplitHostPort(addr); err != nil {
				return usagef("--addr %q: want host:port, e.g. 127.0.0.1:8080: %v", addr, err)
			}
			return mock.ListenAndServe(cmd.Context(), addr, mock.New(cfg), logger)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cfg.BindFlags(cmd.Flags())
	return cmd
}
