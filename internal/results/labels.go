package results

import (
	"strconv"
	"strings"
)

// The Ginkgo labels the suites put on their specs, the report reads back
// and `harness run` filters by. Each spec also carries its API's name
// ("webex", "commvault"), and a conformance spec of one documented code its
// StatusLabel.
const (
	LabelConformance = "conformance"
	LabelLoad        = "load"
	LabelNegative    = "negative"  // a request the spec rejects
	LabelLiveSafe    = "live-safe" // safe to send to a live server
)

const (
	statusPrefix  = "status:"
	variantPrefix = "variant:"
)

// StatusLabel labels a spec that covers one documented status code: "status:429".
func StatusLabel(code int) string { return statusPrefix + strconv.Itoa(code) }

// StatusOfLabel reads the code of a StatusLabel.
func StatusOfLabel(label string) (int, bool) {
	rest, ok := strings.CutPrefix(label, statusPrefix)
	if !ok {
		return 0, false
	}
	code, err := strconv.Atoi(rest)
	return code, err == nil
}

// EditionLabel labels a spec that signs in as one Commvault edition:
// "variant:saas", the spelling HARNESS_COMMVAULT_VARIANT uses.
func EditionLabel(edition string) string { return variantPrefix + edition }
