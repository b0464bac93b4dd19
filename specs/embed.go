// Package specs embeds the OpenAPI documents of the two login APIs, so the
// harness binary carries its contracts while other tools can still read the
// YAML files beside this one.
package specs

import "embed"

// FS holds every *.yaml document of this folder.
//
//go:embed *.yaml
var FS embed.FS

// Files names the document of each API, keyed by the API's short name.
var Files = map[string]string{
	"webex":     "webex-redsky-login.yaml",
	"commvault": "commvault-login.yaml",
}
