package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// suggestFlag adds "Did you mean" to an unknown flag's error, as cobra does
// for an unknown command: the command's flags (its parents' persistent ones
// included) within two edits of what was typed, those it begins, and one
// it begins with before a dash (--only-webex for --only webex).
func suggestFlag(cmd *cobra.Command, err error) error {
	var unknown *pflag.NotExistError
	if !errors.As(err, &unknown) {
		return err
	}
	typed := unknown.GetSpecifiedName()
	if group := unknown.GetSpecifiedShortnames(); len(group) > 1 {
		typed = group // -skip-load: a long flag with one dash
	}
	var near []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		switch {
		case len(typed) == 1 && f.Shorthand != "" && strings.EqualFold(f.Shorthand, typed):
			near = append(near, "-"+f.Shorthand)
		case len(typed) > 1 && (editDistance(typed, f.Name) <= 2 || len(typed) >= 3 && strings.HasPrefix(f.Name, typed) || strings.HasPrefix(typed, f.Name+"-")):
			near = append(near, "--"+f.Name)
		}
	})
	if len(near) == 0 {
		return err
	}
	slices.Sort(near)
	return fmt.Errorf("%w\n\nDid you mean this?\n\t%s", err, strings.Join(near, "\n\t"))
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (flag names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
