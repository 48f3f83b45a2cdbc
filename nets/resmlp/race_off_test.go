//go:build !race

package resmlp

const raceEnabled = false
