package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sonde-project/sonde/testlists"
)

// TestLiveCategoriesFollowReloads: the report pages' categories come from
// the lists in use, and change when the lists are reloaded, without a
// restart; between reloads the same map is served (computed once).
func TestLiveCategoriesFollowReloads(t *testing.T) {
	dir := t.TempDir()
	write := func(rows string) {
		t.Helper()
		head := "url,category_code,category_description,date_added,source,notes\n"
		if err := os.WriteFile(filepath.Join(dir, "global.csv"), []byte(head+rows), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("https://twitter.com/,GRP,Social Networking,2017-04-12,citizenlab,\n")
	store, err := testlists.Open(testlists.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	categories := liveCategories(store)
	first := categories()
	if first["twitter.com"] != "GRP" || first["www.bbc.com"] != "" {
		t.Fatalf("categories before the reload: %v", first)
	}
	if again := categories(); reflect.ValueOf(again).UnsafePointer() != reflect.ValueOf(first).UnsafePointer() {
		t.Fatal("the categories were computed again without a reload")
	}
	write("https://twitter.com/,GRP,Social Networking,2017-04-12,citizenlab,\nhttps://www.bbc.com/,NEWS,News Media,2017-04-12,citizenlab,\n")
	if err := store.Reload(); err != nil {
		t.Fatal(err)
	}
	if after := categories(); after["www.bbc.com"] != "NEWS" || after["twitter.com"] != "GRP" {
		t.Fatalf("categories after the reload: %v", after)
	}
}
