//go:build !race

package unet

const raceEnabled = false
