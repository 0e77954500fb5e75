package report

import (
	"strings"
	"testing"
)

func TestReadCategories(t *testing.T) {
	list := "url,category_code,category_description,date_added,source,notes\n" +
		"https://twitter.com/,GRP,Social Networking,2014-04-15,citizenlab,\n" +
		"http://www.BBC.com/persian,news,News Media,2014-04-15,citizenlab,\n" +
		"https://twitter.com/login,MISC,Misc,2014-04-15,citizenlab,\n"
	got, err := ReadCategories(strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["twitter.com"] != "GRP" || got["www.bbc.com"] != "NEWS" {
		t.Errorf("got %v", got)
	}
	for in, want := range map[string]string{
		"domain,category\nx.com,NEWS\n":       `test list: the header must name the "url" and "category_code" columns (Citizen Lab format)`,
		"url,category_code\nnot a url,NEWS\n": `test list: line 2: "not a url" is not a URL with a host name`,
		"url,category_code\nhttps://x.com/\n": "test list: line 2 has 1 columns",
		"":                                    "test list: EOF",
	} {
		if _, err := ReadCategories(strings.NewReader(in)); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func FuzzReadCategories(f *testing.F) {
	f.Add("url,category_code\nhttps://twitter.com/,GRP\n")
	f.Add("\ufeffurl,category_code\n\"https://a.b/\",\"NEWS\"\n")
	f.Add("url,category_code\nhttp://[::1]:80/,X\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ReadCategories(strings.NewReader(in))
		if err == nil && got == nil {
			t.Fatal("nil map without an error")
		}
		for d := range got {
			if d == "" || strings.ToLower(d) != d {
				t.Fatalf("bad domain key %q", d)
			}
		}
	})
}
