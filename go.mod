module github.com/potash-sim/potash

go 1.26.8
