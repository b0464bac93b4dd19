package contract_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

// FuzzValidate feeds arbitrary exchanges to both validators: they must
// never panic, always explain a verdict and never echo a planted password.
func FuzzValidate(f *testing.F) {
	for _, body := range []string{webex200, webexError, webexLogin, commvaultSaaS, commvaultCustomerManaged, commvaultFailure, "", "[]", "null", `{"a":`} {
		f.Add(200, "application/json", "120", body)
	}
	f.Add(429, "application/json; charset=utf-8", "Fri, 31 Dec 1999 23:59:59 GMT", webexError)
	f.Add(204, "", "", "x")
	f.Add(-1, "text/html", "soon", "<html>")
	f.Add(200, "application/json", "", strings.Repeat("[", 12000))
	f.Add(200, "application/json", "", `{"token": `+strings.Repeat(`{"a":`, 12000))
	c := testkit.Contract(f)
	f.Fuzz(func(t *testing.T, status int, contentType, retryAfter, body string) {
		for _, api := range contract.APIs() {
			for _, path := range []string{webexPath, commvaultPath, "", "/", "//", "{x}"} {
				h := http.Header{"Content-Type": {contentType}, "Retry-After": {retryAfter}, "Trackingid": {"t"}}
				ex := &contract.Exchange{Method: http.MethodPost, Path: path, RawQuery: body, Status: status,
					RequestHeader: h, RequestBody: []byte(`{"password": "Fuzz-S3cret", "x": ` + body + `}`), Header: h, Body: []byte(body)}
				for _, res := range []contract.Result{
					c.ValidateResponse(context.Background(), api, ex),
					c.ValidateRequest(context.Background(), api, ex),
				} {
					for _, finding := range res.Findings {
						if finding.Check == "" || finding.Message == "" {
							t.Fatalf("finding without check or message: %+v", finding)
						}
						if strings.Contains(finding.Actual+finding.Message, "Fuzz-S3cret") {
							t.Fatalf("finding holds the password: %+v", finding)
						}
					}
				}
			}
		}
		_ = contract.RedactJSON([]byte(body))
	})
}
