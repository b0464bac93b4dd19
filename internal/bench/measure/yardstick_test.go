package measure

import (
	"strings"
	"testing"
	"time"

	"loginharness/internal/contract"
)

// recordedSamples are the responses the validation section measures.
func recordedSamples(t *testing.T) (*contract.Contract, []sample) {
	t.Helper()
	c, err := specs()
	if err != nil {
		t.Fatal(err)
	}
	recorded, err := samples(c)
	if err != nil {
		t.Fatal(err)
	}
	return c, recorded
}

// TestValidateFuncIsTheValidatorsName: the CPU share counts the frames of
// this name, so it must be the method's own, not a wrapper's.
func TestValidateFuncIsTheValidatorsName(t *testing.T) {
	if validateFunc != "loginharness/internal/contract.(*Contract).ValidateResponse" {
		t.Errorf("validateFunc = %q", validateFunc)
	}
}

// TestEveryResponseHasAKinOpenAPIYardstick: each recorded response gets the
// route of its operation, and kin-openapi accepts the conforming ones, so
// no ratio goal is measured on kin-openapi's error path unnoticed.
func TestEveryResponseHasAKinOpenAPIYardstick(t *testing.T) {
	c, recorded := recordedSamples(t)
	variants := 0
	for _, s := range recorded {
		kin, note, err := plainKin(c, s)
		if err != nil || kin == nil {
			t.Errorf("%s: no yardstick: %v", s.name, err)
			continue
		}
		if note != "" {
			t.Errorf("%s: %s", s.name, note)
		}
		if strings.Contains(s.name, "LoginResponse-") || strings.Contains(s.name, "LoginFailure") {
			variants++
		}
	}
	if variants != 3 {
		t.Errorf("%d Commvault 200 variants among the samples, want SaaS, CustomerManaged and LoginFailure", variants)
	}
}

// TestValidationCostPairsEachRound: a short run of one response gives both
// figures and their ratio (no assertion on their size: the machine decides).
func TestValidationCostPairsEachRound(t *testing.T) {
	c, recorded := recordedSamples(t)
	p := NewPlan(true)
	p.ValidationTime, p.ValidationRounds = 5*time.Millisecond, 2
	cc, note := validationCost(p, c, recorded[0])
	if note != "" || cc.Plain == nil || cc.NsPerOp <= 0 || cc.Plain.NsPerOp <= 0 || cc.RatioToPlain <= 0 || cc.Name != recorded[0].name {
		t.Errorf("validationCost = %+v (plain %+v), note %q", cc, cc.Plain, note)
	}
}
