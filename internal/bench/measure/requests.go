package measure

import (
	"net/http"
	"sync"

	"loginharness/internal/bench"
	"loginharness/internal/contract"
	"loginharness/internal/mock"
	"loginharness/internal/target"
)

// demoAccount is the mock's demo account of api (public demo values, never
// real ones) for edition e ("" for Webex); a Webex sign-in sends the
// optional redSkyOrgId too, so the mock checks one field more.
func demoAccount(api contract.API, e target.Edition) target.Account {
	for _, a := range target.MockAccounts(api, mock.DefaultConfig()) {
		if a.Edition == e {
			if api == contract.Webex {
				a.RedSkyOrgID = mock.DemoRedSkyOrgID
			}
			return a
		}
	}
	return target.Account{}
}

// specs is the contract, loaded once for every section.
var specs = sync.OnceValues(contract.Load)

// signIn is the sign-in of a to api on a mock served at root, in the kit's
// form (target.SignIn builds it).
func signIn(api contract.API, a target.Account, root string) (bench.Request, error) {
	c, err := specs()
	if err != nil {
		return bench.Request{}, err
	}
	op, err := c.LoginOperation(api)
	if err != nil {
		return bench.Request{}, err
	}
	return asBench(target.SignIn(op, a), target.MockBaseURL(api, root)), nil
}

// asBench is req, sent to a server whose base URL is base, in the kit's form.
func asBench(req target.Request, base string) bench.Request {
	method := req.Method
	if method == "" {
		method = http.MethodPost
	}
	return bench.Request{Method: method, URL: req.URL(base), Header: req.Header, Body: req.Body}
}

// webexLogin is the demo account's valid Webex sign-in on a mock served at root.
func webexLogin(root string) (bench.Request, error) {
	return signIn(contract.Webex, demoAccount(contract.Webex, ""), root)
}

// Bare is the yardstick the mock is measured against: a handler that
// answers every request with the bytes and headers the mock gives the demo
// account's valid Webex sign-in, and does nothing else.
func Bare() (*bench.Replay, error) {
	login, err := webexLogin("http://mock.test")
	if err != nil {
		return nil, err
	}
	return bench.NewReplay(mock.New(mock.DefaultConfig()), login)
}
