package warehouse

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestColumnsFollowTags: each column builder returns the fields in the
// order of their ch tags (the INSERT's column list), with the right
// types: every field gets a distinct value and must come back in its
// column.
func TestColumnsFollowTags(t *testing.T) {
	check := func(name string, row any, cols []any) {
		v := reflect.ValueOf(row)
		var fields []reflect.Value
		for i := range v.NumField() {
			if tag := v.Type().Field(i).Tag.Get("ch"); tag != "" && tag != "-" {
				fields = append(fields, v.Field(i))
			}
		}
		if len(cols) != len(fields) {
			t.Fatalf("%s: %d columns, %d tagged fields", name, len(cols), len(fields))
		}
		for i, f := range fields {
			got := reflect.ValueOf(cols[i]).Index(0).Interface()
			if !reflect.DeepEqual(got, f.Interface()) {
				t.Errorf("%s: column %d (%s) holds %v, want %v", name, i, v.Type().Field(i).Name, got, f.Interface())
			}
		}
	}
	fill := func(ptr any) {
		v := reflect.ValueOf(ptr).Elem()
		for i := range v.NumField() {
			f := v.Field(i)
			switch f.Kind() {
			case reflect.String:
				f.SetString(fmt.Sprintf("field%d", i))
			case reflect.Uint8, reflect.Uint16, reflect.Uint32:
				f.SetUint(uint64(i + 1))
			case reflect.Int8, reflect.Int64:
				f.SetInt(int64(i + 1))
			case reflect.Float64:
				f.SetFloat(float64(i) + 0.5)
			case reflect.Slice:
				f.Set(reflect.MakeSlice(f.Type(), 1, 1))
				if e := f.Index(0); e.Kind() == reflect.String {
					e.SetString(fmt.Sprintf("elem%d", i))
				} else {
					e.SetUint(uint64(i))
				}
			case reflect.Struct: // time.Time
				f.Set(reflect.ValueOf(time.Unix(int64(1e9+i), 0).UTC()))
			default:
				t.Fatalf("field %d: kind %s not covered", i, f.Kind())
			}
		}
	}
	var m MeasurementRow
	var o ObservationRow
	var v VerdictRow
	fill(&m)
	fill(&o)
	fill(&v)
	check("measurements", m, measurementColumns([]MeasurementRow{m}))
	check("observations", o, observationColumns([]ObservationRow{o}))
	check("verdicts", v, verdictColumns([]VerdictRow{v}))
}
