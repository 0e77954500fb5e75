package measurement

import "regexp"

// titlePattern is OONI's rule for a page title (probe-cli measurexlite):
// the first <title> element holding 1 to 512 characters and no '<'.
var titlePattern = regexp.MustCompile(`(?i)<title>([^<]{1,512})</title>`)

// HTMLTitle returns the title of an HTML page the way OONI extracts it for
// web_connectivity's title comparison, or "" when there is none. The text is
// returned as it appears in the page (entities are not decoded), which is
// what the control helper reports and what "title_match" compares.
func HTMLTitle(body []byte) string {
	m := titlePattern.FindSubmatch(body)
	if len(m) < 2 {
		return ""
	}
	return string(m[1])
}
