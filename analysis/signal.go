package analysis

import (
	"strconv"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
)

// analyzeSignal follows OONI: measurements from Signal test versions and
// engines with known bugs are failures; otherwise signal_backend_status
// decides.
func analyzeSignal(c *msmt) {
	k := c.keys()
	// OONI flags a measurement without these keys (or with a top-level
	// failure) as failed.
	if !k.has("failed_operation") || !k.null("failed_operation") || !k.has("failure") || !k.null("failure") {
		testBroke(c, "the test reported a top-level failure")
		return
	}
	start, err := measurement.ParseTime(c.raw.MeasurementStartTime)
	if err != nil {
		testBroke(c, "the measurement has no valid start time")
		return
	}
	tv := c.raw.TestVersion
	if tv == "" {
		tv = "0.0.0"
	}
	ev := c.raw.Annotations["engine_version"]
	if ev == "" {
		ev = "0.0.0"
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tvCmp, ok1 := compareVersions(tv, "0.2.3")
	tvCmp22, _ := compareVersions(tv, "0.2.2")
	evCmp, ok2 := compareVersions(ev, "3.17.2")
	switch {
	case !ok1 || !ok2:
		testBroke(c, "the test or engine version cannot be read")
		return
	case tv == "0.2.4":
		testBroke(c, "Signal test 0.2.4 had a bug (ooni/probe#2636)")
		return
	case tvCmp <= 0 && !start.Before(day(2023, 11, 7)):
		testBroke(c, "Signal tests up to 0.2.3 broke when Signal changed its certificates (ooni/probe#2627)")
		return
	case tvCmp22 < 0 && !start.Before(day(2022, 10, 19)):
		testBroke(c, "Signal tests before 0.2.2 broke when Signal changed its certificates (ooni/probe#2627)")
		return
	case evCmp < 0 && !start.Before(day(2023, 5, 2)):
		testBroke(c, "probe engines before 3.17.2 had a Signal bug (ooni/backend#679)")
		return
	}
	switch st, _ := k.str("signal_backend_status"); st {
	case "ok":
		setOK(c.m, "Signal was reachable: its servers answered.")
	case "blocked":
		f, _ := k.str("signal_backend_failure")
		appBlocked(c, "Signal", "its servers could not be reached ("+describeFailure(f)+")",
			stepFailure{"signal_backend", "Signal servers", f})
	default:
		testBroke(c, "the test did not say whether Signal's servers were reachable")
	}
}

// compareVersions compares dotted versions ("3.17.2", "3.10.0-beta.3"):
// -1, 0 or 1. A pre-release sorts before its release. ok is false when a
// version has no leading number.
func compareVersions(a, b string) (int, bool) {
	na, pa, ok1 := splitVersion(a)
	nb, pb, ok2 := splitVersion(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	for i := 0; i < len(na) || i < len(nb); i++ {
		x, y := 0, 0
		if i < len(na) {
			x = na[i]
		}
		if i < len(nb) {
			y = nb[i]
		}
		if x != y {
			if x < y {
				return -1, true
			}
			return 1, true
		}
	}
	switch {
	case pa && !pb:
		return -1, true
	case !pa && pb:
		return 1, true
	}
	return 0, true
}

func splitVersion(v string) (nums []int, pre, ok bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	end := len(v)
	for i, r := range v {
		if (r < '0' || r > '9') && r != '.' {
			end, pre = i, true
			break
		}
	}
	for _, p := range strings.Split(strings.TrimSuffix(v[:end], "."), ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, false, false
		}
		nums = append(nums, n)
	}
	return nums, pre, len(nums) > 0
}
