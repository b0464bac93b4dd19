package contract

import (
	"fmt"
	"strings"
)

// API names one of the documented login APIs.
type API string

// The APIs the embedded specs describe.
const (
	Webex     API = "webex"
	Commvault API = "commvault"
)

// APIs lists every known API in a stable order, so reports and loops agree.
func APIs() []API { return []API{Webex, Commvault} }

// ParseAPI turns a flag or variable value into an API.
func ParseAPI(s string) (API, error) {
	for _, api := range APIs() {
		if string(api) == s {
			return api, nil
		}
	}
	names := make([]string, 0, len(APIs()))
	for _, api := range APIs() {
		names = append(names, string(api))
	}
	return "", fmt.Errorf("unknown API %q: valid names are %s", s, strings.Join(names, ", "))
}
