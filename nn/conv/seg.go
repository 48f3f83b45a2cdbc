package conv

// A seg is one segment of a tile's sum (see internal/asmgen): A at byte
// offset aoff and B at byte offset boff from the kernel's bases, n steps.
type seg struct {
	aoff, boff, n int
}
