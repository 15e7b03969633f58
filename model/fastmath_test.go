package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Accuracy of fexp and flog against package math.
const (
	tolFexp = 6e-16 // relative (≈ 2.7 ulp)
	tolFlog = 4e-16 // absolute error relative to max(1, |ln x|)
)

func TestFexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var worst float64
	for k := 0; k < 2_000_000; k++ {
		x := (rng.Float64()*2 - 1) * 720
		if k%2 == 0 {
			x /= 100
		}
		want, got := math.Exp(x), fexp(x)
		if e := math.Abs(got-want) / want; e > worst {
			worst = e
		}
	}
	if worst > tolFexp {
		t.Errorf("worst relative error %g", worst)
	}
	for _, x := range []float64{0, 1, -1, 700, -700, 709, -745, 1000, math.Inf(1), math.Inf(-1)} {
		if got, want := fexp(x), math.Exp(x); !(got == want || math.Abs(got-want) <= tolFexp*want) {
			t.Errorf("fexp(%g) = %g, want %g", x, got, want)
		}
	}
	if !math.IsNaN(fexp(math.NaN())) {
		t.Error("fexp(NaN) not NaN")
	}
	t.Logf("worst relative error %.3g", worst)
}

func TestFlog(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var worst float64
	for k := 0; k < 2_000_000; k++ {
		x := math.Exp((rng.Float64()*2 - 1) * 300)
		if k%3 == 0 {
			x = 1 + (rng.Float64()-0.5)*0.1
		}
		want, got := math.Log(x), flog(x)
		if e := math.Abs(got-want) / math.Max(1, math.Abs(want)); e > worst {
			worst = e
		}
	}
	if worst > tolFlog {
		t.Errorf("worst error %g", worst)
	}
	for _, x := range []float64{1, 2, 0.5, math.E, 0, -1, math.Inf(1), 1e-310, 1e308} {
		got, want := flog(x), math.Log(x)
		if !(got == want || math.Abs(got-want) <= tolFlog*math.Max(1, math.Abs(want))) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("flog(%g) = %g, want %g", x, got, want)
		}
	}
	t.Logf("worst error %.3g", worst)
}

func BenchmarkFexp(b *testing.B) {
	x := 0.0
	for k := 0; b.Loop(); k++ {
		x += fexp(float64(k&1023) * 0.001)
	}
	sinkF = x
}

func BenchmarkMathExp(b *testing.B) {
	x := 0.0
	for k := 0; b.Loop(); k++ {
		x += math.Exp(float64(k&1023) * 0.001)
	}
	sinkF = x
}

func BenchmarkFlog(b *testing.B) {
	x := 0.0
	for k := 0; b.Loop(); k++ {
		x += flog(float64(k&1023) + 1.5)
	}
	sinkF = x
}

func BenchmarkMathLog(b *testing.B) {
	x := 0.0
	for k := 0; b.Loop(); k++ {
		x += math.Log(float64(k&1023) + 1.5)
	}
	sinkF = x
}

var sinkF float64
