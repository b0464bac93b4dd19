package main

import (
	"io"
	"log/slog"
	"testing"

	"github.com/spf13/cobra"
)

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"in", "", 2}, {"skip-lod", "skip-load", 1}, {"verbsoe", "verbose", 2}, {"out", "only", 3}} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := editDistance(c.b, c.a); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.b, c.a, got, c.want)
		}
	}
}

// TestVerboseIsOneFlagOnEveryCommand: -v is --verbose wherever it is
// given, and never the version.
func TestVerboseIsOneFlagOnEveryCommand(t *testing.T) {
	root := newRootCmd(slog.New(slog.DiscardHandler))
	for _, cmd := range append([]*cobra.Command{root}, root.Commands()...) {
		if f := cmd.Flags().ShorthandLookup("v"); f != nil && f.Name != verboseFlag {
			t.Errorf("%s: -v is --%s", cmd.Name(), f.Name)
		}
		if f := cmd.InheritedFlags().ShorthandLookup("v"); cmd != root && (f == nil || f.Name != verboseFlag) {
			t.Errorf("%s: -v is not --verbose", cmd.Name())
		}
	}
	var got bool
	root.SetArgs([]string{"version", "-v"})
	root.SetOut(io.Discard)
	root.PersistentPreRun = func(cmd *cobra.Command, _ []string) { got = verbose(cmd) }
	if err := root.Execute(); err != nil || !got {
		t.Errorf("harness version -v: err %v, verbose %v", err, got)
	}
}
