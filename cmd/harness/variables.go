package main

import (
	"os"

	"github.com/spf13/pflag"

	"loginharness/internal/load"
	"loginharness/internal/target"
)

// variables are the HARNESS_* settings the suites read; `harness run` takes
// each as a flag too.
func variables() []target.Variable {
	return append(target.Variables(), load.Variables()...)
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
type variableFlags struct {
	flags  *pflag.FlagSet
	values map[string]*string
}

func bindVariables(fs *pflag.FlagSet) variableFlags {
	vf := variableFlags{flags: fs, values: map[string]*string{}}
	for _, v := range variables() {
		usage := v.Help + " (" + v.Env + ")"
		if v.Secret {
			usage += "; prefer the variable: flags show in ps"
		}
		vf.values[v.Env] = fs.String(flagName(v), "", usage)
	}
	return vf
}

// export puts every flag given on the command line into the environment,
// where the suites read it, so a flag beats its variable.
func (vf variableFlags) export() error {
	for _, v := range variables() {
		if vf.flags.Changed(flagName(v)) {
			if err := os.Setenv(v.Env, *vf.values[v.Env]); err != nil {
				return err
			}
		}
	}
	return nil
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
