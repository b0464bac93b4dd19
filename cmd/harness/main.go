// Command harness checks that the Webex RedSky and Commvault login APIs keep
// their documented contracts and rate-limit honestly, against an embedded
// mock or live servers, and renders the outcome as one HTML page.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"loginharness/internal/target"
)

// Exit codes, as documented in README.md.
const (
	exitOK       = 0
	exitFailed   = 1 // a target broke its contract, a load verdict failed, or the run could not finish
	exitUsage    = 2 // bad flag, variable value or spec, or settings a live server refuses: nothing was tested
	exitUnjudged = 3 // a live target unreachable or unusable, or nothing of an API judged
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError marks a configuration problem found inside a command, which
// exits 2 like cobra's own flag and argument errors.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// inputError marks inputs a command could not read, named already on
// stderr: exit 2, without the usage hint, since no flag was wrong.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

// errFailed ends a command with exit 1, errNotJudged with exit 3, once it
// has said why.
var (
	errFailed    = errors.New("failed")
	errNotJudged = errors.New("nothing judged")
)

// execute runs the command line and maps its outcome to an exit code. Errors
// raised before a command starts (unknown command, bad flag, wrong argument
// count) and usageErrors exit 2; a failed preflight exits 2 when the
// settings are wrong, else 3; any other error means the command ran and
// failed, exit 1.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var level slog.LevelVar // Info: only what the user needs to hear; Debug with -v
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: &level}))
	started := false
	root := newRootCmd(logger)
	root.PersistentPreRun = func(cmd *cobra.Command, _ []string) {
		started = true
		if verbose(cmd) {
			level.Set(slog.LevelDebug)
		}
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	var usage usageError
	var input inputError
	var preflight *target.PreflightError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFailed):
		return exitFailed
	case errors.Is(err, errNotJudged):
		return exitUnjudged
	case errors.As(err, &preflight):
		fmt.Fprintf(stderr, "harness: %v\n", err)
		if preflight.Class == target.Misconfigured {
			return exitUsage
		}
		return exitUnjudged
	case errors.As(err, &input):
		fmt.Fprintf(stderr, "harness: %v\n", err)
		return exitUsage
	case !started || errors.As(err, &usage):
		// A message of several lines (a "Did you mean") ends with a
		// blank line before the pointer to --help, as cobra writes it.
		msg, sep := strings.TrimRight(err.Error(), "\n"), "\n"
		if strings.Contains(msg, "\n") {
			sep = "\n\n"
		}
		fmt.Fprintf(stderr, "harness: %s%sRun '%s --help' for usage.\n", msg, sep, cmd.CommandPath())
		return exitUsage
	default:
		fmt.Fprintf(stderr, "harness: %v\n", err)
		return exitFailed
	}
}

func newRootCmd(logger *slog.Logger) *cobra.Command {
	root := &cobra.Command{
		Use:   "harness",
		Short: "Contract and rate-limit tests for the Webex RedSky and Commvault login APIs",
		Long: `harness checks that the Webex RedSky admin login and the Commvault Login API
keep their OpenAPI contracts, status code by status code, and that their rate
limiting (429 with Retry-After) is honest under load. It runs against an
embedded mock unless HARNESS_*_URL points an API at a live server.

-v (--verbose) means more output on every command, as kubectl's -v does;
the version is 'harness version' or --version.`,
		Version:       buildVersion(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetVersionTemplate("harness {{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = true
	// -v means one thing on every command, as in kubectl: more output. The
	// version is 'harness version' or --version, which has no shorthand.
	root.PersistentFlags().BoolP(verboseFlag, "v", false, "say more: Ginkgo's full output under run, debug lines on stderr")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageError{suggestFlag(cmd, err)} })
	root.AddCommand(
		newRunCmd(logger),
		newMockCmd(logger),
		newReportCmd(),
		newVersionCmd(),
	)
	return root
}

// verboseFlag is -v, --verbose: the persistent flag every command shares.
const verboseFlag = "verbose"

// verbose tells whether -v was given to cmd or to a command above it.
func verbose(cmd *cobra.Command) bool {
	v, _ := cmd.Flags().GetBool(verboseFlag)
	return v
}
