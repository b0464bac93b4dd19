package contract_test

import (
	"net/http"
	"strings"
	"testing"

	"loginharness/internal/contract"
)

// headers builds a header from name, value pairs; a later pair replaces an
// earlier one of the same name.
func headers(pairs ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Set(pairs[i], pairs[i+1])
	}
	return h
}

// replace is strings.Replace for test data: it fails when old is not there,
// so a mutation can never silently leave a valid body behind.
func replace(tb testing.TB, s, old, new string) string {
	tb.Helper()
	if !strings.Contains(s, old) {
		tb.Fatalf("test data lacks %q", old)
	}
	return strings.Replace(s, old, new, 1)
}

func webexResponse(status int, body string, pairs ...string) *contract.Exchange {
	return &contract.Exchange{Method: http.MethodPost, Path: webexPath, Status: status,
		Header: headers(append([]string{"Content-Type", "application/json", "TrackingID", "ROUTER_1"}, pairs...)...), Body: []byte(body)}
}

func commvaultResponse(body string) *contract.Exchange {
	return &contract.Exchange{Method: http.MethodPost, Path: commvaultPath, Status: http.StatusOK,
		Header: headers("Content-Type", "application/json"), Body: []byte(body)}
}

func webexRequest(body string, pairs ...string) *contract.Exchange {
	return &contract.Exchange{Method: http.MethodPost, Path: webexPath, RawQuery: "orgId=Y2lzY29zcGFyazovL3Vz",
		RequestHeader: headers(append([]string{"Content-Type", "application/json", "Authorization", "Bearer admin-token-123"}, pairs...)...),
		RequestBody:   []byte(body)}
}

func commvaultRequest(body string) *contract.Exchange {
	return &contract.Exchange{Method: http.MethodPost, Path: commvaultPath,
		RequestHeader: headers("Content-Type", "application/json"), RequestBody: []byte(body)}
}

// with returns a copy of ex changed by edit, so table rows share a base.
func with(ex *contract.Exchange, edit func(*contract.Exchange)) *contract.Exchange {
	cp := *ex
	cp.Header = ex.Header.Clone()
	cp.RequestHeader = ex.RequestHeader.Clone()
	edit(&cp)
	return &cp
}

// hasFinding tells whether res holds a finding of check at pointer.
func hasFinding(res contract.Result, check contract.Check, pointer string) bool {
	for _, f := range res.Findings {
		if f.Check == check && f.Pointer == pointer {
			return true
		}
	}
	return false
}

const (
	webexPath     = "/v1/telephony/config/redSky/actions/login/invoke"
	commvaultPath = "/commandcenter/api/Login"

	webexLogin = `{"email": "test@cisco.com", "password": "Test@123", "redSkyOrgId": "610af8f4-a4ed-4be3-ae6f-efcdcd4895a8"}`
	webex200   = `{"accountMatch": true, "externalTenantEnabled": true, "companyId": "ddd1424c-5b48-433d-9bab-061cdfb84c90"}`
	webexError = `{"message": "Too many requests", "errors": [{"description": "Too many requests", "errorCode": 429}], "trackingId": "ROUTER_1"}`

	commvaultSaaS            = `{"data": {"authToken": "eyJhbGciOi.secret.token"}}`
	commvaultCustomerManaged = `{"aliasName": "1", "userGUID": "80ECA8AB-E88E-4B71-A5BE-233932068CC2", "loginAttempts": 0, "remainingLockTime": 0,
"smtpAddress": "test@test.com", "userName": "admin", "providerType": 1, "ccn": 0, "token": "QSDK 3f2a9c", "capability": 4328650366975,
"forcePasswordChange": false, "isAccountLocked": false,
"ownerOrganization": {"GUID": "95189d4e-4a7f-4cb3-969f-80d5871ac13f", "providerId": 0, "providerDomainName": "Commcell"},
"additionalResp": {"nameValues": [{"name": "USERNAME", "value": "admin"}, {"name": "autoLoginType"}, {"name": "fullName", "value": "Administrator"}]},
"providerOrganization": {"GUID": "95189d4e-4a7f-4cb3-969f-80d5871ac13f", "providerId": 0, "providerDomainName": "Commcell"},
"errList": [], "company": {"providerId": 0, "providerDomainName": "Commcell"}}`
	commvaultFailure = `{"errList": [{"errLogMessage": "User or password is incorrect", "errorCode": 5}], "loginAttempts": 1}`
)
