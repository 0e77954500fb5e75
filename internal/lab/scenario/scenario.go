package scenario

// Scenario is one censor's behaviour and what the analysis should conclude
// about each target measured through it.
type Scenario struct {
	// Name identifies the scenario ("china", "mixed"). REQUIRED.
	Name string `yaml:"name" json:"name"`
	// Description says in one or two sentences what is modelled. REQUIRED.
	Description string `yaml:"description" json:"description"`
	// Country is the ISO 3166 alpha-2 code of the country modelled, "ZZ"
	// when none. REQUIRED.
	Country string `yaml:"country" json:"country"`
	// Sources cite the public reports the scenario follows. REQUIRED for
	// a country, OPTIONAL for "ZZ".
	Sources []string `yaml:"sources" json:"sources"`
	// Blockpage is the style of the censor's blockpage, for blockpage and
	// dns-hijack rules: generic, iran, indonesia, russia, turkey.
	// OPTIONAL: generic.
	Blockpage string `yaml:"blockpage" json:"blockpage"`
	// Rules are the censor's policies, applied together. REQUIRED (an
	// uncensored scenario says so with a single "none" rule).
	Rules []Rule `yaml:"rules" json:"rules"`
	// Targets are the URLs to measure, each with its expected verdict.
	// REQUIRED.
	Targets []Target `yaml:"targets" json:"targets"`
}

// Actions of rules.
const (
	// DNSInject answers A queries for Domains from the path, before the
	// real answer, which still arrives later (the GFW's way).
	DNSInject = "dns-inject"
	// DNSHijack redirects every DNS query to the censor's own resolver,
	// which answers the blockpage address for Domains.
	DNSHijack = "dns-hijack"
	// RST resets TCP connections whose ClientHello names an SNI, or whose
	// HTTP request names a Host, in the rule.
	RST = "rst"
	// Blockpage answers HTTP requests for Hosts with the blockpage,
	// injected before the real answer.
	Blockpage = "blockpage"
	// Blackhole drops every packet to IPs (or Domains' lab addresses).
	Blackhole = "blackhole"
	// QUICBlock drops UDP to port 443 (or Ports) of IPs / Domains, or of
	// every address when neither is given.
	QUICBlock = "quic-block"
	// Throttle limits to Rate the traffic of IPs / Domains, or of
	// connections whose ClientHello names an SNI in the rule.
	Throttle = "throttle"
	// None does nothing: an uncensored network.
	None = "none"
)

// Rule is one policy of the censor. Which match fields an action accepts
// is checked at load (see Validate).
type Rule struct {
	// Action is one of the constants above. REQUIRED.
	Action string `yaml:"action" json:"action"`
	// Domains are DNS names; a name matches its subdomains too. For
	// blackhole, quic-block and throttle they stand for the sites' lab
	// addresses.
	Domains []string `yaml:"domains" json:"domains"`
	// SNI are TLS server names (subdomains match).
	SNI []string `yaml:"sni" json:"sni"`
	// Hosts are HTTP Host names (subdomains match).
	Hosts []string `yaml:"hosts" json:"hosts"`
	// IPs are IPv4 addresses or prefixes.
	IPs []string `yaml:"ips" json:"ips"`
	// Ports restrict the rule to these destination ports. OPTIONAL.
	Ports []int `yaml:"ports" json:"ports"`
	// Answer is the address dns-inject answers. OPTIONAL: an Internet
	// address that refuses every connection (203.0.113.250).
	Answer string `yaml:"answer" json:"answer"`
	// Rate is the throttle's limit, in tc's units ("128kbit", "1mbit").
	Rate string `yaml:"rate" json:"rate"`
}

// Target is one URL measured through the censor and the verdict expected.
type Target struct {
	// URL is an http or https URL of a lab site. REQUIRED.
	URL string `yaml:"url" json:"url"`
	// Test is the probe's test name. OPTIONAL: web_connectivity.
	Test string `yaml:"test" json:"test"`
	// Expect is the verdict the analysis should reach. REQUIRED.
	Expect Expect `yaml:"expect" json:"expect"`
	// Why explains the expectation, for whoever reads a failing test.
	Why string `yaml:"why" json:"why"`
}

// Expect is an expected verdict, in internal/verdict's terms.
type Expect struct {
	// Blocking is "false" or a blocking method: dns, tcp_ip, tls,
	// http-failure, http-diff, quic. REQUIRED. In YAML, write false
	// unquoted.
	Blocking Blocking `yaml:"blocking" json:"blocking"`
	// Confidence is confirmed, anomaly, ok or failure. REQUIRED.
	Confidence string `yaml:"confidence" json:"confidence"`
	// Accessible says whether the site could still be used (the page
	// loaded), as in internal/verdict. OPTIONAL: not checked. It tells a
	// blocked protocol apart from a blocked site: HTTP/3 blocked while
	// HTTPS works is blocking quic, accessible true.
	Accessible *bool `yaml:"accessible" json:"accessible"`
}

// DefaultTest is the test a target is measured with when it names none.
const DefaultTest = "web_connectivity"

// TestName returns the target's test, DefaultTest when unset.
func (t Target) TestName() string {
	if t.Test == "" {
		return DefaultTest
	}
	return t.Test
}
