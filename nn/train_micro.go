package nn

// A MicroBatcher is a Trainable whose examples are large, such as the
// U-Net's windows of fields (tens of MiB of activations each): a Trainer
// runs at most MicroBatch() examples through a tape at once instead of
// trainMicro, accumulating the parameter gradients of the micro-batches in
// order. The micro-batches depend on the batch size only, so results stay
// independent of GOMAXPROCS.
type MicroBatcher interface{ MicroBatch() int }

// microRows returns the micro-batch size for m.
func microRows(m Trainable) int {
	if mb, ok := m.(MicroBatcher); ok {
		return max(1, mb.MicroBatch())
	}
	return trainMicro
}
