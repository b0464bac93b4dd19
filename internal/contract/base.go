package contract

import (
	"strings"
)

// Base is where a spec says its operations' paths are appended: the
// documented server URL, and every path a live base URL may end in.
type Base struct {
	URL   string   // as documented, variables in braces: "https://{host}/{webservice}"
	Paths []string // "/v1"; or "/commandcenter/api", "/webconsole/api"; nil when the spec leaves the path open
}

// Base reads the spec's first server. Path variables expand to their enum
// values; one without an enum, or a server with no path, leaves the path
// open (Paths is nil).
func (s *Spec) Base() Base {
	if s == nil || s.Doc == nil || len(s.Doc.Servers) == 0 {
		return Base{}
	}
	srv := s.Doc.Servers[0]
	b := Base{URL: srv.URL}
	_, rest, ok := strings.Cut(srv.URL, "://")
	if !ok {
		rest = srv.URL
	}
	_, path, ok := strings.Cut(rest, "/")
	path = strings.TrimRight(path, "/")
	if !ok || path == "" {
		return b
	}
	paths := []string{"/" + path}
	for name, v := range srv.Variables {
		placeholder := "{" + name + "}"
		if !strings.Contains(path, placeholder) {
			continue
		}
		if v == nil || len(v.Enum) == 0 {
			return b
		}
		var expanded []string
		for _, p := range paths {
			for _, value := range v.Enum {
				expanded = append(expanded, strings.ReplaceAll(p, placeholder, strings.Trim(value, "/")))
			}
		}
		paths = expanded
	}
	b.Paths = paths
	return b
}

// HasBasePath tells whether a URL path may be the documented base: it ends
// in one of Paths, or the spec leaves the path open.
func (b Base) HasBasePath(path string) bool {
	if len(b.Paths) == 0 {
		return true
	}
	path = strings.TrimRight(path, "/")
	for _, p := range b.Paths {
		if strings.HasSuffix(path, p) {
			return true
		}
	}
	return false
}
