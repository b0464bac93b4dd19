package contract

// Truncate cuts s to at most n bytes on a character boundary and marks the
// cut with "…": findings, the suites' excerpts and the report's lines are
// cut alike.
func Truncate(s string, n int) string { return truncate(s, n) }

// Plural counts n of a unit in words: "1 byte", "3 bytes".
func Plural(n int, unit string) string { return plural(n, unit) }
