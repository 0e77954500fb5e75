package netx

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// DecodeOptions copies a test's options (nettest.Env.Options, "-O
// key=value" on the command line) into the string fields of the struct
// dst points to, by their `option:"key"` tags, and rejects any key that
// no field names, saying which keys the test knows. It lives here because
// every network test imports netx and no test imports another.
func DecodeOptions(options map[string]string, dst any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("netx: DecodeOptions wants a pointer to a struct, got %T", dst)
	}
	v = v.Elem()
	fields := map[string]reflect.Value{}
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if key := f.Tag.Get("option"); key != "" && f.Type.Kind() == reflect.String {
			fields[key] = v.Field(i)
		}
	}
	var unknown []string
	for key, value := range options {
		field, ok := fields[key]
		if !ok {
			unknown = append(unknown, key)
			continue
		}
		field.SetString(value)
	}
	if len(unknown) == 0 {
		return nil
	}
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	sort.Strings(unknown)
	sort.Strings(known)
	if len(known) == 0 {
		return fmt.Errorf("unknown option %s: this test takes no options", strings.Join(unknown, ", "))
	}
	return fmt.Errorf("unknown option %s (this test knows: %s)", strings.Join(unknown, ", "), strings.Join(known, ", "))
}
