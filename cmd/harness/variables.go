package main

import (
	"errors"
	"os"
	"regexp"

	"github.com/spf13/pflag"

	"loginharness/internal/contract"
	"loginharness/internal/load"
	"loginharness/internal/target"
)

// variables are the HARNESS_* settings the suites read; `harness run` takes
// each as a flag too.
func variables() []target.Variable {
	return append(append(target.Variables(), load.Variables()...), target.AdvisoryVariables()...)
}

// flagNames renames the flags whose table name reads oddly on the command
// line: the drift modes only ever apply to the embedded mock.
var flagNames = map[string]string{target.EnvMockDrift: "drift"}

func flagName(v target.Variable) string {
	if name, ok := flagNames[v.Env]; ok {
		return name
	}
	return v.Flag
}

// variableFlags binds one flag per variable. A flag has no default, so that
// --help never shows a value read from the environment, secrets included.
// A yes-or-no setting is a boolean flag: --insecure-tls takes no value.
type variableFlags struct {
	flags *pflag.FlagSet
}

func bindVariables(fs *pflag.FlagSet) variableFlags {
	for _, v := range variables() {
		usage := v.Help + " (" + v.Env + ")"
		if v.Secret {
			usage += "; prefer the variable: flags show in ps"
		}
		if v.Bool {
			fs.Bool(flagName(v), false, usage)
			continue
		}
		fs.String(flagName(v), "", usage)
	}
	return variableFlags{flags: fs}
}

// typed returns the flags given on the command line, by variable.
func (vf variableFlags) typed() map[string]*pflag.Flag {
	out := map[string]*pflag.Flag{}
	for _, v := range variables() {
		if f := vf.flags.Lookup(flagName(v)); f != nil && f.Changed {
			out[v.Env] = f
		}
	}
	return out
}

// export puts every flag given on the command line into the environment,
// where the suites read it, so a flag beats its variable (a boolean flag
// as true or false). Under --only, the other API's settings are dropped:
// that API is not tested, so nothing of it is required or checked.
func (vf variableFlags) export(only contract.API) error {
	for env, f := range vf.typed() {
		if err := os.Setenv(env, f.Value.String()); err != nil {
			return err
		}
	}
	for _, v := range variables() {
		if only != "" && v.API != "" && v.API != only {
			if err := os.Unsetenv(v.Env); err != nil {
				return err
			}
		}
	}
	return nil
}

// name rewrites a message about variables to name the flags the user typed
// instead, so an error says what was given: --drift, not HARNESS_MOCK_DRIFT.
func (vf variableFlags) name(msg string) string {
	for env, f := range vf.typed() {
		msg = regexp.MustCompile(`\b`+env+`\b`).ReplaceAllLiteralString(msg, "--"+f.Name)
	}
	return msg
}

// named is err with the flags the user typed named (see name); a preflight
// error keeps its type and class.
func (vf variableFlags) named(err error) error {
	var pre *target.PreflightError
	if errors.As(err, &pre) {
		renamed := *pre
		renamed.Message = vf.name(pre.Message)
		renamed.Variables = make([]string, len(pre.Variables))
		for i, v := range pre.Variables {
			renamed.Variables[i] = vf.name(v)
		}
		return &renamed
	}
	return errors.New(vf.name(err.Error()))
}

// secrets returns the secret values now set, for the report to redact.
func secrets() []string {
	var out []string
	for _, v := range variables() {
		if val := os.Getenv(v.Env); v.Secret && val != "" {
			out = append(out, val)
		}
	}
	return out
}
