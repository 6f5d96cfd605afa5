package asm

// ValidSingles exports validSingles to the external tests.
var ValidSingles = validSingles
