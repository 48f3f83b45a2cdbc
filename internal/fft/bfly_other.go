//go:build !amd64 || purego

package fft

func bfly4(ya, yb, yc, yd, xa, xb, xc, xd []complex128, inv bool) {
	bfly4Go(ya, yb, yc, yd, xa, xb, xc, xd, inv)
}

func bfly4tw(ya, yb, yc, yd, xa, xb, xc, xd []complex128, w1, w2, w3 complex128, inv bool) {
	bfly4twGo(ya, yb, yc, yd, xa, xb, xc, xd, w1, w2, w3, inv)
}

func bfly2(ya, yb, xa, xb []complex128, w complex128) { bfly2Go(ya, yb, xa, xb, w) }
