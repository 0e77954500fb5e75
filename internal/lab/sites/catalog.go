package sites

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// Site is one web site of the lab's Internet: a real-world name served
// from a documentation address, with a page of its own so that a probe
// can tell it from a blockpage (distinct title and body).
type Site struct {
	// Domain is the site's name; "www." + Domain (or the apex, for a www
	// name) is served too.
	Domain string
	// Addr is the site's address in the Internet namespace.
	Addr netip.Addr
	// Title and Body make the page distinct.
	Title string
	Body  string
}

// Names returns the names the site answers to: its domain and the
// www/apex variant.
func (s Site) Names() []string {
	if rest, ok := strings.CutPrefix(s.Domain, "www."); ok {
		return []string{s.Domain, rest}
	}
	return []string{s.Domain, "www." + s.Domain}
}

// Catalog lists the lab's sites. Names are real so that scenarios read
// like the reports they model; every address is in 203.0.113.0/24
// (TEST-NET-3, RFC 5737) and exists only inside the lab.
var Catalog = []Site{
	site("example.org", 10, "Example Domain", "This domain is for use in illustrative examples in documents."),
	site("twitter.com", 11, "X. It's what's happening", "From breaking news and entertainment to sports and politics, get the full story."),
	site("www.bbc.com", 12, "BBC - Homepage", "Breaking news, sport, TV, radio and a whole lot more from the BBC."),
	site("signal.org", 13, "Signal >> Home", "Speak freely. Say hello to privacy: Signal is an independent nonprofit."),
	site("www.wikipedia.org", 14, "Wikipedia", "Wikipedia is a free online encyclopedia, created and edited by volunteers."),
	site("www.youtube.com", 15, "YouTube", "Enjoy the videos and music you love, upload original content."),
	site("www.facebook.com", 16, "Facebook - log in or sign up", "Connect with friends and the world around you on Facebook."),
	site("telegram.org", 17, "Telegram Messenger", "A new era of messaging: fast, secure, powerful."),
	site("www.torproject.org", 18, "Tor Project | Anonymity Online", "Browse privately. Explore freely. Defend yourself against tracking."),
	site("www.instagram.com", 19, "Instagram", "Create an account or log in to Instagram to share photos and videos."),
	site("www.dw.com", 20, "DW - Breaking World News", "News, reports and analysis from Deutsche Welle."),
	site("www.hrw.org", 21, "Human Rights Watch", "Defending human rights worldwide through investigation and advocacy."),
	site("www.google.com", 22, "Google", "Search the world's information, including webpages, images, videos and more."),
	site("news.ycombinator.com", 23, "Hacker News", "Links for the intellectually curious, ranked by readers."),
	site("www.reddit.com", 24, "Reddit - Dive into anything", "Reddit is a network of communities where people dive into their interests."),
	site("vimeo.com", 25, "Vimeo: The world's only all-in-one video solution", "Make, manage and share videos."),
}

func site(domain string, host byte, title, body string) Site {
	return Site{Domain: domain, Addr: netip.AddrFrom4([4]byte{203, 0, 113, host}), Title: title, Body: body}
}

// Lookup returns the site serving name (case-insensitive, trailing dot
// allowed).
func Lookup(name string) (Site, bool) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	for _, s := range Catalog {
		for _, n := range s.Names() {
			if n == name {
				return s, true
			}
		}
	}
	return Site{}, false
}

// Names returns every name served in the lab, sorted.
func Names() []string {
	var names []string
	for _, s := range Catalog {
		names = append(names, s.Names()...)
	}
	sort.Strings(names)
	return names
}

// Page returns the HTML page of the site.
func (s Site) Page() string {
	return fmt.Sprintf("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>\n"+
		"<body><h1>%s</h1>\n<p>%s</p>\n<p>Served by the sonde censorship lab for %s.</p></body></html>\n",
		s.Title, s.Title, s.Body, s.Domain)
}
