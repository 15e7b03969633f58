package serve

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCrossSite: another web site can make the student's browser send
// requests to the server; none of them may start work or read an answer.
// Each case says whether the request gets through, and a refused POST
// /api/run must not have simulated anything.
func TestCrossSite(t *testing.T) {
	const yamlType = "application/x-yaml"
	for _, tc := range []struct {
		name, method, target, host string
		hdr                        map[string]string
		status                     int
		want                       string
	}{
		{"same-origin upload", "POST", "/api/run?draws=0", "127.0.0.1:8080", map[string]string{"Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin", "Content-Type": yamlType}, 200, ""},
		{"upload without Origin (curl)", "POST", "/api/validate", "localhost:8080", map[string]string{"Content-Type": "application/yaml; charset=utf-8"}, 200, ""},
		{"foreign Origin", "POST", "/api/run?draws=0", "127.0.0.1:8080", map[string]string{"Origin": "http://evil.example", "Content-Type": yamlType}, 403, "Origin"},
		{"foreign Origin, same host other port", "POST", "/api/run?draws=0", "127.0.0.1:8080", map[string]string{"Origin": "http://127.0.0.1:3000", "Content-Type": yamlType}, 403, "another web site"},
		{"null Origin", "POST", "/api/validate", "127.0.0.1:8080", map[string]string{"Origin": "null", "Content-Type": yamlType}, 403, "another web site"},
		{"Sec-Fetch-Site cross-site POST", "POST", "/api/run?draws=0", "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": yamlType}, 403, "another web site"},
		{"Sec-Fetch-Site same-site POST", "POST", "/api/run?draws=0", "localhost:8080", map[string]string{"Sec-Fetch-Site": "same-site", "Content-Type": yamlType}, 403, "another web site"},
		{"text/plain simple request", "POST", "/api/run?draws=0", "127.0.0.1:8080", map[string]string{"Content-Type": "text/plain"}, 415, "application/x-yaml"},
		{"form simple request", "POST", "/api/run?draws=0", "127.0.0.1:8080", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "application/x-yaml"},
		{"no Content-Type", "POST", "/api/validate", "127.0.0.1:8080", nil, 415, "application/x-yaml"},
		{"cross-site GET of the API (an <img>)", "GET", "/api/run?draws=0&seed=9", "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, "another web site"},
		{"cross-site link to the page", "GET", "/?belarus_discount=30", "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}, 200, ""},
		{"typed address", "GET", "/api/scenarios", "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "none"}, 200, ""},
		{"DNS rebinding Host", "GET", "/api/scenarios", "attacker.example:8080", nil, 403, "not allowed"},
		{"DNS rebinding Host, POST", "POST", "/api/validate", "attacker.example", map[string]string{"Content-Type": yamlType}, 403, "not allowed"},
		{"--allow-host name", "GET", "/api/scenarios", "Class.Example:8080", nil, 200, ""},
		{"listening IP address", "GET", "/api/scenarios", "192.0.2.5:8080", nil, 200, ""},
		{"another IP address", "GET", "/api/scenarios", "192.0.2.6:8080", nil, 403, "not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{}
			s := newFakeServer(Config{AllowHosts: []string{"class.example"}}, f)
			req := httptest.NewRequest(tc.method, tc.target, bytes.NewReader([]byte(validUpload)))
			req.Host = tc.host
			for k, v := range tc.hdr {
				req.Header.Set(k, v)
			}
			// The connection's local address, as http.Server records it.
			req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, &net.TCPAddr{IP: net.ParseIP("192.0.2.5"), Port: 8080}))
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("answer %s, want it to say %q", w.Body, tc.want)
			}
			if tc.status != 200 && f.simulates.Load() != 0 {
				t.Errorf("a refused request ran %d simulations", f.simulates.Load())
			}
		})
	}
}
