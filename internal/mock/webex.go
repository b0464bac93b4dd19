package mock

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// webex answers the RedSky admin login.
type webex struct {
	doc      *operationDoc
	tokens   map[string]bool // token -> carries the write scope
	orgs     map[string]bool
	accounts map[string]*redSkyAccount // by email
	forced   []byte                    // the body of a 200/201 chosen by Prefer
	limits   *keyedLimiter
}

type redSkyAccount struct {
	password []byte
	ok       []byte // the 200 body, drifts applied
	lock     lockState
}

var webexRules = []fieldRule{
	{name: "email", required: true, valid: isEmail[[]byte], want: "an email address"},
	{name: "password", required: true, valid: nonEmpty, want: "a non-empty string"},
	{name: "redSkyOrgId", valid: isUUID[[]byte], want: "a UUID"},
}

func newWebex(cfg *Config, doc *operationDoc, d driftSet) webex {
	wx := webex{
		doc:      doc,
		tokens:   map[string]bool{},
		orgs:     map[string]bool{},
		accounts: map[string]*redSkyAccount{},
		limits:   newKeyedLimiter(cfg.Rate, cfg.Burst, cfg.MaxKeys),
	}
	for _, t := range cfg.WebexTokensNoScope {
		wx.tokens[t] = false
	}
	for _, t := range cfg.WebexTokens {
		wx.tokens[t] = true
	}
	for _, id := range cfg.WebexOrgIDs {
		wx.orgs[id] = true
	}
	for _, a := range cfg.RedSkyAccounts {
		wx.accounts[a.Email] = &redSkyAccount{password: []byte(a.Password), ok: redSkyResult(a, d)}
	}
	forced := NewRedSkyAccount("forced@example.com", "-")
	if len(cfg.RedSkyAccounts) > 0 {
		forced = cfg.RedSkyAccounts[0]
	}
	wx.forced = redSkyResult(forced, d)
	return wx
}

// redSkyResult is the 200 body of an account, built once.
func redSkyResult(a RedSkyAccount, d driftSet) []byte {
	b := []byte(`{"accountMatch":`)
	if d&wrongType != 0 {
		b = strconv.AppendQuote(b, strconv.FormatBool(a.AccountMatch))
	} else {
		b = strconv.AppendBool(b, a.AccountMatch)
	}
	b = strconv.AppendBool(append(b, `,"externalTenantEnabled":`...), a.ExternalTenantEnabled)
	if d&missingField == 0 {
		b = appendJSONString(append(b, `,"companyId":`...), a.CompanyID)
	}
	return append(b, '}')
}

func (m *Mock) serveWebex(x *exchange) {
	x.trackingID = m.trackingID(x.r)
	x.w.Header()[trackingIDHeader] = []string{x.trackingID}
	status := m.webexAnswer(x)
	m.logAnswer(x.r.Context(), x, "webex", status)
}

// webexAnswer checks the request in the order a gateway and then the
// service would, and answers the first problem found.
func (m *Mock) webexAnswer(x *exchange) int {
	r, wx := x.r, &m.webex
	if r.Method != http.MethodPost {
		return m.webexFail(x, http.StatusMethodNotAllowed, codeMethod, "The method is not allowed here; use POST.", 0)
	}
	if status, found, err := preferredCode(r.Header); found {
		return m.webexForced(x, status, err)
	}
	if m.errorRatio > 0 && m.rnd.Float64() < m.errorRatio {
		return m.webexFail(x, http.StatusServiceUnavailable, codeUnavailable, "The service is unavailable for now; retry after the time in Retry-After.", time.Second)
	}
	token, hasToken := bearerToken(r.Header)
	key := token
	if !hasToken || m.keyBy == KeyByAddress {
		key = clientAddress(r)
	}
	if wait := wx.limits.admit(key, x.now); wait > 0 {
		return m.webexFail(x, http.StatusTooManyRequests, codeRateLimited, "Too many requests; retry after the time in Retry-After.", wait)
	}
	if !hasToken {
		return m.webexFail(x, http.StatusUnauthorized, codeNoAuth, `The request needs an "Authorization: Bearer <token>" header.`, 0)
	}
	writer, known := wx.tokens[token]
	if !known {
		return m.webexFail(x, http.StatusUnauthorized, codeBadToken, "The access token is invalid or expired.", 0)
	}
	if !writer {
		return m.webexFail(x, http.StatusForbidden, codeNoScope, "The access token lacks the spark-admin:telephony_config_write scope.", 0)
	}
	if !isJSONMediaType(r.Header["Content-Type"]) {
		return m.webexFail(x, http.StatusUnsupportedMediaType, codeMediaType, fault{code: codeMediaType}.message(), 0)
	}
	if f := m.readBody(x); f.code != codeNone {
		return m.webexFail(x, http.StatusBadRequest, f.code, f.message(), 0)
	}
	var vals [3]fieldValue
	if _, f := readFields(x.in, webexRules, vals[:]); f.code != codeNone {
		return m.webexFail(x, http.StatusBadRequest, f.code, f.message(), 0)
	}
	if org, found := queryValue(r.URL.RawQuery, "orgId"); found {
		if org == "" {
			return m.webexFail(x, http.StatusBadRequest, codeQuery, fault{code: codeQuery}.message(), 0)
		}
		if !wx.orgs[org] {
			return m.webexFail(x, http.StatusNotFound, codeUnknownOrg, "The organization named by orgId does not exist.", 0)
		}
	}
	const wrongCredentials, noAccount = "The RedSky email or password is wrong.", "No RedSky account has this email."
	account := wx.accounts[string(vals[0].value)]
	if account == nil {
		return m.webexFail(x, http.StatusBadRequest, m.refusalCode(true), m.refusal(wrongCredentials, noAccount, true, vals[1].value), 0)
	}
	m.checkDelay(r.Context())
	passwordOK := subtle.ConstantTimeCompare(vals[1].value, account.password) == 1
	switch v := m.lockAttempt(&account.lock, x.now, passwordOK); {
	case v.locked:
		return m.webexFail(x, http.StatusLocked, codeLocked, "The RedSky account is locked after repeated failed sign-ins; retry after the time in Retry-After.", v.wait)
	case !passwordOK:
		return m.webexFail(x, http.StatusBadRequest, codeBadCredentials, m.refusal(wrongCredentials, noAccount, false, vals[1].value), 0)
	}
	return m.webexOK(x, http.StatusOK, account.ok)
}

// webexForced answers a `Prefer: code=` as the spec documents that status.
func (m *Mock) webexForced(x *exchange, status int, err error) int {
	doc := m.webex.doc
	if err == nil && !doc.isDocumented(status) {
		err = undocumentedPrefer(status, doc)
	}
	if err != nil {
		return m.webexFail(x, http.StatusBadRequest, codePrefer, err.Error(), 0)
	}
	x.code = codeForced
	switch answer := doc.answer(status); {
	case !answer.body:
		m.setHeaders(x, status, answer, doc.allow, time.Second)
		x.send(status, nil, nil)
		return status
	case status < 300:
		return m.webexOK(x, status, m.webex.forced)
	}
	return m.webexFail(x, status, codeForced, "This answer was forced by Prefer: code="+strconv.Itoa(status)+".", time.Second)
}

func undocumentedPrefer(status int, doc *operationDoc) error {
	return fmt.Errorf("code=%d in the Prefer header is not a documented status of %s; documented: %s", status, doc.id, doc.documented)
}

func (m *Mock) webexOK(x *exchange, status int, body []byte) int {
	m.setHeaders(x, status, m.webex.doc.answer(status), m.webex.doc.allow, 0)
	m.markCredentialAnswer(x)
	x.send(status, m.contentType200(status), body)
	return status
}

// webexFail answers with the Webex error body, the spec's headers for the
// status, and Retry-After/RateLimit computed from wait.
func (m *Mock) webexFail(x *exchange, status int, code errorCode, msg string, wait time.Duration) int {
	x.code = code
	if status == http.StatusBadRequest && m.drift&undocumentedStatus != 0 {
		status = http.StatusUnprocessableEntity
	}
	m.setHeaders(x, status, m.webex.doc.answer(status), m.webex.doc.allow, wait)
	if status >= 500 && m.drift&html5xx != 0 {
		x.out = append(x.out[:0], "<!DOCTYPE html><html><head><title>Server Error</title></head><body><h1>"...)
		x.out = append(strconv.AppendInt(x.out, int64(status), 10), " Server Error</h1></body></html>"...)
		x.send(status, contentHTML, x.out)
		return status
	}
	x.out = appendWebexError(x.out[:0], msg, code, x.trackingID, m.drift)
	x.send(status, contentJSON, x.out)
	return status
}

func appendWebexError(b []byte, msg string, code errorCode, trackingID string, d driftSet) []byte {
	b = appendJSONString(append(b, `{"message":`...), msg)
	b = appendJSONString(append(b, `,"errors":[{"description":`...), msg)
	b = append(b, `,"errorCode":`...)
	if d&wrongType != 0 {
		b = strconv.AppendQuote(b, strconv.Itoa(int(code)))
	} else {
		b = strconv.AppendInt(b, int64(code), 10)
	}
	b = append(b, "}]"...)
	if d&missingField == 0 {
		b = appendJSONString(append(b, `,"trackingId":`...), trackingID)
	}
	return append(b, '}')
}

// bearerToken reads "Authorization: Bearer <token>"; the scheme is
// case-insensitive (RFC 9110 section 11.1).
func bearerToken(h http.Header) (string, bool) {
	v := h["Authorization"]
	if len(v) != 1 {
		return "", false
	}
	scheme, token, ok := strings.Cut(v[0], " ")
	token = strings.TrimLeft(token, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// isJSONMediaType is how the contract picks the documented media type:
// application/json, any case, with or without parameters.
func isJSONMediaType(values []string) bool {
	if len(values) == 0 {
		return false
	}
	v := strings.TrimSpace(values[0])
	base, _, _ := strings.Cut(v, ";")
	return strings.EqualFold(strings.TrimSpace(base), "application/json")
}

// queryValue reads a query parameter as the contract does: url.ParseQuery,
// then the first non-empty of repeated values. Plain queries skip the
// allocation of url.Values.
func queryValue(raw, name string) (value string, found bool) {
	if raw == "" {
		return "", false
	}
	if strings.ContainsAny(raw, "%+;") {
		values, _ := url.ParseQuery(raw)
		vs, found := values[name]
		for _, v := range vs {
			if v != "" {
				return v, true
			}
		}
		return "", found
	}
	for pair := range strings.SplitSeq(raw, "&") {
		key, v, _ := strings.Cut(pair, "=")
		if key == name {
			if v != "" {
				return v, true
			}
			found = true
		}
	}
	return "", found
}

// readBody reads the request body within the size limit.
func (m *Mock) readBody(x *exchange) fault {
	tooLarge, err := x.readBody(m.maxBody)
	switch {
	case tooLarge:
		return fault{code: codeBodyTooLarge, want: strconv.FormatInt(m.maxBody, 10) + " bytes"}
	case err != nil:
		return fault{code: codeBodyMissing}
	}
	return fault{}
}
