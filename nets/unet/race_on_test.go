//go:build race

package unet

// raceEnabled: the race detector makes synchronisation allocate, so the
// allocation tests skip.
const raceEnabled = true
