package measurement

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// referenceDecodeSteps is DecodeSteps as it was, with encoding/json alone:
// the fast decoder is held to it.
func referenceDecodeSteps(testKeys json.RawMessage) (steps Steps, dropped int) {
	var keys map[string]json.RawMessage
	if json.Unmarshal(testKeys, &keys) != nil {
		return Steps{}, 0
	}
	dropped += referenceList(keys["queries"], &steps.Queries)
	dropped += referenceList(keys["tcp_connect"], &steps.TCPConnect)
	dropped += referenceList(keys["tls_handshakes"], &steps.TLSHandshakes)
	dropped += referenceList(keys["quic_handshakes"], &steps.QUICHandshakes)
	dropped += referenceList(keys["requests"], &steps.Requests)
	dropped += referenceList(keys["network_events"], &steps.NetworkEvents)
	dropped += referenceList(keys["dns_late_replies"], &steps.DNSLateReplies)
	return steps, dropped
}

func referenceList[T any](raw json.RawMessage, out *[]T) (dropped int) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0
	}
	if json.Unmarshal(raw, out) == nil {
		return 0
	}
	*out = nil
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return 1
	}
	for _, item := range items {
		var v T
		if json.Unmarshal(item, &v) != nil {
			dropped++
			continue
		}
		*out = append(*out, v)
	}
	return dropped
}

func checkSteps(t *testing.T, testKeys []byte) {
	t.Helper()
	got, gotDropped := DecodeSteps(testKeys)
	want, wantDropped := referenceDecodeSteps(testKeys)
	if gotDropped != wantDropped || !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\nDecodeSteps %d %+v\nreference   %d %+v", testKeys, gotDropped, got, wantDropped, want)
	}
}

// TestDecodeStepsMatchesEncodingJSON runs every real OONI measurement of
// the repository through both decoders.
func TestDecodeStepsMatchesEncodingJSON(t *testing.T) {
	for _, path := range oonidata(t) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m Measurement
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		checkSteps(t, m.TestKeys)
	}
}

// FuzzDecodeSteps holds the fast decoder to encoding/json on any input.
func FuzzDecodeSteps(f *testing.F) {
	for _, s := range []string{
		`{"queries":[{"answers":[{"answer_type":"A","ipv4":"1.2.3.4","ttl":300,"alpn":[]}],"failure":null,"t":1.5,"Engine":"x"}]}`,
		`{"tcp_connect":[{"ip":"1.2.3.4","port":443,"status":{"success":true,"failure":null,"blocked":false}},{"port":"x"},null,5]}`,
		`{"tls_handshakes":[{"peer_certificates":[{"format":"base64","data":"AAEC"},"AAEC",null],"no_tls_verify":true}]}`,
		`{"requests":[{"request":{"headers":{"A":"b","A":"c"},"headers_list":[["Host","x"]],"body":{"format":"base64","data":"/w=="},"tor":{"is_tor":false}},"response":{"code":200,"body":"hi\u00e9","body_is_truncated":false}}]}`,
		`{"network_events":[{"operation":"read","num_bytes":1.5}],"queries":{},"requests":"x","quer\u0069es":[]}`,
		`{"queries":[{"t":1e400},{"rcode":-1},{"answers":null,"tags":["a",null]}],"dns_late_replies":[{"hostname":"a","hostname":"b"}]}`,
		`null`, `[]`, `{"queries":[{"answers":[{"ttl":-1}]},{"answers":[{"ttl":4294967296}]}]}`,
		`{"queries":[{"hostname":"a"}],"queries":null}`, `{"queries":[{"t":"x"}],"queries":[]}`, `{"queries":[1],"queries":5}`,
		` {"requests":[{"request":{"headers":{"a\u0062":"c","x":null},"headers_list":[["A",{"format":"base64","data":"/w"}]]}}]} `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, testKeys []byte) { checkSteps(t, testKeys) })
}

func checkWebKeys(t *testing.T, raw []byte) {
	t.Helper()
	got, gotErr := DecodeWebTestKeys(raw)
	var want WebTestKeys
	wantErr := json.Unmarshal(raw, &want)
	if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
		t.Fatalf("%q: error %v, encoding/json %v", raw, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\nDecodeWebTestKeys %+v\nencoding/json     %+v", raw, got, want)
	}
	if !json.Valid(raw) {
		return
	}
	tk, exact, err := DecodeWebTestKeysSteps(raw)
	if (err == nil) != (wantErr == nil) || !reflect.DeepEqual(tk, want) {
		t.Fatalf("%q: DecodeWebTestKeysSteps %+v %v, encoding/json %+v %v", raw, tk, err, want, wantErr)
	}
	if exact {
		steps, dropped := DecodeSteps(raw)
		if dropped != 0 || !reflect.DeepEqual(steps, tk.Steps) {
			t.Fatalf("%q: DecodeWebTestKeysSteps says its steps are DecodeSteps', which gives %d dropped, %+v", raw, dropped, steps)
		}
	}
}

func TestDecodeWebTestKeysMatchesEncodingJSON(t *testing.T) {
	for _, path := range oonidata(t) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m Measurement
		if json.Unmarshal(raw, &m) == nil && m.TestName == "web_connectivity" {
			checkWebKeys(t, m.TestKeys)
		}
	}
}

// FuzzDecodeWebTestKeys holds DecodeWebTestKeys to encoding/json.
func FuzzDecodeWebTestKeys(f *testing.F) {
	for _, s := range []string{
		`{"queries":[{"hostname":"a"}],"control":{"dns":{"addrs":["1.2.3.4"]},"http_request":{"status_code":200}},"blocking":false,"accessible":true}`,
		`{"Queries":[],"queries":[]}`, `{"requests":[{"t":"x"}],"blocking":"dns"}`, `{"x_status":1.5}`, `null`, `{"tcp_connect":[],"tcp_connect":[]}`,
		`{"control_failure":null,"dns_consistency":"consistent","body_length_match":null,"requests":[{"response":{"code":200}}]}`,
		`{"control":{"tcp_connect":{"1.2.3.4:443":{"status":true,"failure":null},"[::1]:443":null},"tls_handshake":{"a":{"server_name":"x","status":false,"failure":"eof"}},"quic_handshake":{},"http_request":{"body_length":12,"failure":null,"title":"t\u00e9","headers":{"A":"b","A":"c"},"status_code":200},"http3_request":null,"dns":{"failure":null,"addrs":["1.2.3.4",null]},"ip_info":{"1.2.3.4":{"asn":13335,"flags":11}}},"retries":0,"socksproxy":null,"body_proportion":0.5,"x_status":16,"agent":"redirect"}`,
		`{"control":{"http_request":{"status_code":1.5}},"retries":"x"}`, `{"control":null,"Control":{}}`, `{"control":{"dns":{"addrs":{}}}}`,
		`{"blocking":true,"accessible":false,"title_match":1}`, `{"control":{"ip_info":{"a":{"ASN":1}}}}`, ` {"agent":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkWebKeys(t, raw) })
}
