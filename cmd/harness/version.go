package main

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// buildVersion names this build: its module version (a pseudo-version for a
// VCS checkout, "(devel)" without VCS stamping) and whether the tree had
// uncommitted changes.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	if rev := setting(info, "vcs.revision"); rev != "" && !strings.Contains(v, shortRevision(rev)) {
		v += " " + shortRevision(rev)
	}
	if setting(info, "vcs.modified") == "true" && !strings.HasSuffix(v, "+dirty") {
		v += "+dirty"
	}
	return v
}

func shortRevision(rev string) string { return rev[:min(12, len(rev))] }

func setting(info *debug.BuildInfo, key string) string {
	for _, s := range info.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// engines are the modules whose versions decide what a run checks and how.
var engines = []string{"github.com/onsi/ginkgo/v2", "github.com/tsenart/vegeta/v12", "github.com/getkin/kin-openapi"}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the harness version and what it was built with",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "harness %s\n", buildVersion())
			info, ok := debug.ReadBuildInfo()
			if !ok {
				return nil
			}
			fmt.Fprintf(w, "  go        %s\n", info.GoVersion)
			for _, key := range []string{"vcs.revision", "vcs.time"} {
				if v := setting(info, key); v != "" {
					fmt.Fprintf(w, "  %-9s %s\n", strings.TrimPrefix(key, "vcs."), v)
				}
			}
			for _, dep := range info.Deps {
				if slices.Contains(engines, dep.Path) {
					fmt.Fprintf(w, "  %s %s\n", dep.Path, dep.Version)
				}
			}
			return nil
		},
	}
}
