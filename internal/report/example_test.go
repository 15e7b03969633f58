package report_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/potash-sim/potash/internal/report"
)

func ExampleSafeCell() {
	fmt.Println(report.SafeCell("=HYPERLINK(\"http://x\")"))
	fmt.Println(report.SafeCell("Canada→Brazil"))
	// Output:
	// '=HYPERLINK("http://x")
	// Canada→Brazil
}

func ExampleFormatNumber() {
	fmt.Println(report.FormatNumber(1234.567, 2, true))
	fmt.Println(report.FormatNumber(-0.4912, 2, true))
	// Output:
	// +1,234.57
	// −0.49
}

// A Stage writes the files of one run so that they appear together or not
// at all.
func ExampleStage() {
	dir, _ := os.MkdirTemp("", "potash-example")
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "out")

	st, err := report.NewStage(out, report.StageOptions{Command: "example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Abort() // cleans up if anything below fails
	st.WriteFile("results.csv", func(w io.Writer) error { _, err := io.WriteString(w, "x,y\n1,2\n"); return err })
	st.WriteFile("summary.json", func(w io.Writer) error { _, err := io.WriteString(w, "{}\n"); return err })
	files, err := st.Commit()
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	fmt.Println(err)
	// Output:
	// results.csv
	// summary.json
	// <nil>
}
