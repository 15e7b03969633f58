//go:build unix

package serve

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// uploadServer is the real server: uploads go through the real scenarios
// parser (the tricks below fail there, before any simulation).
func uploadServer(t *testing.T) *Server {
	return New(Config{Log: testLog{t}, MaxConcurrent: 1})
}

// post sends an upload the way the page does (same origin, YAML type).
func post(t *testing.T, s http.Handler, target string, body []byte, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", target, bytes.NewReader(body))
	req.Host = "127.0.0.1:8080"
	req.Header.Set("Content-Type", "application/x-yaml")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ServeHTTP(w, req)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("POST %s did not answer: the server is reading something that does not end", target)
	}
	return w
}

// TestUploadReadsNoServerFile sends each known trick that made an uploaded
// scenario read a file of the server's (a merge key or an alias into
// extends or compare_to; /etc/passwd, /dev/zero, a named pipe) to both
// upload endpoints. Every one is refused with the same message whether or
// not the path exists, quickly, and no answer quotes the file.
func TestUploadReadsNoServerFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "secret.yaml")
	if err := os.WriteFile(secret, []byte("title: SECRET-CONTENT\nhash: 0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.yaml")
	s := uploadServer(t)
	for _, tc := range []struct{ name, src, field string }{
		{"merge key into extends", "<<: {extends: %s}\ntitle: x\n", "extends"},
		{"merge key into compare_to", "<<: {compare_to: %s}\ntitle: x\n", "compare_to"},
		{"merge list into extends", "<<: [{title: y}, {extends: %s}]\ntitle: x\n", "extends"},
		{"alias into extends", "description: &p %s\ntitle: x\nextends: *p\n", "extends"},
		{"anchored mapping merged", "base: &b {compare_to: %s}\n", "compare_to"},
		{"plain extends", "title: x\nextends: %s\n", "extends"},
		{"plain compare_to", "title: x\ncompare_to: %s\n", "compare_to"},
	} {
		for _, target := range []string{"/api/validate?file=up.yaml", "/api/run?file=up.yaml&draws=0"} {
			answers := map[string]string{}
			for _, path := range []string{"/etc/passwd", "/dev/zero", fifo, secret, missing} {
				src := tc.src
				if tc.name == "anchored mapping merged" {
					src = "base: &b {compare_to: %s}\n<<: *b\ntitle: x\n"
				}
				body := []byte(strings.Replace(src, "%s", path, 1))
				w := post(t, s, target, body, nil)
				text := w.Body.String()
				if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
					t.Errorf("%s %s %s: status %d: %s", tc.name, target, path, w.Code, text)
				}
				if !strings.Contains(text, "only built-in scenarios may be named") || !strings.Contains(text, `"field":"`+tc.field+`"`) {
					t.Errorf("%s %s %s: not refused as a file reference: %s", tc.name, target, path, text)
				}
				for _, leak := range []string{"root:", "SECRET-CONTENT", "0123456789abcdef", "no such file", "permission", "named pipe", "device", `"file":"/`} {
					if strings.Contains(text, leak) {
						t.Errorf("%s %s %s: answer reveals %q: %s", tc.name, target, path, leak, text)
					}
				}
				// The same answer for every path, the path itself aside:
				// nothing tells whether it exists or what it is.
				answers[strings.ReplaceAll(text, path, "PATH")] = path
			}
			if len(answers) != 1 {
				t.Errorf("%s %s: the answer depends on the path: %v", tc.name, target, answers)
			}
		}
	}
}

// TestUploadMessages: what the scenario parser says about an uploaded file
// reaches the page with line and column, and the limits on expanded input
// hold for uploads as for files: the adversarial files of the scenarios
// package each get one short diagnostic, quickly.
func TestUploadMessages(t *testing.T) {
	s := uploadServer(t)
	for _, tc := range []struct{ name, body, want string }{
		{"not UTF-8", "title: caf\xe9\n", "up.yaml:1:11: invalid UTF-8 (byte 0xe9)"},
		{"UTF-16", "\xff\xfet\x00i\x00", "up.yaml:1:1: the file is UTF-16 text"},
		{"NUL", "title: a\x00b\n", "up.yaml:1:9: a NUL character"},
		{"second document", "title: t\n---\ntitle: u\n", "up.yaml:2:1: a second YAML document"},
		{"binary tag", "title: !!binary aGVsbG8=\n", "up.yaml:1:8: title: the tag '!!binary' is not allowed"},
		{"escapes", "\"x\\e[2J\\u202e\": 1\ntitle: t\n", `unknown key 'x\\x1b[2J\\u202e'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := post(t, s, "/api/validate?file=up.yaml", []byte(tc.body), nil)
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("status %d %s; want %q", w.Code, w.Body, tc.want)
			}
		})
	}
	files, err := filepath.Glob("../../scenarios/testdata/adversarial/*.yaml")
	if err != nil || len(files) < 5 {
		t.Fatalf("adversarial files: %v %v", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []string{"/api/validate?file=a.yaml", "/api/run?file=a.yaml&draws=0"} {
			w := post(t, s, target, data, nil)
			if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
				t.Errorf("%s %s: status %d", filepath.Base(f), target, w.Code)
			}
			if w.Body.Len() > 256<<10 {
				t.Errorf("%s %s: answer of %d KB", filepath.Base(f), target, w.Body.Len()>>10)
			}
		}
	}
}
