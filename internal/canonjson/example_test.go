package canonjson_test

import (
	"bytes"
	"fmt"

	"github.com/sonde-project/sonde/internal/canonjson"
)

func ExampleAppend() {
	src := []byte(`{"probe_ip": "203.0.113.7", "b": [1.50, "Hi"], "a": "\u00e9"}`)
	out, err := canonjson.Append(nil, src, &canonjson.Options{
		String: func(s []byte) []byte { return bytes.ReplaceAll(s, []byte("Hi"), []byte("hello")) },
		Set:    []canonjson.Member{{Key: "probe_ip", Value: []byte(`"127.0.0.1"`)}},
	})
	fmt.Println(string(out), err)
	_, err = canonjson.Append(nil, []byte(`{"a":1,"a":2}`), nil)
	fmt.Println(err)
	// Output:
	// {"a":"é","b":[1.50,"hello"],"probe_ip":"127.0.0.1"} <nil>
	// duplicate key "a" in an object at byte 13
}

func ExampleMembers() {
	canonjson.Members([]byte(`{"test_name":"dns","test_keys":{"queries":[]}}`), func(k, v []byte) error {
		fmt.Printf("%s = %s\n", k, v)
		return nil
	})
	// Output:
	// test_name = "dns"
	// test_keys = {"queries":[]}
}
