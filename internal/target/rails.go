package target

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"loginharness/internal/contract"
)

// rails are the live client's safety rails. They look at what is sent, not
// at what a test meant, so a new test cannot lock a real account by mistake.
type rails struct {
	api       contract.API
	base      string
	userField string            // the body field naming the account
	passwords map[string]string // the configured accounts' plain passwords
	base64    bool              // the password travels Base64-encoded
	// sacrificial are the accounts that may take up to maxWrong wrong
	// passwords (WithSacrificial), rather than one.
	sacrificial map[string]bool
	maxWrong    int
}

// wrongLogins counts, for the whole process (one run), each account's
// wrong-password logins, so two targets opened on the same server still
// share the budget.
var wrongLogins = struct {
	sync.Mutex
	used map[string]int
}{used: map[string]int{}}

// admit refuses Prefer, and any login with a wrong password beyond the
// first per account, or beyond the cap of a sacrificial account. A login
// whose password is missing, not a string or not Base64 counts as wrong:
// the server may count it as a failure.
func (r *rails) admit(req Request) error {
	for name := range req.Header {
		if strings.EqualFold(name, "Prefer") {
			return fmt.Errorf("%w: live runs never send Prefer", ErrLiveSafety)
		}
	}
	var body map[string]any
	if json.Unmarshal(req.Body, &body) != nil {
		return nil // no account named: nothing to lock
	}
	user, _ := body[r.userField].(string)
	if user == "" {
		return nil
	}
	if r.passwordOK(user, body["password"]) {
		return nil
	}
	key := string(r.api) + " " + r.base + " " + user
	wrongLogins.Lock()
	defer wrongLogins.Unlock()
	switch used := wrongLogins.used[key]; {
	case r.sacrificial[user] && used >= r.maxWrong:
		return fmt.Errorf("%w: the sacrificial %s account's %d wrong passwords (%s) are spent", ErrLiveSafety, r.api, r.maxWrong, EnvSacrificialMaxWrong)
	case !r.sacrificial[user] && used >= 1:
		return fmt.Errorf("%w: a second wrong-password login for one %s account in this run could lock it", ErrLiveSafety, r.api)
	}
	wrongLogins.used[key]++
	return nil
}

func (r *rails) passwordOK(user string, sent any) bool {
	want, known := r.passwords[user]
	got, isString := sent.(string)
	if !known || !isString {
		return false
	}
	if r.base64 {
		plain, err := base64.StdEncoding.DecodeString(got)
		if err != nil {
			return false
		}
		got = string(plain)
	}
	return got == want
}
