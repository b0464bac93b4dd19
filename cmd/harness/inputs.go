package main

import (
	"os"
	"path/filepath"
	"strings"
)

// subfolders expands each --in-each folder into its subfolders, in name
// order, each an output folder of a run: the shards of a sharded run
// written side by side, for instance, need no hand-written list. Hidden
// folders are left out; a folder with no subfolder is a usage error, since
// it names no run.
func subfolders(parents []string) ([]string, error) {
	var dirs []string
	for _, parent := range parents {
		entries, err := os.ReadDir(parent)
		if err != nil {
			return nil, usagef("--in-each %s: %v", parent, err)
		}
		n := len(dirs)
		for _, e := range entries { // os.ReadDir sorts by name
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				dirs = append(dirs, filepath.Join(parent, e.Name()))
			}
		}
		if len(dirs) == n {
			return nil, usagef("--in-each %s: no subfolder: give the folder that holds the runs' output folders", parent)
		}
	}
	return dirs, nil
}
