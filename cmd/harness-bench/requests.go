package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"

	"loginharness/internal/bench"
	"loginharness/internal/mock"
)

// demoRedSkyOrgID is the optional redSkyOrgId of the sign-in body (a UUID).
const demoRedSkyOrgID = "610af8f4-a4ed-4be3-ae6f-efcdcd4895a8"

// webexLogin is a valid Webex RedSky sign-in with the demo credentials
// (public demo values of the mock, never real ones).
func webexLogin(base string) bench.Request {
	body, _ := json.Marshal(map[string]string{
		"email": mock.DemoRedSkyEmail, "password": mock.DemoRedSkyPassword, "redSkyOrgId": demoRedSkyOrgID,
	})
	return bench.Request{
		Method: http.MethodPost,
		URL:    base + mock.WebexPath,
		Header: http.Header{
			"Authorization": {"Bearer " + mock.DemoWebexToken},
			"Content-Type":  {"application/json"},
		},
		Body: body,
	}
}

// commvaultLogin is a Commvault sign-in of user with password (plain; sent Base64).
func commvaultLogin(base, user, password string, extra map[string]any) bench.Request {
	fields := map[string]any{"username": user, "password": base64.StdEncoding.EncodeToString([]byte(password))}
	for k, v := range extra {
		fields[k] = v
	}
	body, _ := json.Marshal(fields)
	return bench.Request{
		Method: http.MethodPost,
		URL:    base + mock.CommvaultPath,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   body,
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
