package mock

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"loginharness/internal/ratelimit"
)

// commvault answers the Commvault Login. Its spec documents only 200, so
// every refused sign-in is a 200 LoginFailure body, as Commvault's SDK
// expects; only a wrong method (and the opt-in limiter) leave that rule.
type commvault struct {
	doc      *operationDoc
	accounts map[string]*commvaultAccount // by user name
	forced   *commvaultAccount            // a 200 chosen by Prefer; nil without accounts
	limits   *keyedLimiter                // nil unless Config.CommvaultRateLimit
}

type commvaultAccount struct {
	password []byte
	saas     tokenBody // LoginResponse-SaaS
	managed  tokenBody // LoginResponse-CustomerManaged
	lock     lockState
}

// tokenBody is a session body built once, with a fresh token put between
// before and after on every sign-in.
type tokenBody struct {
	before, after []byte
	token         bool
}

const tokenPlaceholder = "MOCK-TOKEN-PLACEHOLDER"

func newTokenBody(v any) tokenBody {
	b, err := json.Marshal(v)
	if err != nil {
		return tokenBody{before: []byte(`{"errList":[]}`)}
	}
	before, after, found := bytes.Cut(b, []byte(tokenPlaceholder))
	return tokenBody{before: before, after: after, token: found}
}

func (t *tokenBody) appendTo(b []byte) []byte {
	b = append(b, t.before...)
	if t.token {
		b = appendToken(b)
	}
	return append(b, t.after...)
}

// appendToken appends "QSDK " and 48 random hex digits, the shape of a
// Commvault token.
func appendToken(b []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, "QSDK "...)
	for range 3 {
		v := rand.Uint64()
		for range 16 {
			b = append(b, hex[v&0xf])
			v >>= 4
		}
	}
	return b
}

var commvaultRules = []fieldRule{
	{name: "username", required: true, valid: nonEmpty, want: "a non-empty string"},
	{name: "password", required: true, valid: isBase64, want: "the Base64 (RFC 4648, padded) of the UTF-8 password"},
	{name: "commserver", valid: isCommserver, want: `written "<host name>*<CommServe name>"`},
	{name: "domain"},
	{name: "deviceId"},
	{name: "timeout", integer: true, want: "an integer number of minutes, at least 1"},
}

// The indexes of commvaultRules.
const (
	cvUsername = iota
	cvPassword
	cvCommserver
	cvDomain
	cvDeviceID
	cvTimeout
	cvFields
)

func newCommvault(cfg *Config, doc *operationDoc, d driftSet) commvault {
	cv := commvault{doc: doc, accounts: map[string]*commvaultAccount{}}
	if cfg.CommvaultRateLimit {
		cv.limits = newKeyedLimiter(cfg.Rate, cfg.Burst, cfg.MaxKeys)
	}
	for i, a := range cfg.CommvaultAccounts {
		acct := &commvaultAccount{password: []byte(a.Password), saas: saasSession(d), managed: managedSession(a, d)}
		cv.accounts[a.Username] = acct
		if i == 0 {
			cv.forced = acct
		}
	}
	return cv
}

func saasSession(d driftSet) tokenBody {
	var token any = tokenPlaceholder
	switch {
	case d&missingField != 0:
		return newTokenBody(map[string]any{"data": map[string]any{}})
	case d&wrongType != 0:
		token = []string{tokenPlaceholder}
	}
	return newTokenBody(map[string]any{"data": map[string]any{"authToken": token}})
}

type organization struct {
	GUID               string `json:"GUID,omitempty"`
	ProviderID         int    `json:"providerId"`
	ProviderDomainName string `json:"providerDomainName"`
}

type nameValue struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

func managedSession(a CommvaultAccount, d driftSet) tokenBody {
	var capability any = int64(4328650366975) // above 2^32, as real CommServes send
	if d&wrongType != 0 {
		capability = "4328650366975"
	}
	userName := a.Username
	if d&missingField != 0 {
		userName = ""
	}
	org := organization{GUID: derivedUUID("org:" + a.Company), ProviderID: 0, ProviderDomainName: a.Company}
	return newTokenBody(struct {
		AliasName            string       `json:"aliasName"`
		UserGUID             string       `json:"userGUID"`
		LoginAttempts        int          `json:"loginAttempts"`
		RemainingLockTime    int          `json:"remainingLockTime"`
		SMTPAddress          string       `json:"smtpAddress"`
		UserName             string       `json:"userName,omitempty"`
		ProviderType         int          `json:"providerType"`
		CCN                  int          `json:"ccn"`
		Token                string       `json:"token"`
		Capability           any          `json:"capability"`
		ForcePasswordChange  bool         `json:"forcePasswordChange"`
		IsAccountLocked      bool         `json:"isAccountLocked"`
		OwnerOrganization    organization `json:"ownerOrganization"`
		AdditionalResp       any          `json:"additionalResp"`
		ProviderOrganization organization `json:"providerOrganization"`
		ErrList              []struct{}   `json:"errList"`
		Company              organization `json:"company"`
	}{
		AliasName: "1", UserGUID: a.UserGUID, SMTPAddress: a.Email, UserName: userName,
		ProviderType: 1, Token: tokenPlaceholder, Capability: capability,
		OwnerOrganization: org, ProviderOrganization: org,
		AdditionalResp: map[string][]nameValue{"nameValues": {{Name: "USERNAME", Value: a.Username}, {Name: "autoLoginType"}, {Name: "fullName", Value: a.FullName}}},
		ErrList:        []struct{}{},
		Company:        organization{ProviderID: 0, ProviderDomainName: a.Company},
	})
}

func (m *Mock) serveCommvault(x *exchange) {
	status := m.commvaultAnswer(x)
	m.logAnswer(x.r.Context(), x, "commvault", status)
}

func (m *Mock) commvaultAnswer(x *exchange) int {
	r, cv := x.r, &m.commvault
	if r.Method != http.MethodPost {
		x.code = codeMethod
		return m.commvaultRefuse(x, http.StatusMethodNotAllowed, "The method is not allowed here; use POST.", verdict{}, 0)
	}
	if status, found, err := preferredCode(r.Header); found {
		return m.commvaultForced(x, status, err)
	}
	if cv.limits != nil {
		if wait := cv.limits.admit(clientAddress(r), x.now); wait > 0 {
			x.code = codeRateLimited
			return m.commvaultRefuse(x, http.StatusTooManyRequests, "Too many requests; retry after the time in Retry-After.", verdict{}, wait)
		}
	}
	if !isJSONMediaType(r.Header["Content-Type"]) {
		return m.commvaultFault(x, fault{code: codeMediaType})
	}
	if f := m.readBody(x); f.code != codeNone {
		return m.commvaultFault(x, f)
	}
	var vals [cvFields]fieldValue
	extra, f := readFields(x.in, commvaultRules, vals[:])
	if f.code != codeNone {
		return m.commvaultFault(x, f)
	}
	username := vals[cvUsername].value
	managedOnly := vals[cvCommserver].present || vals[cvDomain].present || vals[cvDeviceID].present || vals[cvTimeout].present
	saas := !extra && !managedOnly && isEmail(username)
	if !saas && !managedOnly && !hasNoAt(username) {
		return m.commvaultFault(x, fault{code: codeNoVariant})
	}
	const wrongCredentials, noUser = "Invalid username or password.", "User not found."
	account := cv.accounts[string(username)]
	var buf [256]byte
	password, _ := decodeBase64(vals[cvPassword].value, buf[:])
	if account == nil {
		// Answered as an existing account's first failure, so the answer
		// does not tell which accounts exist; unknown names keep no state.
		x.code = m.refusalCode(true)
		return m.commvaultRefuse(x, http.StatusOK, m.refusal(wrongCredentials, noUser, true, password), verdict{failures: 1}, 0)
	}
	x.code = codeBadCredentials
	m.checkDelay(r.Context())
	passwordOK := subtle.ConstantTimeCompare(password, account.password) == 1
	switch v := m.lockAttempt(&account.lock, x.now, passwordOK); {
	case v.locked:
		x.code = codeLocked
		return m.commvaultRefuse(x, http.StatusOK, "The account is locked after repeated failed sign-ins.", v, 0)
	case !passwordOK:
		return m.commvaultRefuse(x, http.StatusOK, m.refusal(wrongCredentials, noUser, false, password), v, 0)
	}
	x.code = codeNone
	if saas {
		return m.commvaultOK(x, &account.saas)
	}
	return m.commvaultOK(x, &account.managed)
}

// commvaultForced answers a `Prefer: code=`: only 200 is documented, with a
// customer-managed session of the first account.
func (m *Mock) commvaultForced(x *exchange, status int, err error) int {
	if err == nil && !m.commvault.doc.isDocumented(status) {
		err = undocumentedPrefer(status, m.commvault.doc)
	}
	x.code = codePrefer
	if err != nil {
		return m.commvaultRefuse(x, http.StatusOK, err.Error(), verdict{}, 0)
	}
	x.code = codeForced
	if m.commvault.forced == nil || status != http.StatusOK {
		return m.commvaultRefuse(x, status, "This answer was forced by Prefer: code="+strconv.Itoa(status)+".", verdict{}, time.Second)
	}
	return m.commvaultOK(x, &m.commvault.forced.managed)
}

func (m *Mock) commvaultOK(x *exchange, session *tokenBody) int {
	if m.drift&noVariant != 0 {
		x.out = append(x.out[:0], `{"errList":[]}`...)
	} else {
		x.out = session.appendTo(x.out[:0])
	}
	m.markCredentialAnswer(x)
	x.send(http.StatusOK, m.contentType200(http.StatusOK), x.out)
	return http.StatusOK
}

func (m *Mock) commvaultFault(x *exchange, f fault) int {
	x.code = f.code
	return m.commvaultRefuse(x, http.StatusOK, f.message(), verdict{}, 0)
}

// commvaultRefuse answers with the LoginFailure body. A refusal for bad
// credentials or a lock also says how many attempts failed and, when
// locked, for how long.
func (m *Mock) commvaultRefuse(x *exchange, status int, msg string, v verdict, wait time.Duration) int {
	credentials := x.code == codeBadCredentials || x.code == codeLocked
	if credentials && m.drift&undocumentedStatus != 0 {
		status = http.StatusUnauthorized
	}
	m.setHeaders(x, status, m.commvault.doc.answer(status), m.commvault.doc.allow, wait)
	b := append(x.out[:0], '{')
	if m.drift&missingField == 0 {
		b = appendJSONString(append(b, `"errList":[{"errLogMessage":`...), msg)
		b = append(b, `,"errorCode":`...)
		if m.drift&wrongType != 0 {
			b = strconv.AppendQuote(b, strconv.Itoa(int(x.code)))
		} else {
			b = strconv.AppendInt(b, int64(x.code), 10)
		}
		b = append(b, "}]"...)
	}
	if credentials {
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = strconv.AppendInt(append(b, `"loginAttempts":`...), int64(v.failures), 10)
		if v.locked {
			b = strconv.AppendInt(append(b, `,"remainingLockTime":`...), int64(ratelimit.CeilSeconds(v.wait)/time.Second), 10)
			b = append(b, `,"isAccountLocked":true`...)
		}
	}
	x.out = append(b, '}')
	x.send(status, m.contentType200(status), x.out)
	return status
}

// contentType200 is JSON, or text/plain for a 200 under the text-plain-200 drift.
func (m *Mock) contentType200(status int) []string {
	if status == http.StatusOK && m.drift&textPlain200 != 0 {
		return contentText
	}
	return contentJSON
}
