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
}

// wrongLogins remembers, for the whole process (one run), which accounts
// have had their one wrong-password login, so two targets opened on the
// same server still share the budget.
var wrongLogins = struct {
	sync.Mutex
	used map[string]bool
}{used: map[string]bool{}}

// admit refuses Prefer, and any login with a wrong password beyond the
// first per account. A login whose password is missing, not a string or
// not Base64 counts as wrong: the server may count it as a failure.
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
	if wrongLogins.used[key] {
		return fmt.Errorf("%w: a second wrong-password login for one %s account in this run could lock it", ErrLiveSafety, r.api)
	}
	wrongLogins.used[key] = true
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
