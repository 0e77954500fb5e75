package targets_test

import (
	"fmt"
	"strings"

	"github.com/sonde-project/sonde/probe/targets"
)

func ExampleRead() {
	list := "url,category_code,category_description,date_added,source,notes\n" +
		"https://example.org/,NEWS,News Media,2024-01-01,me,\n" +
		"https://example.com/,PORN,Pornography,2024-01-01,me,\n"
	ts, err := targets.Read(strings.NewReader(list))
	if err != nil {
		fmt.Println(err)
		return
	}
	ts, dropped := targets.OptOut(ts, []string{"PORN"})
	fmt.Println(ts, dropped)
	// Output: [{https://example.org/ NEWS}] 1
}
