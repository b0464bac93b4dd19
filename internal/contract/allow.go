package contract

import (
	"fmt"
	"net/http"
	"strings"
)

// Apply405Rule judges a 405 the spec leaves out by HTTP's own rule (RFC 9110
// section 15.5.6): it must carry Allow naming the operation's documented
// method. findings are what ValidateResponse made of ex, which finds no
// operation for the wrong method, or finds the status undocumented. They
// come back unchanged unless ex is such a 405; then there is none when Allow
// names op's method, else one header finding. A 405 the spec documents is
// judged by ValidateResponse alone.
func Apply405Rule(op Operation, ex *Exchange, findings []Finding) []Finding {
	if ex.Status != http.StatusMethodNotAllowed || len(findings) != 1 ||
		findings[0].Check != CheckStatusDocumented && findings[0].Check != CheckOperation {
		return findings
	}
	if allows(ex.Header.Values("Allow"), op.Method) {
		return nil
	}
	return []Finding{{
		Check: CheckHeader, Pointer: "/headers/Allow", Expected: "Allow naming " + op.Method, Actual: fmt.Sprintf("%q", ex.Header.Values("Allow")),
		Message: "a 405 must say in Allow which methods the resource takes",
	}}
}

// allows tells whether Allow values list method, as RFC 9110 writes them:
// comma-separated, in any case, maybe over several fields.
func allows(values []string, method string) bool {
	for _, v := range values {
		for m := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(m), method) {
				return true
			}
		}
	}
	return false
}
