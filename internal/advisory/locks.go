package advisory

import (
	"fmt"

	"loginharness/internal/results"
)

// Locks judges a run of wrong passwords against one account: it should
// lock within the cap. lockedAfter is how many wrong passwords it took
// (0 when it never locked); sent how many were sent, at most cap.
func Locks(lockedAfter, sent, cap int) results.Advisory {
	switch {
	case lockedAfter > 0:
		return verdict(NameLocks, results.AdvisoryPassed, fmt.Sprintf("the account locked after %d wrong password(s)", lockedAfter))
	case sent < cap:
		return verdict(NameLocks, results.AdvisoryNotJudged, fmt.Sprintf("only %d of the cap of %d wrong passwords could be sent, and the account did not lock", sent, cap))
	}
	return verdict(NameLocks, results.AdvisoryRaised,
		fmt.Sprintf("the account still took sign-ins after %d wrong passwords (the cap): nothing stops guessing its password; a policy that locks later needs a higher cap to be seen", sent))
}
